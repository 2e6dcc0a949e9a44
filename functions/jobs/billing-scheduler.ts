/**
 * Scheduled (EventBridge, nightly, an hour before the limit refresh so the refresh reads the night's overdue):
 * enqueues the billing run's buckets, one SQS message each (shared/installments/billing-run.ts). Retries
 * (EventBridge's and Lambda's) are safe: billing an account twice the same day changes nothing, and a retry
 * after the run's buckets were all enqueued enqueues nothing again (a marker per day). The run's "as of"
 * instant is the event's scheduled time (now, for an invocation by hand).
 *
 * A second rule invokes it every minute with `{"promotionStarts": true}`: then it dispatches a run for each
 * promotion that has started since (billing-run.ts `dispatchPromotionStarts`), on the same queue and workers.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import {
  billingDispatched,
  dispatchPromotionStarts,
  promotionStartRunId,
  billingRunId,
  billingTasks,
  enqueueBillingTasks,
  markBillingDispatched,
} from '../../shared/installments/billing-run.js';
import { ScheduledEventSchema } from '../../shared/limits/schemas.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';
import { ACCOUNT_BUCKETS } from '../../shared/storage/table.js';

/** The every-minute rule's constant input. */
export const PromotionStartsEvent = z.object({ promotionStarts: z.literal(true) });

export interface BillingSchedulerResult {
  runId: string;
  buckets: number;
}

/** Within the invocation's deadline (storage/deadline.ts): a stuck call cannot outlive the function. */
const start = withInvocationDeadline(
  async (event: unknown, _context: Context): Promise<BillingSchedulerResult> => {
    if (PromotionStartsEvent.safeParse(event).success) {
      const dispatched = await dispatchPromotionStarts(Date.now(), enqueueBillingTasks);
      return {
        runId: dispatched.map(promotionStartRunId).join(','),
        buckets: dispatched.length * ACCOUNT_BUCKETS,
      };
    }
    const scheduled = ScheduledEventSchema.safeParse(event);
    const nowMs = scheduled.success ? Date.parse(scheduled.data.time) : Date.now();
    const runId = billingRunId(nowMs);
    if (await billingDispatched(runId)) {
      logger.info('billing run already started today: nothing to enqueue', { runId });
      return { runId, buckets: 0 };
    }
    const tasks = billingTasks(nowMs);
    await enqueueBillingTasks(tasks);
    await markBillingDispatched(runId, Date.now());
    logger.info('billing run started', { runId, buckets: tasks.length });
    return { runId, buckets: tasks.length };
  },
);

export const handler = observedHandler('billing-scheduler', start);
