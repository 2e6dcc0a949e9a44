/**
 * DELETE /v1/clients/{id} (admin): revokes the client: every key it has stops working. Idempotent: revoking a
 * revoked client answers it unchanged (its first `revokedAt`).
 */
import { revoke } from '../../shared/clients/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'DELETE',
    path: '/v1/clients/{id}',
    scopes: ['admin'],
    access: { table: 'write' },
    docs: {
      operationId: 'revokeClient',
      summary: 'Revoke an API client',
      notes:
        'Every key of the client stops working: on the local server at once; deployed, within 300 s, as long as ' +
        "API Gateway keeps the authorizer's answer for a key. The client stays listed, with `revokedAt`; it " +
        'cannot be restored (create a new client).',
      success: { status: 200, schema: 'ClientSummary', description: 'The revoked client.' },
      errors: ['client_not_found'],
    },
  },
  async ({ params }) => {
    const client = await revoke(params['id'] ?? '');
    if (!client) throw new ApiError('client_not_found');
    return jsonResponse(200, { ...client, object: 'client' });
  },
);

export const handler = route.handler;
