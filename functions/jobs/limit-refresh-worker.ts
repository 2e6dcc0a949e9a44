/**
 * SQS worker (batch size 1): processes one refresh segment within the invocation's time budget and re-enqueues
 * its continuation; a failed message is reported back (partial batch failure) and retried, then dead-lettered.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { runSegment } from '../../shared/limits/job.js';
import { logger } from '../../shared/observability/logger.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';
import { ACCOUNT_BUCKETS } from '../../shared/storage/table.js';

/** A message this worker cannot read fails (and, after the queue's retries, lands in the DLQ for a person). */
const SegmentTaskSchema = z.strictObject({
  jobId: z.string().min(1).max(64),
  segment: z.number().int().min(0).max(ACCOUNT_BUCKETS - 1),
  afterId: z.string().min(1).optional(),
});

/** Stop taking new pages this long before the timeout: a page is ~100 accounts, a few seconds at most. */
const SAFETY_MARGIN_MS = 20_000;

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
export const handler = withInvocationDeadline(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const task = SegmentTaskSchema.parse(JSON.parse(record.body));
      const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
      const continuation = await runSegment(task, budgetMs);
      if (continuation) await dispatchSegments([continuation]);
    } catch (error) {
      logger.error('refresh segment failed', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
