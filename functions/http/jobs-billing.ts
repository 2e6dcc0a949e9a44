/**
 * POST /v1/jobs/billing (risk): starts today's billing run (installments unpaid past their grace days become
 * overdue and reach the credit profile) and answers 202 at once; the run goes on in the background.
 */
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { billingRunId, runBilling } from '../../shared/installments/billing-run.js';
import { logger } from '../../shared/observability/logger.js';
import { withoutDeadline } from '../../shared/storage/deadline.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/jobs/billing',
    scopes: ['risk'],
    access: { table: 'write' },
    docs: {
      operationId: 'startBilling',
      summary: "Start today's billing run",
      notes: 'Idempotent per day: billing an account twice the same day changes nothing.',
      success: { status: 202, schema: 'BillingJob', description: 'The started run.' },
    },
  },
  async () => {
    const nowMs = Date.now();
    // Outside the request's deadline: the run outlives the request that started it.
    void withoutDeadline(() =>
      runBilling(nowMs).catch((error: unknown) => logger.error('billing run failed', { error })),
    );
    return jsonResponse(202, { id: billingRunId(nowMs), object: 'job', type: 'billing', status: 'running' });
  },
);

export const handler = route.handler;
