/**
 * POST /v1/authorizations/{id}/refunds (checkout): gives captured money back; outstanding falls.
 * Answers 201 with a refund object (Stripe's shape) that embeds the updated authorization.
 */
import { decideRefund } from '../../shared/authorizations/model.js';
import { RefundBody } from '../../shared/authorizations/schemas.js';
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';
import { requestDigest } from '../../shared/ids.js';
import { refundAttachment } from '../../shared/installments/service.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations/{id}/refunds',
    scopes: ['checkout'],
    body: RefundBody,
    idempotent: true,
    access: { table: 'write' },
    docs: {
      operationId: 'refund',
      summary: 'Refund captured money',
      success: { status: 201, schema: 'Refund', description: 'The refund, with the authorization after it.' },
      errors: ['authorization_not_found', 'invalid_state', 'amount_exceeds_remaining'],
    },
  },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'refund',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) => decideRefund(authorization, body, nowMs),
        attachment: refundAttachment(),
        respond: (next) => ({
          status: 201,
          body: {
            id: `re_${requestDigest(operation.clientId, operation.idempotencyKey)}`,
            object: 'refund',
            amount: body.amount,
            currency: next.currency,
            authorizationId: next.id,
            createdAt: next.updatedAt,
            authorization: toAuthorizationResource(next),
          },
        }),
      }),
    ),
);

export const handler = route.handler;
