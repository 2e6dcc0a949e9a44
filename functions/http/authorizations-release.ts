/** POST /v1/authorizations/{id}/release (checkout): returns all (default) or part of the held remainder. */
import { decideRelease } from '../../shared/authorizations/model.js';
import { ReleaseBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations/{id}/release',
    scopes: ['checkout'],
    body: ReleaseBody,
    idempotent: true,
    access: { table: 'write' },
    docs: {
      operationId: 'release',
      summary: 'Release all or part of a hold',
      success: { status: 200, schema: 'Authorization', description: 'The authorization after the release.' },
      errors: ['authorization_not_found', 'invalid_state', 'amount_exceeds_remaining'],
    },
  },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'release',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) => decideRelease(authorization, body, nowMs),
      }),
    ),
);

export const handler = route.handler;
