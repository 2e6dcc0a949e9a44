/**
 * Coupon campaigns: one coupon with the same terms for every account of the named risk tiers (e.g. the 618
 * 12-installment interest-free coupon for tiers A and B), issued by a job whose progress is read at
 * GET /v1/jobs/{id}.
 *
 * Idempotent on re-run: each account's coupon id is derived from the campaign's id and the account's
 * (`campaignCouponId`), and a coupon is put only if its id was never used, so a run started again (after a
 * crash, or twice at once) counts the coupons an earlier run issued as `alreadyIssued` and issues nothing twice.
 * The run is one chunk per accounts bucket (`CampaignTask`); a chunk pages its bucket of the accounts index, a
 * bounded page at a time, reads each page's accounts in one BatchGet to see their tiers, issues the eligible
 * ones' coupons, and adds the page's counts to the job in one transaction with a marker of that page, so a
 * chunk delivered again (SQS delivers at least once) issues nothing twice and counts nothing twice. In AWS the
 * route enqueues the chunks (COUPON_CAMPAIGN_QUEUE_URL) and functions/jobs/coupon-campaign-worker.ts runs them;
 * elsewhere the same code runs them in this process (`dispatchCampaign`).
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { accountKey, listAccountIds } from '../accounts/repository.js';
import { config } from '../config.js';
import { getItems } from '../idempotency/records.js';
import { jobKey } from '../jobs/repository.js';
import { bucketPosition, sendTasks } from '../jobs/queue.js';
import { logger } from '../observability/logger.js';
import { withoutDeadline } from '../storage/deadline.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { conditionFailed, transactWrite } from '../storage/transactions.js';
import { ACCOUNT_BUCKETS, TTL_ATTRIBUTE } from '../storage/table.js';
import type { RiskTier } from '../promotions/model.js';
import type { Coupon, CouponTerms, CreateCampaignBody } from './model.js';
import { issueCoupon } from './repository.js';

/** Accounts per page: one Query of the accounts index, then one BatchGet of at most this many accounts. */
export const CAMPAIGN_PAGE = 100;
/** Pages one bucket may take: a million accounts per bucket; reaching it is a loop bug. */
const MAX_PAGES_PER_BUCKET = 10_000;
/** Attempts to issue one account's coupon when DynamoDB cancels the transaction for a transient reason. */
const ISSUE_ATTEMPTS = 3;
/**
 * A run that added no progress for this long died with its process (a page takes seconds): starting the
 * campaign again restarts it instead of answering it as running.
 */
export const CAMPAIGN_STALE_MS = 10 * 60_000;
/** Campaign jobs are kept as long as refresh jobs: a season. */
const JOB_TTL_SECONDS = 90 * 86_400;

export interface CampaignCounts {
  /** Accounts looked at; each is in exactly one of issued, alreadyIssued, notEligible, failed. */
  processed: number;
  /** Coupons this run issued. */
  issued: number;
  /** Coupons an earlier run of the campaign issued (a re-run issues nothing twice). */
  alreadyIssued: number;
  /** Accounts outside the campaign's tiers, or gone. */
  notEligible: number;
  /** Accounts whose coupon could not be issued (a later run issues it). */
  failed: number;
}

export interface CampaignJob extends CampaignCounts {
  id: string;
  object: 'job';
  type: 'coupon_campaign';
  status: 'running' | 'succeeded' | 'failed';
  campaignId: string;
  riskTiers: RiskTier[];
  terms: CouponTerms;
  createdAt: string;
  /** When the run last started or added progress. */
  updatedAt: string;
  finishedAt?: string;
}

export const campaignJobId = (campaignId: string): string => `campaign_${campaignId}`;

/** The coupon a campaign issues to an account: the same id however often the campaign runs. */
export function campaignCouponId(campaignId: string, accountId: string): string {
  const digest = createHash('sha256').update(`${campaignId}\n${accountId}`).digest('hex');
  return `cpn_${digest.slice(0, 32)}`;
}

const emptyCampaignCounts = (): CampaignCounts => ({
  processed: 0,
  issued: 0,
  alreadyIssued: 0,
  notEligible: 0,
  failed: 0,
});

function termsOf(body: CreateCampaignBody): CouponTerms {
  const { id: _id, riskTiers: _tiers, ...terms } = body;
  return terms;
}

