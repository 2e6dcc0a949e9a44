/** POST /v1/authorizations/{id}/capture (checkout): full or partial; a final capture releases the rest. */
import { decideCapture } from '../../shared/authorizations/model.js';
import { CaptureBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler(
  { scopes: ['checkout'], body: CaptureBody, idempotent: true },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'capture',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) => decideCapture(authorization, body, nowMs),
      }),
    ),
);
