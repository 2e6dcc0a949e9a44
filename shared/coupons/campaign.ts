/**
 * Coupon campaigns: one coupon with the same terms for every account of the named risk tiers (e.g. the 618
 * 12-installment interest-free coupon for tiers A and B), issued by a job whose progress is read at
 * GET /v1/jobs/{id}.
 *
 * Idempotent on re-run: each account's coupon id is derived from the campaign's id and the account's
 * (`campaignCouponId`), and a coupon is put only if its id was never used, so a run started again (after a
 * crash, or twice at once) counts the coupons an earlier run issued as `alreadyIssued` and issues nothing twice.
 * The run pages the accounts index bucket by bucket, a bounded page at a time, and reads each page's accounts in
 * one BatchGet to see their tiers; progress is added to the job after each page.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { accountKey, listAccountIds } from '../accounts/repository.js';
import { getItems } from '../idempotency/records.js';
import { jobKey } from '../jobs/repository.js';
import { logger } from '../observability/logger.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
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

async function getCampaignJob(jobId: string): Promise<CampaignJob | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: jobKey(jobId), ConsistentRead: true }),
  );
  const { pk: _pk, sk: _sk, itemType: _t, [TTL_ATTRIBUTE]: _ttl, ...job } = result.Item ?? {};
  return result.Item ? (job as unknown as CampaignJob) : undefined;
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

export type CampaignStart =
  | { outcome: 'started'; job: CampaignJob }
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
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(nowIso) / 1000) + JOB_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { outcome: 'started', job: fresh };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await getCampaignJob(id);
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
          'notEligible = :zero, #failed = :zero, updatedAt = :now REMOVE finishedAt',
        ConditionExpression: '#status = :was AND updatedAt = :seen',
        ExpressionAttributeNames: { '#status': 'status', '#processed': 'processed', '#failed': 'failed' },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':zero': 0,
          ':was': existing.status,
          ':seen': existing.updatedAt,
          ':now': nowIso,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { pk: _pk, sk: _sk, itemType: _t, [TTL_ATTRIBUTE]: _ttl, ...job } = result.Attributes ?? {};
    return { outcome: 'started', job: job as unknown as CampaignJob };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const now = await getCampaignJob(existing.id);
    return now ? { outcome: 'running', job: now } : { outcome: 'conflict' };
  }
}

async function addCampaignProgress(jobId: string, c: CampaignCounts): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      UpdateExpression:
        'SET updatedAt = :now ADD #processed :p, issued :i, alreadyIssued :a, notEligible :n, #failed :f',
      ExpressionAttributeNames: { '#processed': 'processed', '#failed': 'failed' },
      ExpressionAttributeValues: {
        ':p': c.processed,
        ':i': c.issued,
        ':a': c.alreadyIssued,
        ':n': c.notEligible,
        ':f': c.failed,
        ':now': new Date().toISOString(),
      },
    }),
  );
}

async function finishCampaign(jobId: string, status: 'succeeded' | 'failed'): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: jobKey(jobId),
      UpdateExpression: 'SET #status = :status, finishedAt = :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':now': new Date().toISOString() },
    }),
  );
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

/** The run: every account, bucket by bucket, a bounded page at a time; progress after each page. */
export async function runCampaign(job: CampaignJob): Promise<void> {
  const nowIso = new Date().toISOString();
  try {
    for (let bucket = 0; bucket < ACCOUNT_BUCKETS; bucket += 1) {
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES_PER_BUCKET; page += 1) {
        const { ids, lastId } = await listAccountIds(bucket, CAMPAIGN_PAGE, after);
        await addCampaignProgress(job.id, await runPage(job, ids, nowIso));
        if (lastId === null) break;
        after = lastId;
      }
    }
    await finishCampaign(job.id, 'succeeded');
    logger.info('coupon campaign finished', { id: job.id });
  } catch (error) {
    logger.error('coupon campaign failed', { id: job.id, error });
    await finishCampaign(job.id, 'failed');
  }
}
