/**
 * The refresh job's segments as a queue delivers them: at least once, sometimes twice at the same time, with a
 * worker that may die between counting a page and enqueueing its continuation. Counts stay exact and the run
 * closes once, after its last segment. Then the worker function's handling of messages it cannot read, the
 * nightly scheduler retried with the same event (one run), and the once-per-20-hours rule for base-limit
 * increases when a promotion starts mid-day.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNT_BUCKETS } from '../../shared/storage/table.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

type JobModule = typeof import('../../shared/limits/job.js');
type JobsRepository = typeof import('../../shared/jobs/repository.js');
type Job = import('../../shared/jobs/repository.js').Job;

const ACCOUNTS = 40;
let app: TestApp;
let api: Api;
let risk: { id: string; apiKey: string };
let jobs: JobModule;
let repository: JobsRepository;
let bucketOf: (accountId: string) => number;
let accounts: string[];

beforeAll(async () => {
  // Journal reads check entries just written: read as if the settling lag had passed.
  app = await startTestApp({}, { journalClock: 'settled' });
  api = new Api(app.url);
  risk = await api.createClient(['risk']);
  jobs = await import('../../shared/limits/job.js');
  repository = await import('../../shared/jobs/repository.js');
  ({ accountBucket: bucketOf } = await import('../../shared/accounts/repository.js'));
  // Strong borrowers on small limits: the refresh raises every one of them.
  accounts = await Promise.all(
    Array.from({ length: ACCOUNTS }, async () => {
      const id = await api.createAccount(100_000);
      expect(
        (await api.call('PUT', `/v1/accounts/${id}/profile`, { key: risk.apiKey, body: strongProfile() }))
          .status,
      ).toBe(200);
      return id;
    }),
  );
});
afterAll(() => app.close());

/** The segment holding the most test accounts, and how many it holds. */
function busiestSegment(): { segment: number; size: number } {
  const sizes = new Map<number, number>();
  for (const id of accounts) sizes.set(bucketOf(id), (sizes.get(bucketOf(id)) ?? 0) + 1);
  const [segment, size] = [...sizes.entries()].sort((a, b) => b[1] - a[1])[0]!;
  return { segment, size };
}

/** The account's limit changes made by the policy (the opening entry is a limit_change too, without a policy). */
async function limitChanges(accountId: string): Promise<any[]> {
  const reply = await api.call('GET', `/v1/accounts/${accountId}/journal?limit=100`, { key: ADMIN_KEY });
  return reply.body.data.filter((e: any) => e.type === 'limit_change' && e.policyVersion !== undefined);
}

