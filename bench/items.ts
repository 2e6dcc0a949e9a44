/**
 * What one more item in a transaction costs DynamoDB Local (`npx tsx bench/items.ts`; not part of `npm run bench`).
 * Raw TransactWriteItems straight to DynamoDB Local (in memory), C in flight (default 4, the local server's gate),
 * shapes alternating round by round:
 *   - `authorize`: the floor's authorize shape (authorization put, guarded account update, journal put);
 *   - `two`: its first two items only;
 *   - `slice`: authorize plus a budget slice's draw (guarded update, as shared/budgets/draw.ts sends it, to the
 *     budgets table, which has no stream);
 *   - `mainslice`: the same draw on a slice kept in the main table (streamed, as TABLE_STREAM says): where budgets
 *     lived before they had a table of their own;
 *   - `put`, `check`: authorize plus a small new item, or a condition check on a slice.
 * Prints ms per transaction (wall time / N, median of ROUNDS) per shape, and its ratio to `authorize` (each
 * round's from its adjacent pair; the median of the rounds and their range).
 */
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import type { PreparedRequest } from './load.js';

const C = Number(process.env['C'] ?? 4);
const N = Number(process.env['N'] ?? 2_000);
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const SHAPES = (process.env['SHAPES'] ?? 'authorize,two,slice,mainslice,put,check').split(',');
const TABLE = 'items';
const SLICES = 16;
const FAR = { startsAt: '2000-01-01T00:00:00.000Z', endsAt: '2100-01-01T00:00:00.000Z' };

const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
process.env['TABLE_NAME'] = TABLE;
const { ensureTable } = await import('../shared/storage/create-table.js');
const { documentClient } = await import('../shared/storage/dynamo-client.js');
const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
const { newAccount } = await import('../shared/accounts/model.js');
const { newAccountItem } = await import('../shared/accounts/repository.js');
const { sliceDraw, sliceKey } = await import('../shared/budgets/draw.js');
const { budgetsTableOf } = await import('../shared/budgets/table.js');
const { loadBuilders, floorRequests, wireItem: wire } = await import('./floor.js');

await ensureTable(TABLE);
const accounts = Array.from({ length: 64 }, (_, i) => `acc_${i}`);
const now = new Date().toISOString();
for (const id of accounts) {
  const account = newAccount({ id, currency: 'CNY', creditLimit: 1e12, riskTier: 'A', now });
  await documentClient.send(new PutCommand({ TableName: TABLE, Item: newAccountItem(account) }));
}
for (let s = 0; s < SLICES; s += 1) {
  const item = {
    ...sliceKey('bench', s),
    itemType: 'budget_slice',
    ...FAR,
    allotted: 1e12,
    drawn: 0,
    remaining: 1e12,
  };
  await documentClient.send(new PutCommand({ TableName: TABLE, Item: item }));
  await documentClient.send(new PutCommand({ TableName: budgetsTableOf(TABLE), Item: item }));
}
const builders = await loadBuilders();

function extra(shape: string, i: number): Array<Record<string, unknown>> {
  const slice = i % SLICES;
  switch (shape) {
    case 'slice':
      return [wire(sliceDraw('bench', slice, 100, new Date().toISOString()))];
    case 'mainslice': {
      const draw = sliceDraw('bench', slice, 100, new Date().toISOString()) as {
        Update: Record<string, unknown>;
      };
      return [wire({ Update: { ...draw.Update, TableName: TABLE } })];
    }
    case 'put':
      return [
        wire({ Put: { TableName: TABLE, Item: { pk: `ITEM#${i}#${Math.random()}`, sk: 'ITEM', n: 1 } } }),
      ];
    case 'check':
      return [
        wire({
          ConditionCheck: {
            TableName: TABLE,
            Key: sliceKey('bench', slice),
            ConditionExpression: 'remaining >= :amt',
            ExpressionAttributeValues: { ':amt': 100 },
          },
        }),
      ];
    default:
      return [];
  }
}

function requests(shape: string, n: number): PreparedRequest[] {
  return floorRequests(builders, accounts, n).map((r, i) => {
    const body = JSON.parse(r.body ?? '{}') as { TransactItems: unknown[] };
    body.TransactItems =
      shape === 'two' ? body.TransactItems.slice(0, 2) : [...body.TransactItems, ...extra(shape, i)];
    return { ...r, body: JSON.stringify(body) };
  });
}

/** Wall time per transaction with C in flight (fetch, not autocannon: its run ends on a whole-second tick). */
async function msPerTransaction(shape: string, n: number): Promise<number> {
  const queue = requests(shape, n);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (let q = queue[next++]; q; q = queue[next++]) {
        const response = await fetch(dynamo.endpoint, {
          method: 'POST',
          headers: q.headers,
          body: q.body ?? '',
        });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`${shape}: ${response.status} ${text}`);
      }
    }),
  );
  return (performance.now() - started) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
try {
  for (const shape of SHAPES) await msPerTransaction(shape, 300);
  const ms: Record<string, number[]> = Object.fromEntries(SHAPES.map((shape) => [shape, []]));
  for (let round = 0; round < ROUNDS; round += 1)
    for (const shape of SHAPES) ms[shape]?.push(await msPerTransaction(shape, N));
  const base = ms['authorize'] ?? [];
  for (const [shape, xs] of Object.entries(ms)) {
    // Each round's ratio from its own adjacent pair, then the median of the rounds (the machine drifts).
    const ratios = xs.map((x, round) => x / (base[round] ?? Number.NaN));
    process.stdout.write(
      `${shape.padEnd(10)} ${median(xs).toFixed(2)} ms/transaction (rounds ${xs.map((x) => x.toFixed(2)).join(' ')}); ` +
        `/ authorize ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})\n`,
    );
  }
} finally {
  await dynamo.stop();
}
