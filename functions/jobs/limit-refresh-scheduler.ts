/** Scheduled (EventBridge, nightly): starts a limit-refresh run and enqueues its segments for the workers. */
import type { Context } from 'aws-lambda';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { startRefreshJob } from '../../shared/limits/job.js';
import { logger } from '../../shared/observability/logger.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
export const handler = withInvocationDeadline(async (_event: unknown, _context: Context): Promise<{ jobId: string; segments: number }> => {
  const { job, tasks } = await startRefreshJob({ dryRun: false });
  await dispatchSegments(tasks);
  logger.info('limit refresh started', { jobId: job.id, segments: tasks.length });
  return { jobId: job.id, segments: tasks.length };
});
