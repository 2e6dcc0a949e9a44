/** POST /v1/budgets (admin): a platform credit budget, spread over slices (shared/budgets/repository.ts). */
import { CreateBudgetBody, toBudgetResource } from '../../shared/budgets/model.js';
import { createBudget } from '../../shared/budgets/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/budgets',
    scopes: ['admin'],
    body: CreateBudgetBody,
    access: { table: 'write' },
    docs: {
      operationId: 'createBudget',
      summary: 'Create a platform credit budget',
      notes:
        'While in force, every approved hold it covers (its category, or every hold) draws from it in the same ' +
        'atomic step as the account; a hold it cannot cover is declined with budget_exhausted.',
      success: { status: 201, schema: 'Budget', description: 'The budget, nothing drawn yet.' },
      errors: ['budget_exists'],
    },
  },
  async ({ body }) => {
    const nowIso = new Date().toISOString();
    const budget = await createBudget(body, nowIso);
    if (!budget) throw new ApiError('budget_exists');
    return jsonResponse(201, toBudgetResource(budget, 0, nowIso));
  },
);

export const handler = route.handler;