/** The same campaign: terms and tiers equal, whatever the order of fields, counts or tiers. */
function sameCampaign(job: CampaignJob, body: CreateCampaignBody): boolean {
  const canonical = (terms: CouponTerms, tiers: readonly string[]) =>
    JSON.stringify({
      ...Object.fromEntries(Object.entries(terms).sort(([a], [b]) => (a < b ? -1 : 1))),
      counts: [...terms.counts].sort((a, b) => a - b),
      tiers: [...tiers].sort(),
    });
  return canonical(job.terms, job.riskTiers) === canonical(termsOf(body), body.riskTiers);
}

/**
 * The job as the API shows it, and its run: the number of the current start (a restart's chunks and markers are
 * its own; an earlier run's chunks still in the queue change nothing). A job from before runs counts as run 0.
 */
function campaignFromItem(item: Record<string, unknown>): { job: CampaignJob; run: number } {
  const { pk: _pk, sk: _sk, itemType: _t, [TTL_ATTRIBUTE]: _ttl, run, bucketsDone: _b, ...job } = item;
  return { job: job as unknown as CampaignJob, run: typeof run === 'number' ? run : 0 };
}

async function getCampaignJob(jobId: string): Promise<{ job: CampaignJob; run: number } | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }),
  );
  return result.Item ? campaignFromItem(result.Item) : undefined;
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

export type CampaignStart =
  | { outcome: 'started'; job: CampaignJob; run: number }
  | { outcome: 'running'; job: CampaignJob }
  | { outcome: 'conflict' };

/**
 * Starts a campaign's run: a new job, or the same campaign's finished job started again (its counters reset).
 * A run already under way is answered as it is; the same id with other terms or tiers is a conflict.
 */
export async function startCampaign(body: CreateCampaignBody, nowIso: string): Promise<CampaignStart> {
  const id = campaignJobId(body.id);
  const fresh: CampaignJob = {
    id,
    object: 'job',
    type: 'coupon_campaign',
    status: 'running',
    campaignId: body.id,
    riskTiers: body.riskTiers,
    terms: termsOf(body),
    ...emptyCampaignCounts(),
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...jobKey(id),
          itemType: 'job',
          ...fresh,
          run: 1,
          bucketsDone: 0,
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(nowIso) / 1000) + JOB_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { outcome: 'started', job: fresh, run: 1 };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = (await getCampaignJob(id))?.job;
  if (existing?.type !== 'coupon_campaign' || !sameCampaign(existing, body)) return { outcome: 'conflict' };
  const stale = Date.parse(existing.updatedAt) < Date.parse(nowIso) - CAMPAIGN_STALE_MS;
  if (existing.status === 'running' && !stale) return { outcome: 'running', job: existing };
  return restart(existing, nowIso);
}

/**
 * A finished (or stale) run started again: counters back to zero, only if no other start or progress got
 * there first (its status and last update are still the ones read).
 */
async function restart(existing: CampaignJob, nowIso: string): Promise<CampaignStart> {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(existing.id),
        UpdateExpression:
          'SET #status = :running, #processed = :zero, issued = :zero, alreadyIssued = :zero, ' +
          'notEligible = :zero, #failed = :zero, updatedAt = :now, ' +
          '#run = if_not_exists(#run, :zero) + :one, bucketsDone = :zero REMOVE finishedAt',
        ConditionExpression: '#status = :was AND updatedAt = :seen',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#processed': 'processed',
          '#failed': 'failed',
          '#run': 'run',
        },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':zero': 0,
          ':one': 1,
          ':was': existing.status,
          ':seen': existing.updatedAt,
          ':now': nowIso,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { job, run } = campaignFromItem(result.Attributes ?? {});
    return { outcome: 'started', job, run };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const now = await getCampaignJob(existing.id);
    return now ? { outcome: 'running', job: now.job } : { outcome: 'conflict' };
  }
}

/** One chunk of a run: an accounts bucket from after `afterId` (its start when absent). A queue message in AWS. */
export const CampaignTask = z.strictObject({
  campaignId: z.string().min(1).max(64),
  run: z.number().int().min(1),
  ...bucketPosition,
});
export type CampaignTask = z.infer<typeof CampaignTask>;

/** A run's chunks: one per accounts bucket, each from its start. */
export const campaignTasks = (campaignId: string, run: number): CampaignTask[] =>
  Array.from({ length: ACCOUNT_BUCKETS }, (_, bucket) => ({ campaignId, run, bucket }));

