/** POST /v1/reviews/{authorizationId}/approve (risk): the pending hold becomes `authorized`. */
import { decideReviewApprove } from '../../shared/authorizations/model.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/reviews/{authorizationId}/approve',
    scopes: ['risk'],
    access: { table: 'write' },
    docs: {
      operationId: 'approveReview',
      summary: 'Approve a pending hold',
      success: { status: 200, schema: 'Authorization', description: 'The authorized hold.' },
      errors: ['authorization_not_found', 'invalid_state', 'authorization_expired'],
    },
  },
  async ({ params, principal }) =>
    sendResult(
      await settle(
        { clientId: principal.clientId, fingerprint: '', actsForAnyClient: true },
        { kind: 'review', authorizationId: params['authorizationId'] ?? '', decide: decideReviewApprove },
      ),
    ),
);

export const handler = route.handler;
