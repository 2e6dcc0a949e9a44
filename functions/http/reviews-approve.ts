/** POST /v1/reviews/{authorizationId}/approve (risk): the pending hold becomes `authorized`. */
import { decideReviewApprove } from '../../shared/authorizations/model.js';
import { settle } from '../../shared/authorizations/service.js';
import { httpHandler, sendResult } from '../../shared/http/handler.js';

export const handler = httpHandler({ scopes: ['risk'] }, async ({ params, principal }) =>
  sendResult(
    await settle(
      { clientId: principal.clientId, fingerprint: '', actsForAnyClient: true },
      { kind: 'review', authorizationId: params['authorizationId'] ?? '', decide: decideReviewApprove },
    ),
  ),
);
