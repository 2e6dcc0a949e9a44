/** POST /v1/authorizations/{id}/capture (checkout): full or partial; a final capture releases the rest. */
import { decideCapture } from '../../shared/authorizations/model.js';
import { CaptureBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';
import { captureAttachment } from '../../shared/installments/service.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations/{id}/capture',
    scopes: ['checkout'],
    body: CaptureBody,
    idempotent: true,
    access: { table: 'write' },
    docs: {
      operationId: 'capture',
      summary: 'Capture all or part of a hold',
      notes:
        '`amount` defaults to the held remainder; `final` (default true) releases whatever remains. With ' +
        '`installments` the captured amount becomes an installment plan (`installmentPlanId`), and its coupon ' +
        'is redeemed in the same atomic step.',
      success: { status: 200, schema: 'Authorization', description: 'The authorization after the capture.' },
      errors: [
        'authorization_not_found',
        'invalid_state',
        'authorization_expired',
        'amount_exceeds_remaining',
        'installments_not_offered',
        'installment_plan_limit_reached',
        'coupon_unavailable',
        'coupon_not_applicable',
      ],
    },
  },
  async ({ body, params, operation }) =>
    sendResult(
      await settle(operation, {
        kind: 'capture',
        authorizationId: params['id'] ?? '',
        decide: (authorization, nowMs) => decideCapture(authorization, body, nowMs),
        ...(body.installments ? { attachment: captureAttachment(body.installments) } : {}),
      }),
    ),
);

export const handler = route.handler;
