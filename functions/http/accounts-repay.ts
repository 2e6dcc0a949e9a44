/** POST /v1/accounts/{id}/repayments (servicing): lowers outstanding; more than outstanding is a 409. */
import { RepaymentBody } from '../../shared/accounts/schemas.js';
import { repay } from '../../shared/accounts/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/accounts/{id}/repayments',
    scopes: ['servicing'],
    body: RepaymentBody,
    idempotent: true,
    access: { table: 'write' },
    docs: {
      operationId: 'repay',
      summary: 'Record a repayment',
      success: { status: 201, schema: 'Repayment', description: 'The repayment and the account after it.' },
      errors: ['currency_mismatch', 'account_not_found', 'amount_exceeds_remaining'],
    },
  },
  async ({ body, params, operation }) => sendResult(await repay(operation, params['id'] ?? '', body)),
);

export const handler = route.handler;
