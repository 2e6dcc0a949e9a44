/**
 * Limit refresh throughput: accounts refreshed per second by the real job (in-process, as `npm start` runs it),
 * beside the raw conditional-UpdateItem rate of the same DynamoDB Local over the same accounts with the same
 * number of writes in flight. Run as its own process on its own table (`tsx bench/refresh.ts N SHARE`) so
 * each population is measured alone; prints one JSON line.
 *
 * `changedShare` is the fraction of accounts whose limit the policy moves. A nightly refresh over a settled
 * book moves a minority; the first refresh after an onboarding wave moves nearly all (the worst case).
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { inParallel } from './load.js';

/** DynamoDB's BatchWriteItem limit. */
const BATCH_ITEMS = 25;
/** Batches written at once while seeding. */
const SEED_BATCHES_IN_FLIGHT = 16;
/** Unprocessed items are sent again at most this many times: DynamoDB Local rarely leaves any. */
const BATCH_ATTEMPTS_MAX = 10;
/** The refresh job's segments, run in parallel in this process. */
const REFRESH_SEGMENTS = 4;

export interface RefreshBench {
  accounts: number;
  floorUpdatesPerSecond: number;
  refreshAccountsPerSecond: number;
  ratio: number;
  changed: number;
  failed: number;
}

export async function benchRefresh(
  accountCount: number,
  changedShare: number,
  inFlight: number,
  log: (line: string) => void,
): Promise<RefreshBench> {
  const prefix = `rb_${randomUUID().slice(0, 6)}`;
  const ids = Array.from({ length: accountCount }, (_, i) => `${prefix}_${i}`);
  const nowIso = new Date().toISOString();
  const items = await seedItems(ids, changedShare, nowIso);
  const seedStart = Date.now();
  await writeItems(items);
  log(`  seeded ${accountCount} accounts with profiles in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  const floorSeconds = await floorUpdates(ids, inFlight, nowIso);

  const { runRefreshJobInProcess } = await import('../shared/limits/job.js');
  const refreshStart = process.hrtime.bigint();
  const job = await runRefreshJobInProcess({ dryRun: false, parallelSegments: REFRESH_SEGMENTS });
  const refreshSeconds = Number(process.hrtime.bigint() - refreshStart) / 1e9;
  const floorUpdatesPerSecond = accountCount / floorSeconds;
  const refreshAccountsPerSecond = job.processed / refreshSeconds;
  return {
    accounts: job.processed,
    floorUpdatesPerSecond,
    refreshAccountsPerSecond,
    ratio: refreshAccountsPerSecond / floorUpdatesPerSecond,
    changed: job.changed,
    failed: job.failed,
  };
}

/**
 * Accounts with profiles that the policy will move (most up, some down), and the profiles: two items per
 * account. A settled account already sits at the policy's target with its tier; the others start at 2,000.00.
 */
async function seedItems(
  ids: readonly string[],
  changedShare: number,
  nowIso: string,
): Promise<Array<Record<string, unknown>>> {
  const { newAccount } = await import('../shared/accounts/model.js');
  const { newAccountItem } = await import('../shared/accounts/repository.js');
  const { profileKey } = await import('../shared/profiles/repository.js');
  const { scoreFactors, targetLimit, tierFor } = await import('../shared/policy/limit-policy.js');
  return ids.flatMap((id, i) => {
    const profile = seedProfile(i);
    const settled = i % 100 >= changedShare * 100;
    const tier = tierFor(scoreFactors(profile, new Date()).reduce((sum, f) => sum + f.points, 0));
    const account = newAccount({
      id,
      currency: 'CNY',
      creditLimit: settled ? targetLimit(profile, tier) : 200_000,
      riskTier: settled ? tier : 'unrated',
      now: nowIso,
    });
    return [
      newAccountItem(account),
      { ...profileKey(id), itemType: 'profile', accountId: id, updatedAt: nowIso, profile },
    ];
  });
}

/** The i-th account's profile: a spread of scores, incomes and histories, every 7th one recently overdue. */
function seedProfile(i: number) {
  return {
    creditScore: 560 + (i % 290),
    monthlyIncome: 500_000 + (i % 50) * 50_000,
    incomeVerified: i % 3 !== 0,
    onTimeRepayments: i % 40,
    overdueCount: i % 7 === 0 ? 2 : 0,
    maxOverdueDays: i % 7 === 0 ? 30 : 0,
    ...(i % 7 === 0 ? { lastOverdueAt: new Date(Date.now() - 20 * 86_400_000).toISOString() } : {}),
    recentInquiries: i % 11,
    tenureMonths: i % 60,
  };
}

/** Writes the items in batches, resending what DynamoDB left unprocessed (a bounded number of times). */
async function writeItems(items: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const { documentClient, tableName } = await import('../shared/storage/dynamo-client.js');
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += BATCH_ITEMS) batches.push(items.slice(i, i + BATCH_ITEMS));
  await inParallel(batches, SEED_BATCHES_IN_FLIGHT, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < BATCH_ATTEMPTS_MAX; attempt += 1) {
      try {
        const result = await documentClient.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      } catch (error) {
        // Setup on a DynamoDB Local loaded by the phases before: a batch cut by its deadline is sent again
        // (plain puts of the same items). The full bench's refresh phase died here once (stop 27).
        if (
          (error as { name?: string }).name !== 'DeadlineExceededError' ||
          attempt + 1 >= BATCH_ATTEMPTS_MAX
        )
          throw error;
      }
    }
  });
}

/** The floor: one conditional UpdateItem per account, the same number in flight as the refresh keeps; seconds. */
async function floorUpdates(ids: readonly string[], inFlight: number, nowIso: string): Promise<number> {
  const { documentClient, tableName } = await import('../shared/storage/dynamo-client.js');
  const { accountKey } = await import('../shared/accounts/repository.js');
  const floorStart = process.hrtime.bigint();
  await inParallel(ids, inFlight, async (id) => {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: accountKey(id),
        UpdateExpression: 'SET benchTouchedAt = :now',
        // A condition of the refresh's kind (on the limits), true for every seeded account.
        ConditionExpression: 'attribute_exists(pk) AND creditLimit >= :zero',
        ExpressionAttributeValues: { ':now': nowIso, ':zero': 0 },
      }),
    );
  });
  return Number(process.hrtime.bigint() - floorStart) / 1e9;
}

/** `tsx bench/refresh.ts <accounts> <changedShare>`: DYNAMODB_ENDPOINT and a fresh TABLE_NAME come from the caller. */
if (process.argv[1]?.endsWith('refresh.ts')) {
  const { ensureTable } = await import('../shared/storage/create-table.js');
  const { tableName, dynamoClient } = await import('../shared/storage/dynamo-client.js');
  await ensureTable(tableName);
  const result = await benchRefresh(Number(process.argv[2]), Number(process.argv[3]), 64, (line) =>
    process.stderr.write(`${line}\n`),
  );
  dynamoClient.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
