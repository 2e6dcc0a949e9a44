/** PUT /v1/accounts/{id}/profile (risk): the credit-assessment inputs the limit policy reads. */
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { CreditProfile } from '../../shared/profiles/model.js';
import { putProfile } from '../../shared/profiles/repository.js';

export const handler = httpHandler({ scopes: ['risk'], body: CreditProfile }, async ({ body, params }) => {
  const stored = await putProfile(params['id'] ?? '', body);
  if (!stored) throw new ApiError('account_not_found');
  return jsonResponse(200, {
    object: 'credit_profile',
    accountId: stored.accountId,
    ...stored.profile,
    updatedAt: stored.updatedAt,
  });
});
