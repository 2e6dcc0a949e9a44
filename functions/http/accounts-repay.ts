/** POST /v1/accounts/{id}/repayments (servicing): lowers outstanding; more than outstanding is a 409. */
import { RepaymentBody } from '../../shared/accounts/schemas.js';
import { repay } from '../../shared/accounts/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler(
  { scopes: ['servicing'], body: RepaymentBody, idempotent: true },
  async ({ body, params, operation }) => sendResult(await repay(operation, params['id'] ?? '', body)),
);
