/** POST /v1/accounts/{id}/freeze (risk): new authorizations and increments are declined `account_frozen`. */
import { toAccountResource } from '../../shared/accounts/model.js';
import { StatusChangeBody } from '../../shared/accounts/schemas.js';
import { setAccountStatus } from '../../shared/accounts/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['risk'], body: StatusChangeBody }, async ({ body, params }) => {
  const result = await setAccountStatus(params['id'] ?? '', 'frozen', body.reason);
  if (!result.ok) throw new ApiError(result.code);
  return jsonResponse(200, toAccountResource(result.account));
});
