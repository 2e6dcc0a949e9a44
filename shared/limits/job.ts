/**
 * The limit-refresh job: one run re-assesses every account. Accounts are spread over ACCOUNT_BUCKETS index
 * partitions; each bucket is a segment, processed by a worker with a time budget. A worker that runs out of
 * time returns its continuation (the last account id), which the dispatcher re-enqueues (SQS in AWS) or
 * continues (locally). Delivering a segment twice is harmless: accounts already written under the run's
 * key (and their current profile: refresh.accountRunKey) are skipped, and each page's counts are added once (see shared/jobs/repository.ts).
 */
import { createHash } from 'node:crypto';
import { listAccountIds } from '../accounts/repository.js';
import { randomId } from '../ids.js';
import { logger } from '../observability/logger.js';
import { POLICY_VERSION, tally } from '../policy/limit-policy.js';
import { activePromotions, type Promotion } from '../policy/promotions.js';
import { listCurrentPromotions } from '../promotions/repository.js';
import { ACCOUNT_BUCKETS } from '../storage/table.js';
import {
  addPageProgress,
  closeRunIfComplete,
  createJob,
  emptyProgress,
  failJob,
  getJob,
  getSegmentCursor,
  type Job,
  type Progress,
} from '../jobs/repository.js';
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

/** Accounts per page of a segment: one index Query, two BatchGets. */
const PAGE_ACCOUNTS = 100;
/** Batched transactions in flight per segment (each up to 25 accounts). In AWS each worker is its own Lambda. */
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
export async function startRefreshJob(options: { dryRun: boolean; nowMs?: number }): Promise<{ job: Job; tasks: SegmentTask[] }> {
  const asOf = new Date(options.nowMs ?? Date.now());
  const promotions = activePromotions(await listCurrentPromotions(asOf), asOf);
  const job: Job = {
    id: randomId('job'),
    object: 'job',
    type: 'limit_refresh',
    status: 'running',
    dryRun: options.dryRun,
    asOf: asOf.toISOString(),
    refreshKey: refreshKeyOf(asOf, promotions),
    segmentsTotal: ACCOUNT_BUCKETS,
    segmentsDone: 0,
    ...emptyProgress(),
    createdAt: new Date().toISOString(),
  };
  await createJob(job);
  return { job, tasks: Array.from({ length: ACCOUNT_BUCKETS }, (_, segment) => ({ jobId: job.id, segment })) };
}

/**
 * A run is keyed by its day, the policy version and the promotions in force: running it again the same day
 * with the same inputs writes nothing twice, while a promotion that starts or ends makes a new key.
 */
export function refreshKeyOf(asOf: Date, promotions: readonly Promotion[]): string {
  const ids = promotions.map((p) => p.id).sort().join(',');
  const digest = createHash('sha256').update(`${POLICY_VERSION}|${ids}`).digest('base64url').slice(0, 12);
  return `${asOf.toISOString().slice(0, 10)}:${digest}`;
}

/**
 * Processes one segment until done or out of budget; returns the continuation, if any. A delivery that finds
 * its page already counted (the same segment delivered twice, or a worker that died before enqueueing its
 * continuation) carries on from the segment's cursor, or stops if the segment is done.
 */
export async function runSegment(task: SegmentTask, budgetMs: number, pageAccounts = PAGE_ACCOUNTS): Promise<SegmentTask | undefined> {
  const started = Date.now();
  const job = await getJob(task.jobId);
  if (!job || job.status !== 'running') return undefined;
  const asOf = new Date(job.asOf);
  const promotions = activePromotions(await listCurrentPromotions(asOf), asOf);
  let afterId = task.afterId;
  for (;;) {
    const page = await listAccountIds(task.segment, pageAccounts, afterId);
    const progress = await refreshAccounts(page.ids, promotions, asOf, job);
    if (await addPageProgress(job.id, { segment: task.segment, from: afterId, to: page.lastId }, progress)) {
      if (page.lastId === null) return undefined;
      afterId = page.lastId;
    } else {
      const cursor = await getSegmentCursor(job.id, task.segment);
      if (!cursor) throw new Error(`invariant: segment ${task.segment} of ${job.id} refused a page but has no cursor`);
      if (cursor.done) {
        await closeRunIfComplete(job.id);
        return undefined;
      }
      logger.warn('limit refresh segment delivered twice: continuing from its cursor', { jobId: job.id, segment: task.segment });
      afterId = cursor.afterId ?? undefined;
    }
    if (Date.now() - started > budgetMs) return { ...task, ...(afterId === undefined ? {} : { afterId }) };
  }
}

async function refreshAccounts(ids: string[], promotions: Promotion[], asOf: Date, job: Job): Promise<Progress> {
  const progress = emptyProgress();
  const loaded = await loadAccounts(ids);
  progress.processed = loaded.length;
  const assessOne = (item: LoadedAccount): Assessment => ({ ...assess(item, promotions, asOf), runKey: accountRunKey(job.refreshKey, item) });
  const toWrite: Assessment[] = [];
  for (const item of loaded) {
    if (item.lastRefreshKey === accountRunKey(job.refreshKey, item)) {
      tally(progress.summary, 0); // this run already wrote it: it stands where the run put it
      continue;
    }
    const assessment = assessOne(item);
    tally(progress.summary, assessment.after.totalLimit - assessment.before.totalLimit);
    if (!job.dryRun && assessment.changed) toWrite.push(assessment);
  }
  const batches: Assessment[][] = [];
  for (let i = 0; i < toWrite.length; i += MAX_ACCOUNTS_PER_WRITE) batches.push(toWrite.slice(i, i + MAX_ACCOUNTS_PER_WRITE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      try {
        const outcomes = await writeAssessments(batch);
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome === 'written') progress.changed += 1;
          else if (outcome === 'stale' && (await rewriteStale(batch[i]!.accountId, assessOne, job))) progress.changed += 1;
        }
      } catch (error) {
        progress.failed += batch.length;
        logger.error('limit refresh failed for a batch of accounts', { accountIds: batch.map((a) => a.accountId), error });
      }
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
  return progress;
}

/** An account whose limits moved under us (a limit request raced the run): read, assess and write again. */
async function rewriteStale(accountId: string, assessOne: (item: LoadedAccount) => Assessment, job: Job): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt += 1) {
    const [reloaded] = await loadAccounts([accountId]);
    if (!reloaded || reloaded.lastRefreshKey === accountRunKey(job.refreshKey, reloaded)) return false;
    const assessment = assessOne(reloaded);
    if (!assessment.changed) return false;
    const outcome = await writeAssessment(assessment);
    if (outcome !== 'stale') return outcome === 'written';
  }
  return false;
}

/** Runs every segment of a run in this process (local `npm start`, `npm run refresh`, tests). */
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
  const finished = (await getJob(job.id))!;
  options.onProgress?.(finished);
  return finished;
}

export async function runTasksInProcess(tasks: SegmentTask[], parallelSegments: number): Promise<void> {
  const queue = [...tasks];
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) {
      const continuation = await runSegment(task, Number.POSITIVE_INFINITY);
      if (continuation) queue.push(continuation);
    }
  };
  await Promise.all(Array.from({ length: parallelSegments }, worker));
}
