/** GET /v1/authorizations/{id}: a client sees its own authorizations; another client's is a 404. */
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { getAuthorization } from '../../shared/authorizations/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/authorizations/{id}',
    scopes: ['checkout', 'risk'],
    access: { table: 'read' },
    docs: {
      operationId: 'getAuthorization',
      summary: 'Read an authorization',
      notes: "A checkout client reads only its own; another client's authorization is a 404.",
      success: { status: 200, schema: 'Authorization', description: 'The authorization.' },
      errors: ['authorization_not_found'],
    },
  },
  async ({ params, principal }) => {
    const authorization = await getAuthorization(params['id'] ?? '');
    const mayRead =
      principal.scopes.includes('admin') ||
      principal.scopes.includes('risk') ||
      authorization?.clientId === principal.clientId;
    if (!authorization || !mayRead) throw new ApiError('authorization_not_found');
    return jsonResponse(200, toAuthorizationResource(authorization));
  },
);

export const handler = route.handler;
