/** GET /v1/budgets/{id} (admin, risk): the budget with drawn and remaining summed over its slices, exactly. */
import { toBudgetResource } from '../../shared/budgets/model.js';
import { readBudget } from '../../shared/budgets/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/budgets/{id}',
    scopes: ['admin', 'risk'],
    access: { table: 'read' },
    docs: {
      operationId: 'getBudget',
      summary: 'Read a platform credit budget',
      success: { status: 200, schema: 'Budget', description: 'The budget; drawn + remaining = amount.' },
      errors: ['budget_not_found'],
    },
  },
  async ({ params }) => {
    const state = await readBudget(params['id'] ?? '');
    if (!state) throw new ApiError('budget_not_found');
    return jsonResponse(200, toBudgetResource(state.budget, state.drawn, new Date().toISOString()));
  },
);

export const handler = route.handler;
