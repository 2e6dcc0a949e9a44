/** POST /v1/authorizations/{id}/increment (checkout): raises a live hold under the same rules as a reserve. */
import { decideIncrement } from '../../shared/authorizations/model.js';
import { IncrementBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { config } from '../../shared/config.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';
import { DECLINE_CODES } from '../../shared/http/errors.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations/{id}/increment',
    scopes: ['checkout'],
    body: IncrementBody,
    idempotent: true,
    access: { table: 'write' },
    docs: {
      operationId: 'increment',
      summary: 'Raise a live hold',
      notes: 'Under the same rules as a new reserve.',
      success: { status: 200, schema: 'Authorization', description: 'The raised authorization.' },
      errors: ['authorization_not_found', 'invalid_state', 'authorization_expired', ...DECLINE_CODES],
      errorBodies: { 402: 'IncrementDeclined' },
    },
  },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'increment',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) =>
          decideIncrement(authorization, body, nowMs, config.reviewThresholdMinor),
      }),
    ),
);

export const handler = route.handler;
