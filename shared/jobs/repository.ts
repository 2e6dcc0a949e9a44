/**
 * Storage of job runs (the limit refresh): the run's settings and its progress counters, which every segment
 * worker adds to atomically, one page at a time. The last segment to finish marks the run succeeded.
 *
 * Queues deliver at least once, and a worker can die between counting a page and enqueueing its continuation, so
 * a page may be processed twice. Each segment therefore keeps a cursor on the job item (`cursors.<segment>`), and
 * a page's counts are added only by the delivery that moves the cursor from the page's start to its end: counts
 * are exact and the run is marked done once, after its last segment, however often a segment was delivered.
 * Every page balances (processed = changed + unchanged + skipped + failed: shared/limits/outcomes.ts), checked
 * here before it is added.
 *
 * Internal attributes, never answered by getJob: the cursors, `dispatchedAt` (a scheduled run's segments were
 * all enqueued, so a retried scheduler enqueues nothing again) and `lastSegmentError` (the last error a segment
 * delivery recorded, for the dead-letter consumer's failure reason).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { assertBalanced, emptyCounts, type Counts } from '../limits/outcomes.js';
import { emptyTotals, type DryRunTotals } from '../policy/limit-policy.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { TTL_ATTRIBUTE } from '../storage/table.js';
import { present } from '../assert.js';

/** Job records are kept 90 days: long enough to audit a season's refreshes. */
const JOB_TTL_SECONDS = 90 * 86_400;

export type DryRunSummary = DryRunTotals;

export interface Job {
  id: string;
  object: 'job';
  type: 'limit_refresh';
  status: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  /** The refresh's "as of" instant: every segment assesses with the same clock and promotions. */
  asOf: string;
  refreshKey: string;
  segmentsTotal: number;
  segmentsDone: number;
  /** Accounts touched; each is in exactly one of changed, unchanged, skipped, failed (see Counts). */
  processed: number;
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  summary: DryRunSummary;
  createdAt: string;
  finishedAt?: string;
  failureReason?: string;
}

/** Where a segment has got to: the last account id of its last counted page, or done. */
export interface SegmentCursor {
  afterId: string | null;
  done: boolean;
}

export const jobKey = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'JOB' });

function jobItem(job: Job): Record<string, unknown> {
  return {
    ...jobKey(job.id),
    itemType: 'job',
    ...job,
    cursors: {},
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS,
  };
}

export async function createJob(job: Job): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: jobItem(job),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Creates the job unless one with its id exists (a retried scheduler: the id is the schedule slot's), and
 * answers the stored job and whether its segments were all enqueued (markJobDispatched).
 */
export async function createJobOnce(job: Job): Promise<{ job: Job; dispatched: boolean }> {
  try {
    await createJob(job);
    return { job, dispatched: false };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
  const item = present(await getJobItem(job.id), `job ${job.id}, which refused its create as existing`);
  return { job: jobFromItem(item), dispatched: item['dispatchedAt'] !== undefined };
}

/** Records that every segment of the run was enqueued: a retried start then enqueues nothing again. */
export async function markJobDispatched(jobId: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      UpdateExpression: 'SET dispatchedAt = if_not_exists(dispatchedAt, :now)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
    }),
  );
}

async function getJobItem(jobId: string): Promise<Record<string, unknown> | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }),
  );
  return result.Item;
}

/** The job as the API shows it: internal attributes dropped, counters a run started before they existed lacks as 0. */
function jobFromItem(item: Record<string, unknown>): Job {
  const {
    pk: _pk,
    sk: _sk,
    itemType: _t,
    [TTL_ATTRIBUTE]: _ttl,
    cursors: _c,
    dispatchedAt: _d,
    lastSegmentError: _e,
    run: _run,
    bucketsDone: _buckets,
    ...job
  } = item;
  // Other kinds of job (a coupon campaign) have counters of their own.
  return (job['type'] === 'limit_refresh' ? { ...emptyCounts(), ...job } : job) as unknown as Job;
}

export async function getJob(jobId: string): Promise<Job | undefined> {
  const item = await getJobItem(jobId);
  return item ? jobFromItem(item) : undefined;
}

/** A segment's cursor; undefined before its first page is counted. */
export async function getSegmentCursor(jobId: string, segment: number): Promise<SegmentCursor | undefined> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      ProjectionExpression: '#cursors.#segment',
      ExpressionAttributeNames: { '#cursors': 'cursors', '#segment': String(segment) },
      ConsistentRead: true,
    }),
  );
  return (result.Item?.['cursors'] as Record<string, SegmentCursor> | undefined)?.[String(segment)];
}

