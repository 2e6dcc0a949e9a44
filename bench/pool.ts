/**
 * How DynamoDB Local's speed depends on how many requests it has in flight, and what that does to the authorize
 * ratio (`npx tsx bench/pool.ts`; not part of `npm run bench`). One DynamoDB Local, one API process per pool size
 * in POOLS (DYNAMODB_LOCAL_MAX_TRANSACTIONS: the most transactions that process has in flight at DynamoDB
 * Local), then ROUNDS alternating rounds at c=16: for each pool, the floor (raw
 * authorize-shaped transactions, 16 at once, as `npm run bench` sends them) and authorize through that API; and
 * the floor at each pool's own concurrency, to compare throughput with what DynamoDB Local does at that many.
 *
 * Prints each run and, last, one JSON line: per pool, the median p50 ratio to the floor at c=16 (with its
 * rounds) and the median throughput ratio to the floor at the pool's concurrency.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort, startDynamoDbLocal } from '../local/dynamodb-local.js';
import { authorizeRequests, createCheckoutClient, startApi } from './api.js';
import { floorRequests, loadBuilders } from './floor.js';
import { inParallel, type LoadResult, runLoad } from './load.js';
import { benchRounds, describeStat, ratioStat } from './rounds.js';

const POOLS = (process.env['POOLS'] ?? '256,4').split(',').map(Number);
const ROUNDS = benchRounds(5);
const REQUESTS = Number(process.env['BENCH_POOL_REQUESTS'] ?? 3_000);
const CONCURRENCY = 16;
const ACCOUNTS = 1_000;
const ADMIN_KEY = `bench-${randomUUID()}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

const logged = (r: LoadResult): LoadResult => {
  log(
    `  ${r.label}: ${r.opsPerSecond.toFixed(0)} ops/s, p50 ${r.p50Ms.toFixed(1)} ms ${JSON.stringify(r.statuses)}`,
  );
  return r;
};

/** The table, an admin key, and the accounts: the floor's and the API's (credit far above what the runs spend). */
async function seed(): Promise<{ floor: string[]; api: string[] }> {
  const { ensureTable } = await import('../shared/storage/create-table.js');
  const { openAccount } = await import('../shared/accounts/service.js');
  const { putClient } = await import('../shared/clients/repository.js');
  await ensureTable('pool');
  await putClient(
    { id: 'cli_pool_admin', name: 'bench', scopes: ['admin'], createdAt: new Date().toISOString() },
    ADMIN_KEY,
  );
  const floor = Array.from({ length: ACCOUNTS }, (_, i) => `floor_${i}`);
  const api = Array.from({ length: ACCOUNTS }, (_, i) => `api_${i}`);
  await inParallel([...floor, ...api], 32, (id) =>
    openAccount({ id, currency: 'CNY', creditLimit: 1_000_000_000_000 }),
  );
  return { floor, api };
}

interface Target {
  pool: number;
  url: string;
  key: string;
}

/** One API process per pool size, each with a checkout key and warmed up. */
async function startTargets(endpoint: string, accounts: readonly string[], apis: ChildProcess[]) {
  const targets: Target[] = [];
  for (const pool of POOLS) {
    process.env['DYNAMODB_LOCAL_MAX_TRANSACTIONS'] = String(pool);
    const port = await freePort();
    apis.push(await startApi({ port, endpoint, adminKey: ADMIN_KEY, tableName: 'pool', velocityMax: '32' }));
    const url = `http://127.0.0.1:${port}`;
    const key = await createCheckoutClient(url, ADMIN_KEY);
    await runLoad('warmup', url, CONCURRENCY, authorizeRequests(key, accounts, 1_000));
    targets.push({ pool, url, key });
  }
  return targets;
}

type Floor = (label: string, concurrency: number) => Promise<LoadResult>;

/** ROUNDS rounds; in each, per pool: the floor at c=16, authorize at c=16, the floor at the pool's concurrency. */
async function measure(targets: readonly Target[], accounts: readonly string[], floor: Floor) {
  const p50: Record<number, number[]> = Object.fromEntries(targets.map((t) => [t.pool, []]));
  const throughput: Record<number, number[]> = Object.fromEntries(targets.map((t) => [t.pool, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const t of targets) {
      const f16 = logged(await floor(`round ${round} floor c=${CONCURRENCY}`, CONCURRENCY));
      const label = `round ${round} authorize c=${CONCURRENCY}, pool ${t.pool}`;
      const ours = logged(
        await runLoad(label, t.url, CONCURRENCY, authorizeRequests(t.key, accounts, REQUESTS)),
      );
      const atPool =
        t.pool < CONCURRENCY ? logged(await floor(`round ${round} floor c=${t.pool}`, t.pool)) : f16;
      p50[t.pool]!.push(ours.p50Ms / f16.p50Ms);
      throughput[t.pool]!.push(ours.opsPerSecond / atPool.opsPerSecond);
    }
  }
  const summary: Record<string, unknown> = {};
  for (const t of targets) {
    const ratio = ratioStat(p50[t.pool]!);
    const tput = ratioStat(throughput[t.pool]!);
    const at = Math.min(t.pool, CONCURRENCY);
    log(
      `pool ${t.pool}: p50 / floor c=16 ${describeStat(ratio)}; ops/s / floor c=${at} ${describeStat(tput)}`,
    );
    summary[`pool${t.pool}`] = { p50RatioToFloor16: ratio, throughputRatioToFloorAtPool: tput };
  }
  return summary;
}

async function main(): Promise<void> {
  process.env['LOCAL_TIME_SCALE'] ??= '3';
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  process.env['TABLE_NAME'] = 'pool';
  const apis: ChildProcess[] = [];
  try {
    const accounts = await seed();
    const builders = await loadBuilders();
    const floor: Floor = (label, c) =>
      runLoad(label, dynamo.endpoint, c, floorRequests(builders, accounts.floor, REQUESTS));
    const targets = await startTargets(dynamo.endpoint, accounts.api, apis);
    await floor('warmup', CONCURRENCY);
    process.stdout.write(`${JSON.stringify(await measure(targets, accounts.api, floor))}\n`);
  } finally {
    for (const api of apis) api.kill('SIGTERM');
    const { dynamoClient } = await import('../shared/storage/dynamo-client.js');
    dynamoClient.destroy();
    await dynamo.stop();
  }
}

await main();