describe('refresh segments delivered more than once', () => {
  it('a dry run with every segment delivered three times at once, one account per page, reports what a clean run reports', async () => {
    const reference = await jobs.runRefreshJobInProcess({ dryRun: true });
    expect(reference.summary.rise).toBe(ACCOUNTS);

    const { job, tasks } = await jobs.startRefreshJob({ dryRun: true });
    await Promise.all(
      tasks.flatMap((task) => [1, 2, 3].map(() => jobs.runSegment(task, Number.POSITIVE_INFINITY, 1))),
    );
    const finished = (await repository.getJob(job.id))!;
    expect(finished).toMatchObject({
      status: 'succeeded',
      segmentsDone: finished.segmentsTotal,
      processed: reference.processed,
      changed: 0,
      unchanged: reference.unchanged,
      skipped: reference.skipped,
      failed: 0,
      summary: reference.summary,
    });
    // A dry run writes nothing: each account it would change is skipped.
    expect(reference).toMatchObject({
      changed: 0,
      skipped: ACCOUNTS,
      unchanged: reference.processed - ACCOUNTS,
    });
    expect(finished).not.toHaveProperty('cursors');
  });

  it('a worker dying before it enqueues its continuation, then the continuation turning up twice, counts every page once', async () => {
    const { segment, size } = busiestSegment();
    expect(size).toBeGreaterThanOrEqual(3);
    const { job, tasks } = await jobs.startRefreshJob({ dryRun: false });
    const task = tasks[segment]!;

    // One page (one account), then out of budget: the worker returns its continuation and dies before sending it.
    const continuation = await jobs.runSegment(task, 0, 1);
    expect(continuation).toEqual({ jobId: job.id, segment, afterId: expect.any(String) });
    expect(await repository.getJob(job.id)).toMatchObject({
      status: 'running',
      processed: 1,
      segmentsDone: 0,
    });

    // The queue delivers the original message again: it skips the counted page and finishes the segment.
    expect(await jobs.runSegment(task, Number.POSITIVE_INFINITY, 1)).toBeUndefined();
    // The lost continuation was sent after all, and a third copy of the original arrives: neither counts anything.
    expect(await jobs.runSegment(continuation!, Number.POSITIVE_INFINITY, 1)).toBeUndefined();
    expect(await jobs.runSegment(task, Number.POSITIVE_INFINITY, 1)).toBeUndefined();
    expect(await repository.getJob(job.id)).toMatchObject({
      status: 'running',
      processed: size,
      changed: size,
      segmentsDone: 1,
    });
    expect(await repository.getSegmentCursor(job.id, segment)).toMatchObject({ done: true });

    for (const other of tasks.filter((t) => t.segment !== segment))
      await jobs.runSegment(other, Number.POSITIVE_INFINITY);
    const finished = (await repository.getJob(job.id))!;
    expect(finished).toMatchObject({
      status: 'succeeded',
      segmentsDone: finished.segmentsTotal,
      processed: ACCOUNTS,
      changed: ACCOUNTS,
      unchanged: 0,
      skipped: 0,
      failed: 0,
    });
    for (const id of accounts) expect(await limitChanges(id)).toHaveLength(1);
  });

  it('a delivery that finds its segment done closes a run whose last worker died before closing it', async () => {
    const { job, tasks } = await jobs.startRefreshJob({ dryRun: true, nowMs: Date.now() + 2 * 86_400_000 });
    for (const task of tasks) await jobs.runSegment(task, Number.POSITIVE_INFINITY);
    expect((await repository.getJob(job.id))!.status).toBe('succeeded');
    // Reopen it as a worker dying between its last page and the close would have left it.
    const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `JOB#${job.id}`, sk: 'JOB' },
        UpdateExpression: 'SET #status = :running REMOVE finishedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
    const before = (await repository.getJob(job.id))!;
    expect(await jobs.runSegment(tasks[0]!, Number.POSITIVE_INFINITY)).toBeUndefined();
    const closed = (await repository.getJob(job.id))!;
    expect(closed).toMatchObject({
      status: 'succeeded',
      processed: before.processed,
      segmentsDone: before.segmentsDone,
    });
    expect(closed.finishedAt).toEqual(expect.any(String));
  });
});

describe('the refresh worker function', () => {
  it('reports the messages it cannot read as failures (for the queue to retry, then dead-letter) and processes the rest', async () => {
    const { handler } = await import('../../functions/jobs/limit-refresh-worker.js');
    const { job, tasks } = await jobs.startRefreshJob({ dryRun: true, nowMs: Date.now() + 4 * 86_400_000 });
    const record = (messageId: string, body: string) => ({ messageId, body }) as SQSEvent['Records'][number];
    const event = {
      Records: [
        record('not-json', 'segment 3 please'),
        record('wrong-shape', JSON.stringify({ jobId: job.id, segment: 'three' })),
        record('no-such-segment', JSON.stringify({ jobId: job.id, segment: 999 })),
        record('good', JSON.stringify(tasks[0])),
      ],
    } as SQSEvent;
    const context = { getRemainingTimeInMillis: () => 300_000 } as Context;
    const result = await handler(event, context);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'not-json',
      'wrong-shape',
      'no-such-segment',
    ]);
    expect(await repository.getSegmentCursor(job.id, 0)).toMatchObject({ done: true });
    expect((await repository.getJob(job.id))!.segmentsDone).toBe(1);
  });
});

