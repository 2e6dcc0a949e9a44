/**
 * The limit-refresh job: one run re-assesses every account. Accounts are spread over ACCOUNT_BUCKETS index
 * partitions; each bucket is a segment, processed by a worker with a time budget. A worker that runs out of
 * time returns its continuation (the last account id), which the dispatcher re-enqueues (SQS in AWS) or
 * continues (locally). Delivering a segment twice is harmless: accounts already written under the run's key
 * (and their current profile: refresh.accountRunKey) are not written again, and each page's counts are added
 * once (see shared/jobs/repository.ts). Each account lands in exactly one count (shared/limits/outcomes.ts). A
 * segment that fails for good fails the run, naming the segment (shared/limits/segment-failures.ts). The
 * nightly run's job id is its schedule slot, so a retried scheduler finds the run it started.
 */
import { createHash } from 'node:crypto';
import { listAccountIds } from '../accounts/repository.js';
import { randomId } from '../ids.js';
import { countRefreshedAccounts, metrics } from '../observability/emf.js';
import { logger } from '../observability/logger.js';
import { emptyTotals, POLICY_VERSION, tally } from '../policy/limit-policy.js';
import type { Promotion } from '../promotions/model.js';
import { listCurrentPromotions } from '../promotions/repository.js';
import { KEYS_ONLY_INDEX_ITEM_MAX_BYTES, QUERY_PAGE_MAX_BYTES } from '../storage/dynamodb-limits.js';
import { ACCOUNT_BUCKETS } from '../storage/table.js';
import {
  addPageProgress,
  closeRunIfComplete,
  createJob,
  createJobOnce,
  emptyProgress,
  failJob,
  getJob,
  getSegmentCursor,
  getSegmentError,
  type Job,
  type Progress,
} from '../jobs/repository.js';
import { type AccountOutcome, countOutcomes } from './outcomes.js';
import {
  accountRunKey,
  assess,
  type Assessment,
  type LoadedAccount,
  loadAccounts,
  MAX_ACCOUNTS_PER_WRITE,
  writeAssessment,
  writeAssessments,
} from './refresh.js';
import {
  describeError,
  SEGMENT_MAX_DELIVERIES,
  type SegmentFailure,
  segmentFailureReason,
} from './segment-failures.js';
import { assert, present } from '../assert.js';

/** Accounts per page of a segment: one index Query, two BatchGets. */
const PAGE_ACCOUNTS = 100;
assert(
  PAGE_ACCOUNTS * KEYS_ONLY_INDEX_ITEM_MAX_BYTES <= QUERY_PAGE_MAX_BYTES,
  'a page of account ids must fit one Query page of the keys-only accounts index',
);
/**
 * Pages one delivery of a segment reads at most (a million accounts at PAGE_ACCOUNTS): then it hands back its
 * continuation like a delivery out of time, so no loop over pages runs unbounded, whatever the budget.
 */
const MAX_PAGES_PER_DELIVERY = 10_000;
/**
 * Batched transactions in flight per segment (each up to MAX_ACCOUNTS_PER_WRITE accounts). In AWS each worker is
 * its own Lambda.
 */
const WRITE_CONCURRENCY = 4;
/** Re-assessments of one account whose limits moved under us (a limit request raced the refresh). */
const MAX_STALE_RETRIES = 3;

export interface SegmentTask {
  jobId: string;
  segment: number;
  /** Continue after this account id (a previous worker ran out of time). */
  afterId?: string;
}

/** Starts a run: the job record, with its clock and refresh key fixed for every segment. */
export async function startRefreshJob(options: {
  dryRun: boolean;
  nowMs?: number;
}): Promise<{ job: Job; tasks: SegmentTask[] }> {
  const job = await newRefreshJob(randomId('job'), options.dryRun, new Date(options.nowMs ?? Date.now()));
  await createJob(job);
  return { job, tasks: segmentTasks(job) };
}

/**
 * Starts the scheduled run of one schedule slot, or finds it: the job id and clock are the slot's, so a retried
 * invocation (EventBridge and Lambda both retry) finds the job the first one created. `dispatched` says its
 * segments were all enqueued already; if not (the first invocation died in between), enqueue them again:
 * a segment delivered twice counts once (cursors).
 */
export async function startScheduledRefreshJob(
  slot: Date,
): Promise<{ job: Job; tasks: SegmentTask[]; dispatched: boolean }> {
  const { job, dispatched } = await createJobOnce(await newRefreshJob(scheduledJobId(slot), false, slot));
  return { job, tasks: segmentTasks(job), dispatched };
}

/** The job id of a schedule slot, e.g. job_nightly_20260618T180000Z. */
export const scheduledJobId = (slot: Date): string =>
  `job_nightly_${slot.toISOString().replace(/[-:]|\.\d+/g, '')}`;

