/** GET /v1/accounts/{id}/installment-plans (servicing, checkout): the account's plans, oldest first. */
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { accountPlans } from '../../shared/installments/service.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/accounts/{id}/installment-plans',
    scopes: ['servicing', 'checkout'],
    access: { table: 'read' },
    docs: {
      operationId: 'listInstallmentPlans',
      summary: "An account's installment plans",
      success: { status: 200, schema: 'InstallmentPlanList', description: 'Every plan, oldest first.' },
      errors: ['account_not_found'],
    },
  },
  async ({ params }) => {
    const plans = await accountPlans(params['id'] ?? '');
    if (!plans) throw new ApiError('account_not_found');
    return jsonResponse(200, { object: 'list', data: plans });
  },
);

export const handler = route.handler;
