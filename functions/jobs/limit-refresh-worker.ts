/**
 * SQS worker (batch size 1): processes one refresh segment within the invocation's time budget and re-enqueues
 * its continuation; a failed message is reported back (partial batch failure) and retried, then dead-lettered
 * (functions/jobs/limit-refresh-dead-letters.ts fails the run). A failure's error is recorded on the job first,
 * so the run's failureReason can say why even when the last delivery dies without running any code.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { recordSegmentError } from '../../shared/jobs/repository.js';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { runSegment, type SegmentTask } from '../../shared/limits/job.js';
import { SegmentTaskSchema } from '../../shared/limits/schemas.js';
import { describeError } from '../../shared/limits/segment-failures.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Stop taking new pages this long before the timeout: a page is ~100 accounts, a few seconds at most. */
const SAFETY_MARGIN_MS = 20_000;

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
const processSegments = withInvocationDeadline(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      let task: SegmentTask | undefined;
      try {
        task = SegmentTaskSchema.parse(JSON.parse(record.body));
        const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
        const continuation = await runSegment(task, budgetMs);
        if (continuation) await dispatchSegments([continuation]);
      } catch (error) {
        logger.error('refresh segment failed', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
        if (task) await recordError(task, error);
      }
    }
    return { batchItemFailures };
  },
);

/** The accounts its pages counted are published as the invocation ends (observedHandler). */
export const handler = observedHandler('limit-refresh-worker', processSegments);

/** Best effort: the message is retried either way, and the dead-letter consumer copes with no recorded error. */
async function recordError(task: SegmentTask, error: unknown): Promise<void> {
  await recordSegmentError(task.jobId, task.segment, describeError(error)).catch((recordFailure: unknown) =>
    logger.warn('could not record a refresh segment error on its job', {
      jobId: task.jobId,
      error: recordFailure,
    }),
  );
}
