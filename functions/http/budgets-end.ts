/**
 * POST /v1/budgets/{id}/end (admin): ends a budget now (at its start if it has not started). Idempotent. Holds it
 * covered keep what they drew; their releases still give it back.
 */
import { toBudgetResource } from '../../shared/budgets/model.js';
import { endBudget } from '../../shared/budgets/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/budgets/{id}/end',
    scopes: ['admin'],
    access: { table: 'write' },
    docs: {
      operationId: 'endBudget',
      summary: 'End a budget now',
      success: { status: 200, schema: 'Budget', description: 'The ended budget.' },
      errors: ['budget_not_found'],
    },
  },
  async ({ params }) => {
    const now = new Date();
    const state = await endBudget(params['id'] ?? '', now);
    if (!state) throw new ApiError('budget_not_found');
    return jsonResponse(200, toBudgetResource(state.budget, state.drawn, now.toISOString()));
  },
);

export const handler = route.handler;
