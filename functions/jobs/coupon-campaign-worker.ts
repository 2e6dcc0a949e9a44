/**
 * SQS worker (batch size 1): runs one chunk of a coupon campaign (an accounts bucket) within the invocation's
 * time budget and enqueues the rest of the bucket; a failed message is reported back (partial batch failure),
 * retried, then dead-lettered (the campaign DLQ, whose depth alarms). Redelivery is safe: a coupon is put only
 * if new, and a page is counted in the job's progress once (shared/coupons/campaign.ts).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CampaignTask, enqueueCampaignTasks, runCampaignTask } from '../../shared/coupons/campaign.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Stop taking new pages this long before the timeout: a page is ~100 accounts, a few seconds at most. */
const SAFETY_MARGIN_MS = 20_000;

const runChunks = withInvocationDeadline(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const task = CampaignTask.parse(JSON.parse(record.body));
        const deadlineMs =
          Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
        const outcome = await runCampaignTask(task, deadlineMs);
        if (outcome.continuation) await enqueueCampaignTasks([outcome.continuation]);
        logger.info('coupon campaign chunk done', { ...task, ...outcome, continued: !!outcome.continuation });
      } catch (error) {
        logger.error('coupon campaign chunk failed', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
);

export const handler = observedHandler('coupon-campaign-worker', runChunks);
