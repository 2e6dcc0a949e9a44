/**
 * Scheduled (EventBridge, every minute): expires holds past expiresAt and returns their credit. The sweep
 * stops before the function's timeout; what it did not reach, the next minute's run continues. Each run emits
 * ExpiredHolds and ExpiryFailures (EMF): a hold that keeps failing shows, and alarms, as failures every minute.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { sweepExpiredHolds, type SweepResult } from '../../shared/authorizations/expiry.js';
import { metrics } from '../../shared/observability/emf.js';
import { logger } from '../../shared/observability/logger.js';
import { EXPIRED_HOLDS_METRIC, EXPIRY_FAILURES_METRIC } from '../../shared/observability/metrics.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Leave this much of the invocation for the last transactions in flight and the log line. */
const SAFETY_MARGIN_MS = 5_000;

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
const sweepDueHolds = withInvocationDeadline(
  async (_event: unknown, context: Context): Promise<SweepResult> => {
    const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
    const result = await sweepExpiredHolds({ budgetMs });
    metrics.addMetric(EXPIRED_HOLDS_METRIC, MetricUnit.Count, result.expired);
    metrics.addMetric(EXPIRY_FAILURES_METRIC, MetricUnit.Count, result.failed + result.failedShards);
    logger.info('expiry sweep', { ...result });
    return result;
  },
);

/** Its metrics are published as the invocation ends (observedHandler). */
export const handler = observedHandler('expiry-sweeper', sweepDueHolds);
