/**
 * The expiry sweep when one hold keeps failing (a targeted TransactionConflict from the fault proxy on every
 * transaction that touches it): every other due hold — behind it in its own shard, and in every shard after
 * it — still expires in the same run; the failure is counted, logged by hold id without customer data, and
 * emitted as the ExpiryFailures metric; once the fault is lifted, the next sweep expires the poisoned hold too.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { emfWritten } from '../support/emf.js';
import { expectReconciled } from '../support/journal.js';
import { EXPIRY_SHARDS } from '../../shared/storage/table.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
/** A poisoned hold costs the sweep a full round of write retries per run; everything else is local round trips. */
const TEST_TIMEOUT_MS = 120_000;
/** Customer data on the poisoned hold that must never reach a log line. */
const CONTACT = 'ada.lovelace@example.com';

let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let expiry: typeof import('../../shared/authorizations/expiry.js');
let repository: typeof import('../../shared/authorizations/repository.js');
let requestDigest: typeof import('../../shared/ids.js').requestDigest;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint, seed: 12 });
  app = await startTestApp(
    { AUTH_HOLD_TTL_SECONDS: '1', VELOCITY_MAX: '0', REVIEW_THRESHOLD: '50000' },
    { endpoint: proxy.endpoint },
  );
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  expiry = await import('../../shared/authorizations/expiry.js');
  repository = await import('../../shared/authorizations/repository.js');
  ({ requestDigest } = await import('../../shared/ids.js'));
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

/** An Idempotency-Key whose hold lands in `shard` of the expiry index (the shard follows from the key). */
function keyInShard(shard: number): string {
  for (;;) {
    const key = randomUUID();
    if (repository.expiryShard(repository.authorizationIdFor(requestDigest(shop.id, key))) === shard)
      return key;
  }
}

async function holdInShard(
  accountId: string,
  shard: number,
  amount: number,
  metadata?: Record<string, string>,
): Promise<string> {
  const reply = await api.authorize(
    shop.apiKey,
    { accountId, amount, ...(metadata ? { metadata } : {}) },
    keyInShard(shard),
  );
  expect(reply.status).toBe(201);
  expect(repository.expiryShard(reply.body.id)).toBe(shard);
  return reply.body.id;
}

/** Fails every transaction that touches the hold, as a hot item or a stuck partition would. */
function poison(holdId: string): void {
  proxy.setTargetedFaults([
    {
      operation: 'TransactWriteItems',
      bodyIncludes: repository.digestOf(holdId)!,
      fault: 'transactionConflict',
    },
  ]);
}

const statusOf = async (id: string): Promise<string> =>
  (await api.call('GET', `/v1/authorizations/${id}`, { key: ADMIN_KEY })).body.status;

/** Runs `work` with everything the process writes to stdout/stderr (Powertools logs) captured, not shown. */
async function captured<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const chunks: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown): boolean => {
    chunks.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    return {
      value: await work(),
      lines: chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== ''),
    };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
}

const jsonLines = (lines: string[]): Array<Record<string, any>> =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, any>];
    } catch {
      return [];
    }
  });

describe('expiry sweep with a hold that keeps failing', () => {
  it(
    'expires every other due hold, in its shard and the shards after it, counts the failure, and expires it once lifted',
    async () => {
      const sweepAtMs = Date.now() + 60_000; // every hold made below is long due by then (the TTL is 1 s)
      const first = expiry.firstShard(sweepAtMs);
      const shardAt = (offset: number) => (first + offset) % EXPIRY_SHARDS;
      const accountId = await api.createAccount(1_000_000);
      // The poisoned hold is the oldest in the first shard the sweep visits; one more hold waits behind it there.
      const poisoned = await holdInShard(accountId, shardAt(0), 1_000, { contact: CONTACT });
      const others = [await holdInShard(accountId, shardAt(0), 2_000)];
      for (const offset of [1, 5, EXPIRY_SHARDS / 2, EXPIRY_SHARDS - 1])
        others.push(await holdInShard(accountId, shardAt(offset), 3_000 + offset));
      poison(poisoned);

      const { value: swept, lines } = await captured(() =>
        expiry.sweepExpiredHolds({ nowMs: sweepAtMs, budgetMs: 60_000 }),
      );
      expect(swept).toEqual({
        expired: others.length,
        skipped: 0,
        failed: 1,
        failedShards: 0,
        truncated: false,
      });
      for (const id of others) expect(await statusOf(id)).toBe('expired');
      expect(await statusOf(poisoned)).toBe('authorized');
      expect(await api.account(accountId)).toMatchObject({ reserved: 1_000 });
      expect(proxy.stats().injected.transactionConflict).toBeGreaterThan(0);
      // Logged once, by id, with the error; never with what the hold carries.
      const failures = jsonLines(lines).filter((l) => l['message'] === 'hold expiry failed');
      expect(failures).toEqual([
        expect.objectContaining({
          authorizationId: poisoned,
          error: expect.objectContaining({ name: 'RetriesExhaustedError' }),
        }),
      ]);
      expect(lines.join('\n')).not.toContain(CONTACT);

      proxy.setTargetedFaults([]);
      const { value: again } = await captured(() =>
        expiry.sweepExpiredHolds({ nowMs: sweepAtMs, budgetMs: 60_000 }),
      );
      expect(again).toEqual({ expired: 1, skipped: 0, failed: 0, failedShards: 0, truncated: false });
      expect(await statusOf(poisoned)).toBe('expired');
      expect(await api.account(accountId)).toMatchObject({ reserved: 0 });
      await expectReconciled(api, accountId);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'the scheduled job emits ExpiredHolds and ExpiryFailures as CloudWatch EMF',
    async () => {
      const { handler } = await import('../../functions/jobs/expiry-sweeper.js');
      const accountId = await api.createAccount(1_000_000);
      const poisoned = await holdInShard(accountId, 3, 1_000);
      const others = [await holdInShard(accountId, 3, 2_000), await holdInShard(accountId, 90, 3_000)];
      poison(poisoned);
      await sleep(1_100); // past the 1 s TTL: the job sweeps at the real time

      const context = { getRemainingTimeInMillis: () => 45_000 } as Context;
      const { value: swept, documents: emf } = await emfWritten(() => captured(() => handler({}, context)));
      proxy.setTargetedFaults([]);
      expect(swept.value).toMatchObject({ expired: others.length, failed: 1, failedShards: 0 });
      expect(emf).toHaveLength(1);
      expect(emf[0]).toMatchObject({
        _aws: {
          CloudWatchMetrics: [
            {
              Namespace: 'CreditAuthorization/local',
              Dimensions: [['service']],
              Metrics: expect.arrayContaining([
                { Name: 'ExpiredHolds', Unit: 'Count' },
                { Name: 'ExpiryFailures', Unit: 'Count' },
              ]),
            },
          ],
        },
        service: 'credit-authorization',
        ExpiredHolds: others.length,
        ExpiryFailures: 1,
      });
      // The next minute's run, with the fault lifted, expires it.
      const { value: next } = await captured(() => handler({}, context));
      expect(next).toMatchObject({ expired: 1, failed: 0 });
      expect(await statusOf(poisoned)).toBe('expired');
    },
    TEST_TIMEOUT_MS,
  );
});
