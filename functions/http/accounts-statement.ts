/** GET /v1/accounts/{id}/statement (servicing, checkout): the current cycle, computed from plans and purchases. */
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { accountStatement } from '../../shared/installments/service.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/accounts/{id}/statement',
    scopes: ['servicing', 'checkout'],
    access: { table: 'read' },
    docs: {
      operationId: 'getStatement',
      summary: "An account's current statement",
      notes:
        'Installments billed and unpaid (due or overdue) and one-off purchases. `minimumDue` is every ' +
        'installment billed plus 10% of one-off purchases.',
      success: { status: 200, schema: 'Statement', description: 'The current cycle.' },
      errors: ['account_not_found'],
    },
  },
  async ({ params }) => {
    const statement = await accountStatement(params['id'] ?? '');
    if (!statement) throw new ApiError('account_not_found');
    return jsonResponse(200, { object: 'statement', ...statement });
  },
);

export const handler = route.handler;
