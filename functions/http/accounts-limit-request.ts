/** POST /v1/accounts/{id}/limit-requests (checkout): a limit increase decided at once by the refresh policy. */
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { requestLimitIncrease } from '../../shared/limits/requests.js';
import { LimitRequestBody } from '../../shared/limits/schemas.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/accounts/{id}/limit-requests',
    scopes: ['checkout'],
    body: LimitRequestBody,
    access: { table: 'write' },
    docs: {
      operationId: 'requestLimitIncrease',
      summary: 'Ask for a higher limit (decided at once)',
      notes:
        'Decided by the same policy as the scheduled refresh; one request per account per cooldown (429 otherwise, with Retry-After: the seconds until the cooldown ends).',
      success: { status: 200, schema: 'LimitRequestResult', description: 'The decision and its reasons.' },
      errors: ['account_not_found'],
    },
  },
  async ({ body, params }) => {
    const result = await requestLimitIncrease(params['id'] ?? '', body.requestedLimit);
    if (!result.ok)
      throw result.code === 'too_many_requests'
        ? ApiError.retryAfter(result.code, result.retryAfterSeconds)
        : new ApiError(result.code);
    return jsonResponse(200, {
      object: 'limit_request',
      decision: result.decision,
      creditLimit: result.creditLimit,
      reasons: result.reasons,
    });
  },
);

export const handler = route.handler;
