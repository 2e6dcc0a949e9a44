/**
 * Storage of job runs (the limit refresh): the run's settings and its progress counters, which every segment
 * worker adds to atomically. The last segment to finish marks the run succeeded.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { emptyTotals, type DryRunTotals } from '../policy/limit-policy.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { TTL_ATTRIBUTE } from '../storage/table.js';

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
  processed: number;
  changed: number;
  failed: number;
  summary: DryRunSummary;
  createdAt: string;
  finishedAt?: string;
}

const jobKey = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'JOB' });

export async function createJob(job: Job): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...jobKey(job.id), itemType: 'job', ...job, [TTL_ATTRIBUTE]: Math.floor(Date.parse(job.createdAt) / 1000) + JOB_TTL_SECONDS },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getJob(jobId: string): Promise<Job | undefined> {
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, itemType: _t, [TTL_ATTRIBUTE]: _ttl, ...job } = result.Item;
  return job as Job;
}

export interface Progress {
  processed: number;
  changed: number;
  failed: number;
  summary: DryRunSummary;
}

/** Adds a page's counts; with `segmentDone`, also counts the segment and closes the run after the last one. */
export async function addProgress(jobId: string, p: Progress, segmentDone: boolean): Promise<void> {
  const result = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      // Names for every attribute: several (processed, failed...) are DynamoDB reserved words.
      UpdateExpression:
        'ADD #processed :p, #changed :c, #failed :f, #summary.#rise :rise, #summary.#fall :fall, ' +
        '#summary.#unchanged :same, #summary.#inc :inc, #summary.#dec :dec, #done :done',
      ExpressionAttributeNames: {
        '#processed': 'processed', '#changed': 'changed', '#failed': 'failed', '#summary': 'summary', '#rise': 'rise',
        '#fall': 'fall', '#unchanged': 'unchanged', '#inc': 'totalIncrease', '#dec': 'totalDecrease', '#done': 'segmentsDone',
      },
      ExpressionAttributeValues: {
        ':p': p.processed, ':c': p.changed, ':f': p.failed, ':rise': p.summary.rise, ':fall': p.summary.fall,
        ':same': p.summary.unchanged, ':inc': p.summary.totalIncrease, ':dec': p.summary.totalDecrease,
        ':done': segmentDone ? 1 : 0,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const job = result.Attributes as Job | undefined;
  if (segmentDone && job && job.segmentsDone >= job.segmentsTotal && job.status === 'running') {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :done, finishedAt = :now',
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'succeeded', ':running': 'running', ':now': new Date().toISOString() },
      }),
    ).catch((error: { name?: string }) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  }
}

export function emptyProgress(): Progress {
  return { processed: 0, changed: 0, failed: 0, summary: emptyTotals() };
}

/** Marks a run failed (its segments could not run); a later run starts over under a new job. */
export async function failJob(jobId: string, reason: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      UpdateExpression: 'SET #status = :failed, finishedAt = :now, failureReason = :reason',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':running': 'running', ':now': new Date().toISOString(), ':reason': reason.slice(0, 500) },
    }),
  ).catch((error: { name?: string }) => {
    if (error.name !== 'ConditionalCheckFailedException') throw error;
  });
}
