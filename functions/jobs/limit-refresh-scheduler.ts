/** Scheduled (EventBridge, nightly): starts a limit-refresh run and enqueues its segments for the workers. */
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { startRefreshJob } from '../../shared/limits/job.js';
import { logger } from '../../shared/observability/logger.js';

export async function handler(): Promise<{ jobId: string; segments: number }> {
  const { job, tasks } = await startRefreshJob({ dryRun: false });
  await dispatchSegments(tasks);
  logger.info('limit refresh started', { jobId: job.id, segments: tasks.length });
  return { jobId: job.id, segments: tasks.length };
}
