/** GET /v1/installment-plans/{id} (servicing, checkout): a plan with every installment's status as of today. */
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { planOn, toPlanResource } from '../../shared/installments/plan.js';
import { getPlan } from '../../shared/installments/repository.js';
import { config } from '../../shared/config.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/installment-plans/{id}',
    scopes: ['servicing', 'checkout'],
    notFound: 'installment_plan_not_found',
    access: { table: 'read' },
    docs: {
      operationId: 'getInstallmentPlan',
      summary: 'An installment plan',
      success: { status: 200, schema: 'InstallmentPlan', description: 'The plan and its schedule.' },
      errors: ['installment_plan_not_found'],
    },
  },
  async ({ params }) => {
    const plan = await getPlan(params['id'] ?? '');
    if (!plan) throw new ApiError('installment_plan_not_found');
    const today = new Date().toISOString().slice(0, 10);
    return jsonResponse(200, toPlanResource(planOn(plan, today, config.graceDays)));
  },
);

export const handler = route.handler;
