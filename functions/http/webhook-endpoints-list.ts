/** GET /v1/webhook-endpoints (admin): every endpoint, disabled ones with why; never a secret. */
import { listWebhookEndpoints, toWebhookEndpointResource } from '../../shared/events/webhooks.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/webhook-endpoints',
    scopes: ['admin'],
    access: { table: 'read' },
    docs: {
      operationId: 'listWebhookEndpoints',
      summary: 'List webhook endpoints',
      success: { status: 200, schema: 'WebhookEndpointList', description: 'The endpoints, in id order.' },
    },
  },
  async () => {
    const endpoints = await listWebhookEndpoints();
    return jsonResponse(200, { object: 'list', data: endpoints.map(toWebhookEndpointResource) });
  },
);

export const handler = route.handler;
