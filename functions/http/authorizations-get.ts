/** GET /v1/authorizations/{id}: a client sees its own authorizations; another client's is a 404. */
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { getAuthorization } from '../../shared/authorizations/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['checkout', 'risk'] }, async ({ params, principal }) => {
  const authorization = await getAuthorization(params['id'] ?? '');
  const mayRead =
    principal.scopes.includes('admin') ||
    principal.scopes.includes('risk') ||
    authorization?.clientId === principal.clientId;
  if (!authorization || !mayRead) throw new ApiError('authorization_not_found');
  return jsonResponse(200, toAuthorizationResource(authorization));
});
