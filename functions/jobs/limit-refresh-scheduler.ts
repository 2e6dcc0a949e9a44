/**
 * Scheduled (EventBridge, nightly): starts the limit-refresh run of this schedule slot and enqueues its segments.
 * Idempotent: EventBridge retries a failed invocation (the Jobs construct's retryAttempts) and Lambda retries
 * asynchronous invocations, each with the same event; the run's job id is the event's scheduled time, so a retry
 * finds the run the first invocation started and enqueues nothing once its segments were all enqueued. An
 * invocation without a schedule time (by hand) starts a run of its own.
 *
 * While the risk settings' `refreshPaused` is set, a scheduled invocation starts nothing (logged): the risk team
 * pauses the nightly run during a sale without touching the schedule. A run started by hand is a person's
 * explicit decision and runs anyway.
 */
import type { Context } from 'aws-lambda';
import { markJobDispatched } from '../../shared/jobs/repository.js';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { startRefreshJob, startScheduledRefreshJob } from '../../shared/limits/job.js';
import { ScheduledEventSchema } from '../../shared/limits/schemas.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { scheduledRefreshPaused } from '../../shared/settings/source.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

export type SchedulerResult = { jobId: string; segments: number } | { skipped: 'refresh_paused' };

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
const start = withInvocationDeadline(async (event: unknown, _context: Context): Promise<SchedulerResult> => {
  const scheduled = ScheduledEventSchema.safeParse(event);
  if (scheduled.success && (await scheduledRefreshPaused())) return { skipped: 'refresh_paused' };
  const { job, tasks, dispatched } = scheduled.success
    ? await startScheduledRefreshJob(new Date(scheduled.data.time))
    : { ...(await startRefreshJob({ dryRun: false })), dispatched: false };
  if (dispatched) {
    logger.info('limit refresh already started for this schedule slot: nothing to enqueue', {
      jobId: job.id,
    });
    return { jobId: job.id, segments: 0 };
  }
  await dispatchSegments(tasks);
  await markJobDispatched(job.id);
  logger.info('limit refresh started', { jobId: job.id, segments: tasks.length });
  return { jobId: job.id, segments: tasks.length };
});

export const handler = observedHandler('limit-refresh-scheduler', start);