async function newRefreshJob(id: string, dryRun: boolean, asOf: Date): Promise<Job> {
  const promotions = await listCurrentPromotions(asOf);
  return {
    id,
    object: 'job',
    type: 'limit_refresh',
    status: 'running',
    dryRun,
    asOf: asOf.toISOString(),
    refreshKey: refreshKeyOf(asOf, promotions),
    segmentsTotal: ACCOUNT_BUCKETS,
    segmentsDone: 0,
    ...emptyProgress(),
    createdAt: new Date().toISOString(),
  };
}

const segmentTasks = (job: Job): SegmentTask[] =>
  Array.from({ length: job.segmentsTotal }, (_, segment) => ({ jobId: job.id, segment }));

/**
 * A run is keyed by its day, the policy version and the promotions not yet ended (with their ends): running it
 * again the same day with the same inputs writes nothing twice, while a promotion created, ended early or past
 * its end makes a new key (a run then stages or folds it).
 */
export function refreshKeyOf(asOf: Date, promotions: readonly Promotion[]): string {
  const ids = promotions
    .map((p) => `${p.id}@${p.endsAt}`)
    .sort()
    .join(',');
  const digest = createHash('sha256').update(`${POLICY_VERSION}|${ids}`).digest('base64url').slice(0, 12);
  return `${asOf.toISOString().slice(0, 10)}:${digest}`;
}

/**
 * Processes one segment until done, out of budget or MAX_PAGES_PER_DELIVERY pages on; returns the continuation,
 * if any. A delivery that finds
 * its page already counted (the same segment delivered twice, or a worker that died before enqueueing its
 * continuation) carries on from the segment's cursor, or stops if the segment is done.
 */
export async function runSegment(
  task: SegmentTask,
  budgetMs: number,
  pageAccounts = PAGE_ACCOUNTS,
): Promise<SegmentTask | undefined> {
  assert(pageAccounts >= 1, 'a page holds at least one account');
  assert(pageAccounts <= PAGE_ACCOUNTS, `a page holds at most PAGE_ACCOUNTS (${PAGE_ACCOUNTS}) accounts`);
  const started = Date.now();
  const job = await getJob(task.jobId);
  if (job?.status !== 'running') return undefined;
  const asOf = new Date(job.asOf);
  const promotions = await listCurrentPromotions(asOf);
  let afterId = task.afterId;
  for (let pages = 0; pages < MAX_PAGES_PER_DELIVERY; pages += 1) {
    const page = await listAccountIds(task.segment, pageAccounts, afterId);
    const progress = await refreshAccounts(page.ids, promotions, asOf, job);
    if (await addPageProgress(job.id, { segment: task.segment, from: afterId, to: page.lastId }, progress)) {
      // Counted as the job counts it: once per page, however often its segment is delivered.
      countRefreshedAccounts(progress);
      if (page.lastId === null) return undefined;
      afterId = page.lastId;
    } else {
      const cursor = present(
        await getSegmentCursor(job.id, task.segment),
        `the cursor of segment ${task.segment} of ${job.id}, which refused a page`,
      );
      if (cursor.done) {
        await closeRunIfComplete(job.id);
        return undefined;
      }
      logger.warn('limit refresh segment delivered twice: continuing from its cursor', {
        jobId: job.id,
        segment: task.segment,
      });
      afterId = cursor.afterId ?? undefined;
    }
    if (Date.now() - started > budgetMs) break;
  }
  return { ...task, ...(afterId === undefined ? {} : { afterId }) };
}

/** One page: every listed account gets exactly one outcome, counted into the page's progress. */
async function refreshAccounts(
  ids: string[],
  promotions: Promotion[],
  asOf: Date,
  job: Job,
): Promise<Progress> {
  const summary = emptyTotals();
  const outcomes: AccountOutcome[] = [];
  const loaded = await loadAccounts(ids);
  // Listed by the index but gone when read: it stands where it was.
  for (let i = loaded.length; i < ids.length; i += 1) {
    outcomes.push('account_not_found');
    tally(summary, 0);
  }
  const assessOne = (item: LoadedAccount): Assessment => ({
    ...assess(item, promotions, asOf),
    runKey: accountRunKey(job.refreshKey, item),
  });
  const toWrite: Assessment[] = [];
  for (const item of loaded) {
    if (item.lastRefreshKey === accountRunKey(job.refreshKey, item)) {
      outcomes.push('already_refreshed');
      tally(summary, 0); // this run already wrote it: it stands where the run put it
      continue;
    }
    const assessment = assessOne(item);
    tally(summary, assessment.after.totalLimit - assessment.before.totalLimit);
    if (!assessment.changed) outcomes.push('no_change');
    else if (job.dryRun) outcomes.push('dry_run');
    else toWrite.push(assessment);
  }
  outcomes.push(...(await writeAll(toWrite, assessOne, job)));
  return { ...countOutcomes(outcomes), summary };
}

