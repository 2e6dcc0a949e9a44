/**
 * SQS worker (batch size 1): bills one accounts bucket of the nightly billing run (and issues its accounts' due
 * notices), or issues one started promotion's notices over a bucket (a start run), within the invocation's time
 * budget and enqueues the rest of the bucket; a failed message is reported back (partial batch failure),
 * retried, then dead-lettered (the billing DLQ, whose depth alarms). Redelivery is safe: billing an account
 * twice the same day changes nothing.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BillingTask, billBucket, enqueueBillingTasks } from '../../shared/installments/billing-run.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Stop taking new pages this long before the timeout: a page is ~100 accounts, a few seconds at most. */
const SAFETY_MARGIN_MS = 20_000;

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
const billBuckets = withInvocationDeadline(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const task = BillingTask.parse(JSON.parse(record.body));
        const deadlineMs =
          Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
        const billed = await billBucket(task, deadlineMs);
        if (billed.continuation) await enqueueBillingTasks([billed.continuation]);
        logger.info('billing bucket billed', {
          bucket: task.bucket,
          accounts: billed.accounts,
          overdue: billed.overdue,
          notices: billed.notices,
          ...(task.promotionId === undefined ? {} : { promotionId: task.promotionId }),
          continued: billed.continuation !== undefined,
        });
      } catch (error) {
        logger.error('billing bucket failed', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
);

export const handler = observedHandler('billing-worker', billBuckets);
