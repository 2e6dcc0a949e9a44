/**
 * POST /v1/clients/{id}/rotate (admin) `{overlapSeconds?}`: a new key for the client; the keys it had keep
 * working for the overlap (default an hour, at most 7 days), then stop.
 */
import { MAX_KEYS_PER_CLIENT } from '../../shared/clients/keys.js';
import { RotateClientBody } from '../../shared/clients/schemas.js';
import { rotate } from '../../shared/clients/service.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/clients/{id}/rotate',
    scopes: ['admin'],
    body: RotateClientBody,
    access: { table: 'write' },
    docs: {
      operationId: 'rotateClient',
      summary: "Rotate an API client's key",
      notes:
        'The new key works at once. Every key the client had stops at `previousKeyExpiresAt` (now + ' +
        '`overlapSeconds`; a key already due to stop sooner keeps its earlier end): on the local server exactly ' +
        "then; deployed, up to 300 s later, while API Gateway's cached answer for it lasts. Not idempotent: a " +
        'repeated call makes another key (the one before it then counts as an old key), so send it once. ' +
        `A client holds at most ${MAX_KEYS_PER_CLIENT} keys that work.`,
      success: {
        status: 201,
        schema: 'RotatedClient',
        description: 'The client and its new key (shown only here).',
      },
      errors: ['client_not_found', 'client_revoked', 'too_many_api_keys'],
    },
  },
  async ({ params, body }) => {
    const result = await rotate(params['id'] ?? '', body.overlapSeconds);
    if (!result.ok) throw new ApiError(result.code);
    const { client, apiKey, previousKeyExpiresAt } = result;
    return jsonResponse(201, { ...client, object: 'client', apiKey, previousKeyExpiresAt });
  },
);

export const handler = route.handler;