describe('the nightly scheduler', () => {
  /** An EventBridge scheduled event; EventBridge and Lambda retry an invocation with this very event. */
  const scheduledEvent = (slot: Date) => ({
    version: '0',
    id: `evt-${slot.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: slot.toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/Nightly'],
    detail: {},
  });
  /** A slot days ahead (its own run key), on the minute as a cron slot is. */
  const slotInDays = (days: number) =>
    new Date(Math.floor((Date.now() + days * 86_400_000) / 60_000) * 60_000);
  /** Polls of a running job before giving up, JOB_POLL_MS apart (a bound on a hang, not a timing claim). */
  const MAX_JOB_POLLS = 1_200;
  const JOB_POLL_MS = 50;

  async function finished(jobId: string): Promise<Job> {
    for (let i = 0; i < MAX_JOB_POLLS; i += 1) {
      const job = await repository.getJob(jobId);
      if (job && job.status !== 'running') return job;
      await sleep(JOB_POLL_MS);
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  /** Every job item whose run is for this instant, straight from the table. */
  async function jobsAsOf(slot: Date): Promise<unknown[]> {
    const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'itemType = :job AND asOf = :asOf',
          ExpressionAttributeValues: { ':job': 'job', ':asOf': slot.toISOString() },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The scheduler's Lambda context: it runs within the time its invocation has left. */
  const SCHEDULER_CONTEXT = { getRemainingTimeInMillis: () => 30_000 } as Context;

  it('is idempotent: a retried invocation with the same event finds the run the first one started and enqueues nothing', async () => {
    const { handler } = await import('../../functions/jobs/limit-refresh-scheduler.js');
    const slot = slotInDays(6);
    // Not paused (the risk settings' refreshPaused is off): the invocation starts a run.
    const first = (await handler(scheduledEvent(slot), SCHEDULER_CONTEXT)) as {
      jobId: string;
      segments: number;
    };
    const retried = await handler(scheduledEvent(slot), SCHEDULER_CONTEXT);
    expect(first.segments).toBe(ACCOUNT_BUCKETS);
    expect(retried).toEqual({ jobId: first.jobId, segments: 0 });
    const job = await finished(first.jobId);
    expect(job).toMatchObject({
      status: 'succeeded',
      asOf: slot.toISOString(),
      segmentsDone: ACCOUNT_BUCKETS,
      processed: ACCOUNTS,
      failed: 0,
    });
    expect(job.processed).toBe(job.changed + job.unchanged + job.skipped + job.failed);
    expect(await jobsAsOf(slot)).toHaveLength(1);
    // Retried once more after the run finished: still that one run, nothing enqueued.
    expect(await handler(scheduledEvent(slot), SCHEDULER_CONTEXT)).toEqual({
      jobId: first.jobId,
      segments: 0,
    });
  }, 120_000);

  it('a retry after the first invocation died between starting the run and enqueueing it enqueues the segments', async () => {
    const { handler } = await import('../../functions/jobs/limit-refresh-scheduler.js');
    const slot = slotInDays(7);
    const { job: started } = await jobs.startScheduledRefreshJob(slot); // ...and the invocation died here
    const retried = await handler(scheduledEvent(slot), SCHEDULER_CONTEXT);
    expect(retried).toEqual({ jobId: started.id, segments: ACCOUNT_BUCKETS });
    expect(await finished(started.id)).toMatchObject({ status: 'succeeded', processed: ACCOUNTS, failed: 0 });
    expect(await jobsAsOf(slot)).toHaveLength(1);
  }, 120_000);
});

describe('base-limit increases when a promotion starts mid-day', () => {
  it('are deferred with increase_deferred while the uplift still applies, and resume the next day', async () => {
    const accountId = await api.createAccount(100_000);
    await api.call('PUT', `/v1/accounts/${accountId}/profile`, { key: risk.apiKey, body: strongProfile() });
    const now = Date.now();
    await jobs.runRefreshJobInProcess({ dryRun: false, nowMs: now });
    const raised = await api.account(accountId);
    expect(raised.creditLimit).toBe(150_000); // the per-refresh cap: +50%

    const promotion = {
      id: `midday-${now}`,
      name: 'Mid-day uplift',
      kind: 'uplift',
      upliftPercent: 20,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3 * 86_400_000).toISOString(),
    };
    expect((await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: promotion })).status).toBe(201);
    await jobs.runRefreshJobInProcess({ dryRun: false, nowMs: now + 60_000 });
    const festival = await api.account(accountId);
    expect(festival.creditLimit).toBe(150_000);
    expect(festival.promoLimit).toBe(30_000);
    const deferred = (await limitChanges(accountId)).at(-1);
    expect(deferred.reasons.map((r: any) => r.code)).toEqual(
      expect.arrayContaining(['increase_deferred', 'promotion_applied']),
    );

    await jobs.runRefreshJobInProcess({ dryRun: false, nowMs: now + 25 * 3_600_000 });
    const nextDay = await api.account(accountId);
    expect(nextDay.creditLimit).toBe(225_000);
    expect(nextDay.totalLimit).toBe(nextDay.creditLimit + nextDay.promoLimit);
    expect((await limitChanges(accountId)).at(-1).reasons.map((r: any) => r.code)).not.toContain(
      'increase_deferred',
    );
  });
});
