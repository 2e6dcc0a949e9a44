/** POST /v1/clients (admin): a new API client; its key is shown only in this response. */
import { putClient } from '../../shared/clients/repository.js';
import { CreateClientBody } from '../../shared/clients/schemas.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { newApiKey, randomId } from '../../shared/ids.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/clients',
    scopes: ['admin'],
    body: CreateClientBody,
    access: { table: 'write' },
    docs: {
      operationId: 'createClient',
      summary: 'Create an API client',
      success: { status: 201, schema: 'Client', description: 'The client and its key (shown only here).' },
    },
  },
  async ({ body }) => {
    const client = {
      id: randomId('cli'),
      name: body.name,
      scopes: body.scopes,
      createdAt: new Date().toISOString(),
    };
    const apiKey = newApiKey();
    await putClient(client, apiKey);
    return jsonResponse(201, { ...client, object: 'client', apiKey });
  },
);

export const handler = route.handler;
