/** GET /v1/accounts/{id}: limits and balances. */
import { toAccountResource } from '../../shared/accounts/model.js';
import { getAccount } from '../../shared/accounts/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/accounts/{id}',
    scopes: ['checkout', 'servicing', 'risk'],
    access: { table: 'read' },
    docs: {
      operationId: 'getAccount',
      summary: 'Read an account',
      success: { status: 200, schema: 'Account', description: 'The account.' },
      errors: ['account_not_found'],
    },
  },
  async ({ params }) => {
    const account = await getAccount(params['id'] ?? '');
    if (!account) throw new ApiError('account_not_found');
    return jsonResponse(200, toAccountResource(account));
  },
);

export const handler = route.handler;
