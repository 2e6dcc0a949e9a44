/** POST /v1/authorizations/{id}/release (checkout): returns all (default) or part of the held remainder. */
import { decideRelease } from '../../shared/authorizations/model.js';
import { ReleaseBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler(
  { scopes: ['checkout'], body: ReleaseBody, idempotent: true },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'release',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) => decideRelease(authorization, body, nowMs),
      }),
    ),
);
