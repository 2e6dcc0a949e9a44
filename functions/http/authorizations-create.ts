/** POST /v1/authorizations (checkout): reserve credit for an order, in one DynamoDB round trip. */
import { CreateAuthorizationBody } from '../../shared/authorizations/schemas.js';
import { authorize } from '../../shared/authorizations/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler(
  { scopes: ['checkout'], body: CreateAuthorizationBody, idempotent: true },
  async ({ body, operation }) => sendResult(await authorize(operation, body)),
);
