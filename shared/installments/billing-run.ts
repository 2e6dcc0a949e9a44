/**
 * The billing run: every account, bucket by bucket through the accounts index, billed as of one instant
 * (shared/installments/service.ts `billAccount`). Billing an account twice the same day changes nothing, so a run
 * that stops part-way is simply run again, and a bucket delivered twice bills nothing twice.
 *
 * Locally (and from POST /v1/jobs/billing) the whole run goes on in this process. In AWS the nightly scheduler
 * (functions/jobs/billing-scheduler.ts) enqueues one task per bucket on BILLING_QUEUE_URL; a worker
 * (functions/jobs/billing-worker.ts) bills its bucket's pages within its time budget and enqueues the rest.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { listAccountIds } from '../accounts/repository.js';
import { config } from '../config.js';
import { bucketPosition, sendTasks } from '../jobs/queue.js';
import { logger } from '../observability/logger.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { ACCOUNT_BUCKETS, TTL_ATTRIBUTE } from '../storage/table.js';
import { type NoticeContext, issueNotices } from '../notices/repository.js';
import { isActive } from '../promotions/model.js';
import { listCurrentPromotions } from '../promotions/repository.js';
import { billAccount } from './service.js';

/** Account ids read per page of a bucket (one Query). */
const BILLING_PAGE = 100;
/** Pages one bucket may take: a million accounts per bucket, far beyond this line; reaching it is a loop bug. */
const MAX_PAGES_PER_BUCKET = 10_000;

export interface BillingRun {
  id: string;
  asOf: string;
  accounts: number;
  overdue: number;
  /** Notices issued (statements, installments due soon, coupons expiring, promotions started). */
  notices: number;
}

/** One bucket of a run, from after `afterId` (its start when absent): a queue message in AWS. */
export const BillingTask = z.strictObject({
  asOf: z.iso.datetime(),
  /** A promotion's start run: only that promotion's notice, for each account it is staged on; nothing billed. */
  promotionId: z.string().min(1).max(100).optional(),
  ...bucketPosition,
});
export type BillingTask = z.infer<typeof BillingTask>;

/** The run's id: one per day, so starting it again the same day names the same run. */
export const billingRunId = (nowMs: number): string =>
  `billing_${new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '')}`;

/** A run's tasks: one per accounts bucket, each from its start. */
export const billingTasks = (nowMs: number): BillingTask[] =>
  Array.from({ length: ACCOUNT_BUCKETS }, (_, bucket) => ({ asOf: new Date(nowMs).toISOString(), bucket }));

export interface BucketBilled {
  accounts: number;
  overdue: number;
  notices: number;
  /** The rest of the bucket, when the time budget ran out before its last page. */
  continuation: BillingTask | undefined;
}