/** Marks a page of a run counted: in the job's partition, kept as long as the job. */
const pageMarkerKey = (jobId: string, run: number, bucket: number, afterId: string | undefined) => ({
  pk: jobKey(jobId).pk,
  sk: `PAGE#${run}#${bucket}#${afterId ?? ''}`,
});

type PageCommit = 'counted' | 'counted_before' | 'superseded';

/**
 * Adds a page's counts to the job, in one transaction with the page's marker (put only if new), and only while
 * the job is still this run and running. A page counted before (a chunk delivered again) adds nothing; a page
 * of a run that was restarted (or finished) since adds nothing either. The bucket's last page also counts the
 * bucket done.
 */
async function commitPage(
  jobId: string,
  task: CampaignTask,
  afterId: string | undefined,
  c: CampaignCounts,
  lastOfBucket: boolean,
): Promise<PageCommit> {
  const nowIso = new Date().toISOString();
  const outcome = await transactWrite([
    {
      Put: {
        TableName: tableName,
        Item: {
          ...pageMarkerKey(jobId, task.run, task.bucket, afterId),
          itemType: 'campaign_page',
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(nowIso) / 1000) + JOB_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression:
          'SET updatedAt = :now ADD #processed :p, issued :i, alreadyIssued :a, notEligible :n, #failed :f, ' +
          'bucketsDone :done',
        ConditionExpression: '#run = :run AND #status = :running',
        ExpressionAttributeNames: {
          '#processed': 'processed',
          '#failed': 'failed',
          '#run': 'run',
          '#status': 'status',
        },
        ExpressionAttributeValues: {
          ':p': c.processed,
          ':i': c.issued,
          ':a': c.alreadyIssued,
          ':n': c.notEligible,
          ':f': c.failed,
          ':done': lastOfBucket ? 1 : 0,
          ':now': nowIso,
          ':run': task.run,
          ':running': 'running',
        },
      },
    },
  ]);
  if (outcome.committed) return 'counted';
  if (conditionFailed(outcome.reasons, 1)) return 'superseded';
  if (conditionFailed(outcome.reasons, 0)) return 'counted_before';
  throw new Error(`campaign page commit cancelled: ${outcome.reasons.map((r) => r.code).join(',')}`);
}

