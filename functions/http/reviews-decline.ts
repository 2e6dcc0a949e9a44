/** POST /v1/reviews/{authorizationId}/decline (risk): the hold is declined (`risk_declined`) and its credit returned. */
import { decideReviewDecline } from '../../shared/authorizations/model.js';
import { settle } from '../../shared/authorizations/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler({ scopes: ['risk'] }, async ({ params, principal }) =>
  sendResult(
    await settle(
      { clientId: principal.clientId, fingerprint: '', actsForAnyClient: true },
      { kind: 'review', authorizationId: params['authorizationId'] ?? '', decide: decideReviewDecline },
    ),
  ),
);