/** One page's counts (they balance: shared/limits/outcomes.ts) and its dry-run summary. */
export interface Progress extends Counts {
  summary: DryRunSummary;
}

/** One page of a segment: it started after `from` (undefined: the segment's start) and ended at `to` (null: the last page). */
export interface PageSpan {
  segment: number;
  from: string | undefined;
  to: string | null;
}

/**
 * Adds one page's counts, exactly once: only if the segment's cursor is still at the page's start, moving it to
 * the page's end. The last page also counts the segment done, and the last segment done closes the run.
 * Returns false, adding nothing, when another delivery of the segment already counted this page.
 */
export async function addPageProgress(jobId: string, page: PageSpan, p: Progress): Promise<boolean> {
  assertBalanced(p);
  const done = page.to === null;
  const cursor: SegmentCursor = { afterId: page.to ?? page.from ?? null, done };
  let job: Job | undefined;
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        // Names for every attribute: several (processed, failed...) are DynamoDB reserved words.
        UpdateExpression:
          'SET #cursors.#segment = :cursor ' +
          'ADD #processed :p, #changed :c, #unchanged :u, #skipped :s, #failed :f, #summary.#rise :rise, #summary.#fall :fall, ' +
          '#summary.#unchanged :same, #summary.#inc :inc, #summary.#dec :dec, #done :done',
        ConditionExpression:
          page.from === undefined
            ? 'attribute_not_exists(#cursors.#segment)'
            : '#cursors.#segment.afterId = :from AND #cursors.#segment.done = :false',
        ExpressionAttributeNames: {
          '#cursors': 'cursors',
          '#segment': String(page.segment),
          '#processed': 'processed',
          '#changed': 'changed',
          '#skipped': 'skipped',
          '#failed': 'failed',
          '#summary': 'summary',
          '#rise': 'rise',
          '#fall': 'fall',
          '#unchanged': 'unchanged',
          '#inc': 'totalIncrease',
          '#dec': 'totalDecrease',
          '#done': 'segmentsDone',
        },
        ExpressionAttributeValues: {
          ':cursor': cursor,
          ':p': p.processed,
          ':c': p.changed,
          ':u': p.unchanged,
          ':s': p.skipped,
          ':f': p.failed,
          ':rise': p.summary.rise,
          ':fall': p.summary.fall,
          ':same': p.summary.unchanged,
          ':inc': p.summary.totalIncrease,
          ':dec': p.summary.totalDecrease,
          ':done': done ? 1 : 0,
          ...(page.from === undefined ? {} : { ':from': page.from, ':false': false }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    job = result.Attributes as Job | undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
  if (done && job && job.segmentsDone >= job.segmentsTotal && job.status === 'running')
    await closeRunIfComplete(jobId);
  return true;
}

/**
 * Marks a run succeeded once every segment is done. Idempotent, and called again by any delivery that finds its
 * segment already done, so a worker dying between the last page and this write cannot leave the run open.
 */
export async function closeRunIfComplete(jobId: string): Promise<void> {
  await documentClient
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :succeeded, finishedAt = :now',
        ConditionExpression: '#status = :running AND segmentsDone >= segmentsTotal',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':succeeded': 'succeeded',
          ':running': 'running',
          ':now': new Date().toISOString(),
        },
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

export function emptyProgress(): Progress {
  return { ...emptyCounts(), summary: emptyTotals() };
}

/** Marks a run failed (its segments could not run); a later run starts over under a new job. */
export async function failJob(jobId: string, reason: string): Promise<void> {
  await documentClient
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :failed, finishedAt = :now, failureReason = :reason',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':running': 'running',
          ':now': new Date().toISOString(),
          ':reason': reason.slice(0, 500),
        },
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

/** What a segment delivery last failed with; the dead-letter consumer puts it in the job's failureReason. */
export interface SegmentError {
  segment: number;
  message: string;
  at: string;
}

/** Records a failed delivery's error on the job (the last one wins: only the dead-lettered segment's is read). */
export async function recordSegmentError(jobId: string, segment: number, message: string): Promise<void> {
  const error: SegmentError = { segment, message, at: new Date().toISOString() };
  await documentClient
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET lastSegmentError = :error',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':error': error },
      }),
    )
    .catch((e: { name?: string }) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
}

/** The last error recorded for this segment of the job, if the last one recorded was this segment's. */
export async function getSegmentError(jobId: string, segment: number): Promise<string | undefined> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      ProjectionExpression: 'lastSegmentError',
      ConsistentRead: true,
    }),
  );
  const error = result.Item?.['lastSegmentError'] as SegmentError | undefined;
  return error?.segment === segment ? error.message : undefined;
}