/** The run succeeds once every bucket was counted done (whichever chunk ends last sees it; again is harmless). */
async function finishIfDone(jobId: string, run: number): Promise<void> {
  const nowIso = new Date().toISOString();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :succeeded, finishedAt = :now, updatedAt = :now',
        ConditionExpression: '#run = :run AND #status = :running AND bucketsDone >= :all',
        ExpressionAttributeNames: { '#status': 'status', '#run': 'run' },
        ExpressionAttributeValues: {
          ':succeeded': 'succeeded',
          ':running': 'running',
          ':run': run,
          ':all': ACCOUNT_BUCKETS,
          ':now': nowIso,
        },
      }),
    );
    logger.info('coupon campaign finished', { id: jobId, run });
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A run that failed in this process (locally): failed, if it is still that run. */
async function failRun(jobId: string, run: number): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #status = :failed, finishedAt = :now',
        ConditionExpression: '#run = :run AND #status = :running',
        ExpressionAttributeNames: { '#status': 'status', '#run': 'run' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':running': 'running',
          ':run': run,
          ':now': new Date().toISOString(),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Issues one account's coupon: issued now, issued by an earlier run, or failed (a later run issues it). */
async function issueTo(
  job: CampaignJob,
  accountId: string,
  nowIso: string,
): Promise<keyof Omit<CampaignCounts, 'processed'>> {
  const coupon: Coupon = {
    ...job.terms,
    id: campaignCouponId(job.campaignId, accountId),
    accountId,
    campaignId: job.campaignId,
    status: 'issued',
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  for (let attempt = 0; attempt < ISSUE_ATTEMPTS; attempt += 1) {
    const outcome = await issueCoupon(coupon);
    if (outcome === 'issued') return 'issued';
    if (outcome === 'exists') return 'alreadyIssued';
    if (outcome === 'account_not_found') return 'notEligible';
  }
  return 'failed';
}

/** One page of accounts: their tiers in one BatchGet, then each eligible account's coupon. */
async function runPage(job: CampaignJob, ids: string[], nowIso: string): Promise<CampaignCounts> {
  const counts = emptyCampaignCounts();
  if (ids.length === 0) return counts;
  const accounts = (await getItems(ids.map(accountKey))) ?? (await getItems(ids.map(accountKey)));
  for (const [i, accountId] of ids.entries()) {
    counts.processed += 1;
    const account = accounts?.[i];
    if (accounts === null) {
      counts.failed += 1; // DynamoDB deferred the page's reads twice: a later run issues them
      continue;
    }
    if (!account || !job.riskTiers.some((tier) => tier === account['riskTier'])) {
      counts.notEligible += 1;
      continue;
    }
    counts[await issueTo(job, accountId, nowIso)] += 1;
  }
  return counts;
}

export interface ChunkOutcome {
  /** Pages whose counts this delivery added (a page counted by an earlier delivery is not). */
  pagesCounted: number;
  pagesCountedBefore: number;
  /** The chunk's run was restarted or has finished: nothing more is done for it. */
  superseded: boolean;
  /** The rest of the bucket, when the time budget ran out before its last page. */
  continuation: CampaignTask | undefined;
}

/**
 * Runs one chunk: its bucket's pages from the task's position until the bucket ends or `deadlineMs` (epoch ms)
 * passes. Safe to run again: coupons are put only if new, and each page is counted once (its marker).
 */
export async function runCampaignTask(
  task: CampaignTask,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<ChunkOutcome> {
  const out: ChunkOutcome = {
    pagesCounted: 0,
    pagesCountedBefore: 0,
    superseded: false,
    continuation: undefined,
  };
  const jobId = campaignJobId(task.campaignId);
  const current = await getCampaignJob(jobId);
  if (!current || current.run !== task.run || current.job.status !== 'running')
    return { ...out, superseded: true };
  const nowIso = new Date().toISOString();
  let after = task.afterId;
  for (let page = 0; page < MAX_PAGES_PER_BUCKET; page += 1) {
    const { ids, lastId } = await listAccountIds(task.bucket, CAMPAIGN_PAGE, after);
    const counts = await runPage(current.job, ids, nowIso);
    const committed = await commitPage(jobId, task, after, counts, lastId === null);
    if (committed === 'superseded') return { ...out, superseded: true };
    if (committed === 'counted') out.pagesCounted += 1;
    else out.pagesCountedBefore += 1;
    if (lastId === null) {
      await finishIfDone(jobId, task.run);
      return out;
    }
    after = lastId;
    if (Date.now() >= deadlineMs) return { ...out, continuation: { ...task, afterId: after } };
  }
  return out;
}

/** Enqueues chunks on COUPON_CAMPAIGN_QUEUE_URL (set in AWS only). */
export async function enqueueCampaignTasks(tasks: readonly CampaignTask[]): Promise<void> {
  const queueUrl = config.couponCampaignQueueUrl;
  if (!queueUrl) throw new Error('COUPON_CAMPAIGN_QUEUE_URL is not set: campaign chunks have no queue');
  await sendTasks(queueUrl, tasks, 'campaign chunks');
}

/** Every chunk of a run, one after another, in this process: the worker's code without the queue. */
export async function runCampaignInProcess(campaignId: string, run: number): Promise<void> {
  const jobId = campaignJobId(campaignId);
  try {
    for (const first of campaignTasks(campaignId, run)) {
      let task: CampaignTask | undefined = first;
      while (task) {
        const outcome: ChunkOutcome = await runCampaignTask(task);
        if (outcome.superseded) return;
        task = outcome.continuation;
      }
    }
  } catch (error) {
    logger.error('coupon campaign failed', { id: jobId, run, error });
    await failRun(jobId, run);
  }
}

/**
 * Hands a started run's chunks to its workers: the queue in AWS (a chunk failing every delivery waits in the
 * campaign DLQ, whose depth alarms; starting the campaign again reaches what it missed), else this process in
 * the background (outside the request's deadline: the run outlives the request that started it).
 */
export async function dispatchCampaign(campaignId: string, run: number): Promise<void> {
  if (config.couponCampaignQueueUrl) {
    try {
      await enqueueCampaignTasks(campaignTasks(campaignId, run));
    } catch (error) {
      // Nothing runs it: failed at once, so starting it again restarts it (instead of waiting to go stale).
      await failRun(campaignJobId(campaignId), run);
      throw error;
    }
    return;
  }
  void withoutDeadline(() => runCampaignInProcess(campaignId, run));
}
