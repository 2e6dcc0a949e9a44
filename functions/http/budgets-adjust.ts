/** POST /v1/budgets/{id}/adjust (admin): raises or lowers a budget's amount while in force, never below drawn. */
import { AdjustBudgetBody, toBudgetResource } from '../../shared/budgets/model.js';
import { adjustBudget, readBudget } from '../../shared/budgets/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/budgets/{id}/adjust',
    scopes: ['admin'],
    body: AdjustBudgetBody,
    access: { table: 'write' },
    docs: {
      operationId: 'adjustBudget',
      summary: "Set a budget's amount",
      success: { status: 200, schema: 'Budget', description: 'The budget with its new amount.' },
      errors: ['budget_not_found', 'amount_below_drawn', 'budget_ended', 'currency_mismatch'],
    },
  },
  async ({ params, body }) => {
    const id = params['id'] ?? '';
    if (body.currency !== undefined) {
      const state = await readBudget(id);
      if (!state) throw new ApiError('budget_not_found');
      if (state.budget.currency !== body.currency) throw new ApiError('currency_mismatch');
    }
    const now = new Date();
    const outcome = await adjustBudget(id, body.amount, now);
    if (!outcome.ok) throw new ApiError(outcome.code);
    return jsonResponse(200, toBudgetResource(outcome.state.budget, outcome.state.drawn, now.toISOString()));
  },
);

export const handler = route.handler;