/** Bills a bucket's pages from the task's position until the bucket ends or `deadlineMs` (epoch ms) passes. */
export async function billBucket(
  task: BillingTask,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<BucketBilled> {
  const nowMs = Date.parse(task.asOf);
  const billed: BucketBilled = { accounts: 0, overdue: 0, notices: 0, continuation: undefined };
  const context = await noticeContext(nowMs, task.promotionId);
  let after = task.afterId;
  for (let page = 0; page < MAX_PAGES_PER_BUCKET; page += 1) {
    const { ids, lastId } = await listAccountIds(task.bucket, BILLING_PAGE, after);
    for (const id of ids) {
      // Billed first: an installment that became overdue tonight is on the statement as overdue.
      const outcome = task.promotionId === undefined ? await billAccount(id, nowMs) : undefined;
      billed.notices += await issueNotices(id, nowMs, context);
      billed.accounts += 1;
      billed.overdue += outcome?.overdue ?? 0;
    }
    if (lastId === null) return billed;
    after = lastId;
    if (Date.now() >= deadlineMs) return { ...billed, continuation: { ...task, afterId: after } };
  }
  return billed;
}

/** The promotions' names (notices name them), read once per bucket. */
async function noticeContext(nowMs: number, onlyPromotionId?: string): Promise<NoticeContext> {
  const promotions = await listCurrentPromotions(new Date(nowMs));
  return {
    promotionNames: new Map(promotions.map((p) => [p.id, p.name])),
    ...(onlyPromotionId === undefined ? {} : { onlyPromotionId }),
    rules: config,
  };
}

export async function runBilling(nowMs: number = Date.now()): Promise<BillingRun> {
  const run: BillingRun = {
    id: billingRunId(nowMs),
    asOf: new Date(nowMs).toISOString(),
    accounts: 0,
    overdue: 0,
    notices: 0,
  };
  for (const task of billingTasks(nowMs)) {
    const billed = await billBucket(task);
    run.accounts += billed.accounts;
    run.overdue += billed.overdue;
    run.notices += billed.notices;
  }
  logger.info('billing run finished', { ...run });
  return run;
}

/** Dispatch markers are kept a season, like job records. */
const DISPATCH_TTL_SECONDS = 90 * 86_400;
const dispatchKey = (runId: string) => ({ pk: `BILLING#${runId}`, sk: 'DISPATCHED' });

/** Whether this run's buckets were all enqueued already (a retried schedule then enqueues nothing again). */
export async function billingDispatched(runId: string): Promise<boolean> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: dispatchKey(runId), ConsistentRead: true }),
  );
  return result.Item !== undefined;
}

/**
 * Records that every bucket of the run was enqueued. Written after the sends, so a scheduler that dies between
 * them is retried in full (two runs at once only bill twice, which changes nothing).
 */
export async function markBillingDispatched(runId: string, nowMs: number): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...dispatchKey(runId),
        itemType: 'billing_dispatch',
        dispatchedAt: new Date(nowMs).toISOString(),
        [TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + DISPATCH_TTL_SECONDS,
      },
    }),
  );
}

/**
 * Runs for promotions that have started: each promotion in force at `nowMs` whose start run was not dispatched
 * yet gets one, a task per accounts bucket naming it (the accounts it is staged on get its `promotion.started`
 * notice). Called every minute (in AWS by the billing scheduler's second rule, locally by `npm start`'s
 * schedules), so a festival's notice goes out within a minute or two of its start. Sent before the marker is
 * written: a run dispatched twice issues nothing twice. The ids of the promotions dispatched.
 */
export async function dispatchPromotionStarts(
  nowMs: number,
  send: (tasks: readonly BillingTask[]) => Promise<void>,
): Promise<string[]> {
  const now = new Date(nowMs);
  const started = (await listCurrentPromotions(now)).filter((p) => isActive(p, now));
  const dispatched: string[] = [];
  for (const promotion of started) {
    const runId = promotionStartRunId(promotion.id);
    if (await billingDispatched(runId)) continue;
    await send(billingTasks(nowMs).map((task) => ({ ...task, promotionId: promotion.id })));
    await markBillingDispatched(runId, Date.now());
    logger.info('promotion start run dispatched', { promotionId: promotion.id });
    dispatched.push(promotion.id);
  }
  return dispatched;
}

export const promotionStartRunId = (promotionId: string): string => `promotion_start_${promotionId}`;

/** A start run in this process, bucket after bucket (locally). */
export const billInProcess = async (tasks: readonly BillingTask[]): Promise<void> => {
  for (const task of tasks) await billBucket(task);
};

/** Enqueues billing tasks on BILLING_QUEUE_URL (set in AWS only: the scheduler and worker are AWS's). */
export async function enqueueBillingTasks(tasks: readonly BillingTask[]): Promise<void> {
  const queueUrl = config.billingQueueUrl;
  if (!queueUrl) throw new Error('BILLING_QUEUE_URL is not set: billing tasks have no queue');
  await sendTasks(queueUrl, tasks, 'billing tasks');
}
