/** POST /v1/accounts/{id}/limit-requests (checkout): a limit increase decided at once by the refresh policy. */
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { requestLimitIncrease } from '../../shared/limits/requests.js';
import { LimitRequestBody } from '../../shared/limits/schemas.js';

export const handler = httpHandler(
  { scopes: ['checkout'], body: LimitRequestBody },
  async ({ body, params }) => {
    const result = await requestLimitIncrease(params['id'] ?? '', body.requestedLimit);
    if (!result.ok) throw new ApiError(result.code);
    return jsonResponse(200, {
      object: 'limit_request',
      decision: result.decision,
      creditLimit: result.creditLimit,
      reasons: result.reasons,
    });
  },
);
