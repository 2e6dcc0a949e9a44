/** POST /v1/clients (admin): a new API client; its key is shown only in this response. */
import { putClient } from '../../shared/clients/repository.js';
import { CreateClientBody } from '../../shared/clients/schemas.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { newApiKey, randomId } from '../../shared/ids.js';

export const handler = httpHandler({ scopes: ['admin'], body: CreateClientBody }, async ({ body }) => {
  const client = {
    id: randomId('cli'),
    name: body.name,
    scopes: body.scopes,
    createdAt: new Date().toISOString(),
  };
  const apiKey = newApiKey();
  await putClient(client, apiKey);
  return jsonResponse(201, { ...client, object: 'client', apiKey });
});
