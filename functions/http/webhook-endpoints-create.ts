/** POST /v1/webhook-endpoints (admin): a new endpoint; its signing secret is shown only in this response. */
import {
  CreateWebhookEndpointBody,
  createWebhookEndpoint,
  toWebhookEndpointResource,
} from '../../shared/events/webhooks.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/webhook-endpoints',
    scopes: ['admin'],
    body: CreateWebhookEndpointBody,
    access: { table: 'write' },
    docs: {
      operationId: 'createWebhookEndpoint',
      summary: 'Create a webhook endpoint',
      notes:
        'Deliveries follow Standard Webhooks: `POST url` with the event as body and `webhook-id`, `webhook-timestamp` ' +
        'and `webhook-signature` headers; at least once, retried with exponential backoff, in order per account. ' +
        'The URL must be https (the local server also accepts http://127.0.0.1). An endpoint that fails every ' +
        'delivery for three days is disabled.',
      success: {
        status: 201,
        schema: 'CreatedWebhookEndpoint',
        description: 'The endpoint and its signing secret (shown only here).',
      },
    },
  },
  async ({ body }) => {
    const endpoint = await createWebhookEndpoint(body);
    return jsonResponse(201, { ...toWebhookEndpointResource(endpoint), secret: endpoint.secret });
  },
);

export const handler = route.handler;
