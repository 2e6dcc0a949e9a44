/**
 * Where refresh segments run: in AWS each is an SQS message for a worker function (REFRESH_QUEUE_URL); locally
 * they run in this process, in the background, so the API answers 202 at once either way. Locally, a failing
 * segment is retried as SQS would redeliver it, then fails the run (shared/limits/job.runTasksInProcess).
 */
import { config } from '../config.js';
import { sendTasks } from '../jobs/queue.js';
import { failJob } from '../jobs/repository.js';
import { logger } from '../observability/logger.js';
import { withoutDeadline } from '../storage/deadline.js';
import { runTasksInProcess, type SegmentTask } from './job.js';

/** Segments run at once in one local process (2 cores: more only adds contention). */
const LOCAL_PARALLEL_SEGMENTS = 4;

export async function dispatchSegments(tasks: SegmentTask[]): Promise<void> {
  if (!config.refreshQueueUrl) {
    // Outside the deadline of the request that started it (storage/deadline.ts): the run outlives that request.
    // A segment failing for good fails the run in there; this catches what is left (failing the run threw).
    void withoutDeadline(() =>
      runTasksInProcess(tasks, LOCAL_PARALLEL_SEGMENTS).catch(async (error: unknown) => {
        logger.error('local limit refresh failed', { error });
        const jobId = tasks[0]?.jobId;
        if (jobId) await failJob(jobId, 'a segment failed: see the service log').catch(() => undefined);
      }),
    );
    return;
  }
  await sendTasks(config.refreshQueueUrl, tasks, 'refresh segments');
}
