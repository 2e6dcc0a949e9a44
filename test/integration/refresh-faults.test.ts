/**
 * The limit refresh under DynamoDB faults, scripted through the fault proxy (local/fault-proxy.ts) so each test
 * says exactly which request fails how:
 * - counts: every account a page touches is counted once, in exactly one of changed / unchanged / skipped /
 *   failed, even when the batch falls back to one transaction per account and something throws after some
 *   accounts were written;
 * - failure: a segment that fails for good fails its run, naming the segment and why, instead of leaving it
 *   `running` forever: in process after SEGMENT_MAX_DELIVERIES attempts, in AWS when SQS dead-letters it (the
 *   dead-letter consumer, with the error the worker recorded, or none when the worker died without a word).
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { startFaultProxy, type FaultProxy, type ScriptedFault } from '../../local/fault-proxy.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

type JobModule = typeof import('../../shared/limits/job.js');
type JobsRepository = typeof import('../../shared/jobs/repository.js');
type Job = import('../../shared/jobs/repository.js').Job;

/** Accounts of one segment that a scripted run writes: a batch, and one transaction each when it falls back. */
const FRESH_PER_SEGMENT = 3;
/** The SDK's attempts per call (shared/storage/dynamo-client.ts): a call throws after this many internal errors. */
const SDK_ATTEMPTS = 3;
/** Long scenarios (several refresh runs through the proxy, SDK back-off between retries): a generous bound. */
const TEST_TIMEOUT_MS = 120_000;

let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let risk: { id: string; apiKey: string };
let jobs: JobModule;
let repository: JobsRepository;
let bucketOf: (accountId: string) => number;
const accounts: string[] = [];

