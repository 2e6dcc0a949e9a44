/**
 * Scheduled (EventBridge, every minute): expires holds past expiresAt and returns their credit. The sweep
 * stops before the function's timeout; what it did not reach, the next minute's run continues.
 */
import type { Context } from 'aws-lambda';
import { sweepExpiredHolds, type SweepResult } from '../../shared/authorizations/expiry.js';
import { logger } from '../../shared/observability/logger.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Leave this much of the invocation for the last transactions in flight and the log line. */
const SAFETY_MARGIN_MS = 5_000;

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
export const handler = withInvocationDeadline(async (_event: unknown, context: Context): Promise<SweepResult> => {
  const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
  const result = await sweepExpiredHolds({ budgetMs });
  logger.info('expiry sweep', { ...result });
  return result;
});
