/** POST /v1/accounts/{id}/freeze (risk): new authorizations and increments are declined `account_frozen`. */
import { toAccountResource } from '../../shared/accounts/model.js';
import { StatusChangeBody } from '../../shared/accounts/schemas.js';
import { setAccountStatus } from '../../shared/accounts/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/accounts/{id}/freeze',
    scopes: ['risk'],
    body: StatusChangeBody,
    access: { table: 'write' },
    docs: {
      operationId: 'freeze',
      summary: 'Freeze an account',
      notes:
        'New authorizations and increments are declined account_frozen; captures and releases still work.',
      success: { status: 200, schema: 'Account', description: 'The frozen account.' },
      errors: ['account_not_found', 'invalid_state'],
    },
  },
  async ({ body, params }) => {
    const result = await setAccountStatus(params['id'] ?? '', 'frozen', body.reason);
    if (!result.ok) throw new ApiError(result.code);
    return jsonResponse(200, toAccountResource(result.account));
  },
);

export const handler = route.handler;