beforeAll(async () => {
  proxy = await startFaultProxy({ target: process.env['DYNAMODB_ENDPOINT']!, seed: 7 });
  // The journal is read one settling lag ahead: these tests read limit changes right after writing them.
  app = await startTestApp({}, { endpoint: proxy.endpoint, journalClock: 'settled' });
  api = new Api(app.url);
  risk = await api.createClient(['risk']);
  jobs = await import('../../shared/limits/job.js');
  repository = await import('../../shared/jobs/repository.js');
  ({ accountBucket: bucketOf } = await import('../../shared/accounts/repository.js'));
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

/** A strong borrower on a small limit: any refresh raises it. */
async function strongAccount(): Promise<string> {
  const id = await api.createAccount(100_000);
  expect(
    (await api.call('PUT', `/v1/accounts/${id}/profile`, { key: risk.apiKey, body: strongProfile() })).status,
  ).toBe(200);
  accounts.push(id);
  return id;
}

/**
 * A segment whose only accounts still to write today are FRESH_PER_SEGMENT new ones, in the order the segment
 * lists them (account id order): a run first settles every account there is, then new accounts are opened
 * until one segment has enough.
 */
async function freshSegment(): Promise<{ segment: number; fresh: string[]; settled: number }> {
  expect((await jobs.runRefreshJobInProcess({ dryRun: false })).status).toBe('succeeded');
  const bySegment = new Map<number, string[]>();
  for (;;) {
    const id = await strongAccount();
    const segment = bucketOf(id);
    const fresh = [...(bySegment.get(segment) ?? []), id];
    bySegment.set(segment, fresh);
    if (fresh.length === FRESH_PER_SEGMENT) {
      const settled = accounts.filter((a) => bucketOf(a) === segment).length - fresh.length;
      return { segment, fresh: fresh.sort(), settled };
    }
  }
}

/** Runs one segment of a new run with the given fate for its TransactWriteItems, in order; the job after it. */
async function runScripted(segment: number, script: ScriptedFault[]): Promise<Job> {
  const { job, tasks } = await jobs.startRefreshJob({ dryRun: false });
  proxy.script('TransactWriteItems', script);
  try {
    expect(await jobs.runSegment(tasks[segment]!, Number.POSITIVE_INFINITY)).toBeUndefined();
  } finally {
    proxy.script('TransactWriteItems', []);
  }
  return (await repository.getJob(job.id))!;
}

/** Accounts with a limit change made by the policy (the opening entry is a limit_change without one). */
async function written(ids: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const reply = await api.call('GET', `/v1/accounts/${id}/journal?limit=100`, { key: ADMIN_KEY });
    const changes = reply.body.data.filter(
      (e: any) => e.type === 'limit_change' && e.policyVersion !== undefined,
    );
    expect(changes.length).toBeLessThanOrEqual(1);
    if (changes.length === 1) out.push(id);
  }
  return out;
}

const internalErrors = (n: number): ScriptedFault[] => Array.from({ length: n }, () => 'internalError');
const balanced = (j: Job) => j.processed === j.changed + j.unchanged + j.skipped + j.failed;

describe('refresh counts under faults: every account once, in exactly one bucket', () => {
  it(
    'a throw after some rewrites (a stale account failing on its rewrite) counts the written ones changed, only it failed',
    async () => {
      const {
        segment,
        fresh: [a, b, c],
        settled,
      } = await freshSegment();
      // The batch conflicts → one transaction each: a written, b stale (conflict), c written; b's rewrite throws.
      const job = await runScripted(segment, [
        'transactionConflict',
        'none',
        'transactionConflict',
        'none',
        ...internalErrors(SDK_ATTEMPTS),
      ]);
      expect(job).toMatchObject({
        processed: settled + 3,
        changed: 2,
        unchanged: settled,
        skipped: 0,
        failed: 1,
      });
      expect(balanced(job)).toBe(true);
      expect(await written([a!, b!, c!])).toEqual([a, c]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a throw in the one-transaction-per-account fallback fails that account only; the others keep their outcome',
    async () => {
      const {
        segment,
        fresh: [a, b, c],
        settled,
      } = await freshSegment();
      // The batch conflicts → one transaction each: a written, b's throws (internal errors), c written.
      const job = await runScripted(segment, [
        'transactionConflict',
        'none',
        ...internalErrors(SDK_ATTEMPTS),
      ]);
      expect(job).toMatchObject({
        processed: settled + 3,
        changed: 2,
        unchanged: settled,
        skipped: 0,
        failed: 1,
      });
      expect(balanced(job)).toBe(true);
      expect(await written([a!, b!, c!])).toEqual([a, c]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'an account whose limits move under every rewrite is skipped, not lost',
    async () => {
      const {
        segment,
        fresh: [a, b, c],
        settled,
      } = await freshSegment();
      // b conflicts in the fallback and on each of its MAX_STALE_RETRIES (3) rewrites.
      const conflicts: ScriptedFault[] = [
        'transactionConflict',
        'transactionConflict',
        'transactionConflict',
      ];
      const job = await runScripted(segment, [
        'transactionConflict',
        'none',
        'transactionConflict',
        'none',
        ...conflicts,
      ]);
      expect(job).toMatchObject({
        processed: settled + 3,
        changed: 2,
        unchanged: settled,
        skipped: 1,
        failed: 0,
      });
      expect(balanced(job)).toBe(true);
      expect(await written([a!, b!, c!])).toEqual([a, c]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a segment that fails for good, in process', () => {
  it(
    'fails its run after SEGMENT_MAX_DELIVERIES attempts, naming the segment and the error',
    async () => {
      const id = accounts[0] ?? (await strongAccount());
      const { job, tasks } = await jobs.startRefreshJob({ dryRun: true });
      const segment = bucketOf(id);
      // Every read of the segment's accounts fails: 3 SDK attempts for each of the runner's 3 deliveries, and spare.
      proxy.script('BatchGetItem', internalErrors(10 * SDK_ATTEMPTS));
      try {
        await jobs.runTasksInProcess([tasks[segment]!], 1);
      } finally {
        proxy.script('BatchGetItem', []);
      }
      const failed = (await repository.getJob(job.id))!;
      expect(failed.status).toBe('failed');
      expect(failed.failureReason).toBe(
        `segment ${segment} failed 3 attempts in process; last error: InternalServerError: Internal server error`,
      );
      expect(failed.finishedAt).toEqual(expect.any(String));
      // The failed run's other segments stop at once: nothing more is counted.
      await jobs.runTasksInProcess(tasks, 4);
      expect(await repository.getJob(job.id)).toEqual(failed);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a segment failing once is retried, as SQS would redeliver it, and the run succeeds',
    async () => {
      if (accounts.length === 0) await strongAccount();
      const injected = () =>
        proxy.stats().operations['DynamoDB_20120810.BatchGetItem']?.injected.internalError ?? 0;
      const before = injected();
      // One delivery's worth of failed reads; segments run one at a time, so one delivery meets all of them.
      proxy.script('BatchGetItem', internalErrors(SDK_ATTEMPTS));
      const job = await jobs.runRefreshJobInProcess({ dryRun: true, parallelSegments: 1 });
      expect(injected() - before).toBe(SDK_ATTEMPTS);
      expect(job).toMatchObject({ status: 'succeeded', processed: accounts.length, failed: 0 });
      expect(balanced(job)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a segment that fails for good, in AWS: the dead-letter consumer', () => {
  const context = { getRemainingTimeInMillis: () => 300_000 } as Context;
  const event = (messageId: string, body: string) =>
    ({ Records: [{ messageId, body, attributes: {} }] }) as unknown as SQSEvent;

  it(
    'fails the run with the segment and the error its worker recorded; redeliveries change nothing',
    async () => {
      const { handler: worker } = await import('../../functions/jobs/limit-refresh-worker.js');
      const { handler: deadLetters } = await import('../../functions/jobs/limit-refresh-dead-letters.js');
      const id = accounts[0] ?? (await strongAccount());
      const { job, tasks } = await jobs.startRefreshJob({ dryRun: true });
      const task = tasks[bucketOf(id)]!;

      // A delivery fails: reported back to SQS for a retry, its error recorded on the job, the run still running.
      proxy.script('BatchGetItem', internalErrors(SDK_ATTEMPTS));
      expect((await worker(event('m-1', JSON.stringify(task)), context)).batchItemFailures).toEqual([
        { itemIdentifier: 'm-1' },
      ]);
      expect(await repository.getSegmentError(job.id, task.segment)).toBe(
        'InternalServerError: Internal server error',
      );
      expect((await repository.getJob(job.id))!.status).toBe('running');

      // SQS gives up and dead-letters it: the consumer fails the run (twice delivered: once).
      expect((await deadLetters(event('m-1', JSON.stringify(task)), context)).batchItemFailures).toEqual([]);
      const failed = (await repository.getJob(job.id))!;
      expect(failed).toMatchObject({
        status: 'failed',
        failureReason: `segment ${task.segment} was dead-lettered after all its deliveries failed; last error: InternalServerError: Internal server error`,
      });
      expect(failed).not.toHaveProperty('lastSegmentError');
      expect((await deadLetters(event('m-1', JSON.stringify(task)), context)).batchItemFailures).toEqual([]);
      expect(await repository.getJob(job.id)).toEqual(failed);
      // The failed run's other segments do nothing when delivered.
      const other = tasks.find((t) => t.segment !== task.segment)!;
      expect((await worker(event('m-2', JSON.stringify(other)), context)).batchItemFailures).toEqual([]);
      expect(await repository.getSegmentCursor(job.id, other.segment)).toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says so when the worker died without recording an error (timeout, memory), and passes over unreadable messages',
    async () => {
      const { handler: deadLetters } = await import('../../functions/jobs/limit-refresh-dead-letters.js');
      const { job, tasks } = await jobs.startRefreshJob({ dryRun: true });
      const continuation = { ...tasks[5]!, afterId: 'acc_somewhere' };
      const reply = await deadLetters(
        {
          Records: [
            { messageId: 'garbage', body: 'segment five please', attributes: {} },
            { messageId: 'timed-out', body: JSON.stringify(continuation), attributes: {} },
          ],
        } as unknown as SQSEvent,
        context,
      );
      expect(reply.batchItemFailures).toEqual([]);
      expect(await repository.getJob(job.id)).toMatchObject({
        status: 'failed',
        failureReason:
          'segment 5 (after account acc_somewhere) was dead-lettered after all its deliveries failed; ' +
          'last error: none recorded (the worker timed out or crashed before it could record one)',
      });
    },
    TEST_TIMEOUT_MS,
  );
});
