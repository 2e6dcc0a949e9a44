/** POST /v1/authorizations/{id}/increment (checkout): raises a live hold under the same rules as a reserve. */
import { decideIncrement } from '../../shared/authorizations/model.js';
import { IncrementBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { config } from '../../shared/config.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler(
  { scopes: ['checkout'], body: IncrementBody, idempotent: true },
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
