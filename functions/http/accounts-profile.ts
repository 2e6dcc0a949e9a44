/** PUT /v1/accounts/{id}/profile (risk): the credit-assessment inputs the limit policy reads. */
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { CreditProfile } from '../../shared/profiles/model.js';
import { putProfile } from '../../shared/profiles/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'PUT',
    path: '/v1/accounts/{id}/profile',
    scopes: ['risk'],
    body: CreditProfile,
    access: { table: 'write' },
    docs: {
      operationId: 'setProfile',
      summary: 'Set the credit profile the limit policy reads',
      success: { status: 200, schema: 'CreditProfileResource', description: 'The stored profile.' },
      errors: ['account_not_found'],
    },
  },
  async ({ body, params }) => {
    const stored = await putProfile(params['id'] ?? '', body);
    if (!stored) throw new ApiError('account_not_found');
    return jsonResponse(200, {
      object: 'credit_profile',
      accountId: stored.accountId,
      ...stored.profile,
      updatedAt: stored.updatedAt,
    });
  },
);

export const handler = route.handler;
