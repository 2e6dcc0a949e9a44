/**
 * Scheduled (EventBridge, every minute): expires holds past expiresAt and returns their credit. The sweep
 * stops before the function's timeout; what it did not reach, the next minute's run continues.
 */
import type { Context } from 'aws-lambda';
import { sweepExpiredHolds, type SweepResult } from '../../shared/authorizations/expiry.js';
import { logger } from '../../shared/observability/logger.js';

/** Leave this much of the invocation for the last transactions in flight and the log line. */
const SAFETY_MARGIN_MS = 5_000;

export async function handler(_event: unknown, context: Context): Promise<SweepResult> {
  const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS);
  const result = await sweepExpiredHolds({ budgetMs });
  logger.info('expiry sweep', { ...result });
  return result;
}