/** Writes in batches, WRITE_CONCURRENCY at a time: one outcome per account. */
async function writeAll(
  toWrite: Assessment[],
  assessOne: (item: LoadedAccount) => Assessment,
  job: Job,
): Promise<AccountOutcome[]> {
  const batches: Assessment[][] = [];
  for (let i = 0; i < toWrite.length; i += MAX_ACCOUNTS_PER_WRITE)
    batches.push(toWrite.slice(i, i + MAX_ACCOUNTS_PER_WRITE));
  const outcomes: AccountOutcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < batches.length; i = next++) {
      outcomes.push(...(await writeBatch(present(batches[i], 'a batch in range'), assessOne, job)));
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return outcomes;
}

/**
 * One batch's outcomes, one per account, whatever throws where: a throw only fails the account it belongs to
 * (or, from the batch transaction itself, the batch, none of which is then known written).
 */
async function writeBatch(
  batch: Assessment[],
  assessOne: (item: LoadedAccount) => Assessment,
  job: Job,
): Promise<AccountOutcome[]> {
  let first: AccountOutcome[];
  try {
    first = await writeAssessments(batch);
  } catch (error) {
    logger.error('limit refresh failed for a batch of accounts', {
      accountIds: batch.map((a) => a.accountId),
      error,
    });
    return batch.map(() => 'failed');
  }
  const outcomes: AccountOutcome[] = [];
  for (const [i, outcome] of first.entries()) {
    const accountId = present(batch[i], 'the assessment of an outcome').accountId;
    outcomes.push(outcome === 'stale' ? await rewriteStale(accountId, assessOne, job) : outcome);
  }
  return outcomes;
}

/** An account whose limits moved under us (a limit request raced the run): read, assess and write again. */
async function rewriteStale(
  accountId: string,
  assessOne: (item: LoadedAccount) => Assessment,
  job: Job,
): Promise<AccountOutcome> {
  try {
    for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt += 1) {
      const [reloaded] = await loadAccounts([accountId]);
      if (!reloaded) return 'account_not_found';
      if (reloaded.lastRefreshKey === accountRunKey(job.refreshKey, reloaded)) return 'already_refreshed';
      const assessment = assessOne(reloaded);
      if (!assessment.changed) return 'no_change';
      const outcome = await writeAssessment(assessment);
      if (outcome !== 'stale') return outcome;
    }
    return 'stale';
  } catch (error) {
    logger.error('limit refresh failed for an account', { accountId, error });
    return 'failed';
  }
}

/**
 * Runs every segment of a run in this process (local `npm start`, `npm run refresh`, tests). A segment that
 * fails for good fails the run: the job returned says so (status `failed`, failureReason).
 */
export async function runRefreshJobInProcess(options: {
  dryRun: boolean;
  nowMs?: number;
  parallelSegments?: number;
  onProgress?: (job: Job) => void;
}): Promise<Job> {
  const { job, tasks } = await startRefreshJob(options);
  try {
    await runTasksInProcess(tasks, options.parallelSegments ?? 4);
  } catch (error) {
    await failJob(job.id, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const finished = present(await getJob(job.id), `job ${job.id} after its run`);
  options.onProgress?.(finished);
  return finished;
}

/**
 * Runs segments in this process, as SQS and the workers do in AWS: a continuation is queued again, and a
 * delivery that throws is retried, up to SEGMENT_MAX_DELIVERIES; then the run is marked failed with the
 * segment and the error (the other segments stop at their next delivery: the run is no longer running).
 */
export async function runTasksInProcess(tasks: SegmentTask[], parallelSegments: number): Promise<void> {
  const queue = tasks.map((task) => ({ task, deliveries: 1 }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const continuation = await runSegment(next.task, Number.POSITIVE_INFINITY);
        if (continuation) queue.push({ task: continuation, deliveries: 1 });
      } catch (error) {
        const lastError = describeError(error);
        logger.error('limit refresh segment failed', {
          jobId: next.task.jobId,
          segment: next.task.segment,
          deliveries: next.deliveries,
          error,
        });
        if (next.deliveries < SEGMENT_MAX_DELIVERIES)
          queue.push({ task: next.task, deliveries: next.deliveries + 1 });
        else
          await failRunForSegment(next.task, { where: 'in_process', deliveries: next.deliveries, lastError });
      } finally {
        // The pages it counted, published per delivery as a worker's invocation publishes them in AWS.
        metrics.publishStoredMetrics();
      }
    }
  };
  await Promise.all(Array.from({ length: parallelSegments }, worker));
}

/**
 * Marks a run failed because one of its segments failed for good: the reason names the segment and the last
 * error (given, or the one a worker recorded on the job for this segment). Idempotent: only a running job fails.
 */
export async function failRunForSegment(
  task: SegmentTask,
  failure: Omit<SegmentFailure, 'segment' | 'afterId'>,
): Promise<void> {
  const lastError = failure.lastError ?? (await getSegmentError(task.jobId, task.segment));
  const reason = segmentFailureReason({
    ...failure,
    segment: task.segment,
    afterId: task.afterId,
    lastError,
  });
  logger.error('limit refresh run failed', { jobId: task.jobId, reason });
  await failJob(task.jobId, reason);
}
