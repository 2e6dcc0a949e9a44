/** DELETE /v1/webhook-endpoints/{id} (admin): stops every delivery to the endpoint and forgets it. */
import {
  deleteWebhookEndpoint,
  ENDPOINTS_PARTITION,
  toWebhookEndpointResource,
} from '../../shared/events/webhooks.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'DELETE',
    path: '/v1/webhook-endpoints/{id}',
    scopes: ['admin'],
    access: { table: 'write', deletesFrom: [ENDPOINTS_PARTITION] },
    docs: {
      operationId: 'deleteWebhookEndpoint',
      summary: 'Delete a webhook endpoint',
      notes: 'Deliveries in flight may still arrive for a second or so; nothing is sent after that.',
      success: { status: 200, schema: 'WebhookEndpoint', description: 'The endpoint as it was.' },
      errors: ['webhook_endpoint_not_found'],
    },
  },
  async ({ params }) => {
    const endpoint = await deleteWebhookEndpoint(params['id'] ?? '');
    if (!endpoint) throw new ApiError('webhook_endpoint_not_found');
    return jsonResponse(200, toWebhookEndpointResource(endpoint));
  },
);

export const handler = route.handler;
