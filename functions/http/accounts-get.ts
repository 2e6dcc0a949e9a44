/** GET /v1/accounts/{id}: limits and balances. */
import { toAccountResource } from '../../shared/accounts/model.js';
import { getAccount } from '../../shared/accounts/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['checkout', 'servicing', 'risk'] }, async ({ params }) => {
  const account = await getAccount(params['id'] ?? '');
  if (!account) throw new ApiError('account_not_found');
  return jsonResponse(200, toAccountResource(account));
});
