/** POST /v1/accounts/{id}/unfreeze (risk): the account takes new authorizations again. */
import { toAccountResource } from '../../shared/accounts/model.js';
import { StatusChangeBody } from '../../shared/accounts/schemas.js';
import { setAccountStatus } from '../../shared/accounts/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['risk'], body: StatusChangeBody }, async ({ body, params }) => {
  const result = await setAccountStatus(params['id'] ?? '', 'active', body.reason);
  if (!result.ok) throw new ApiError(result.code);
  return jsonResponse(200, toAccountResource(result.account));
});
