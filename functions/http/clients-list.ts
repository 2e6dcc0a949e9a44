/** GET /v1/clients (admin): every API client, revoked ones included, in id order; never a key or its hash. */
import { listClients } from '../../shared/clients/repository.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/clients',
    scopes: ['admin'],
    access: { table: 'read' },
    docs: {
      operationId: 'listClients',
      summary: 'List API clients',
      notes:
        'Shows each client with `revokedAt` once it is revoked. Keys are never shown again after they are made, ' +
        'and their hashes never leave the table.',
      success: { status: 200, schema: 'ClientList', description: 'The clients, in id order.' },
    },
  },
  async () => {
    const { clients, hasMore } = await listClients();
    return jsonResponse(200, {
      object: 'list',
      data: clients.map((client) => ({ ...client, object: 'client' })),
      hasMore,
    });
  },
);

export const handler = route.handler;
