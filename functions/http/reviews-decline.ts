/** POST /v1/reviews/{authorizationId}/decline (risk): the hold is declined (`risk_declined`) and its credit returned. */
import { decideReviewDecline } from '../../shared/authorizations/model.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/reviews/{authorizationId}/decline',
    scopes: ['risk'],
    access: { table: 'write' },
    docs: {
      operationId: 'declineReview',
      summary: 'Decline a pending hold (credit returned)',
      success: { status: 200, schema: 'Authorization', description: 'The declined hold.' },
      errors: ['authorization_not_found', 'invalid_state'],
    },
  },
  async ({ params, principal }) =>
    sendResult(
      await settle(
        { clientId: principal.clientId, fingerprint: '', actsForAnyClient: true },
        { kind: 'review', authorizationId: params['authorizationId'] ?? '', decide: decideReviewDecline },
      ),
    ),
);

export const handler = route.handler;
