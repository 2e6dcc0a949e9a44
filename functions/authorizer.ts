/**
 * API Gateway REQUEST authorizer: resolves `Authorization: Bearer <apiKey>` to a client and its scopes.
 * It always answers Allow with a context, and a failed authentication travels as `authError`: the handler
 * then answers the contract's exact 401 (`missing_api_key` vs `invalid_api_key`) before any I/O, which a
 * gateway-level Deny could not. API Gateway caches the answer per key (AUTH_CACHE_TTL_MS).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authenticate } from '../shared/clients/authenticate.js';

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const headers = event.headers ?? {};
  const header = headers['Authorization'] ?? headers['authorization'];
  const result = await authenticate(header);
  // Allow the whole stage: the cached policy is reused for every route this key calls.
  const resource = event.methodArn.split('/').slice(0, 2).join('/') + '/*';
  return {
    principalId: result.ok ? result.principal.clientId : 'anonymous',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context: result.ok
      ? { clientId: result.principal.clientId, scopes: result.principal.scopes.join(',') }
      : { authError: result.code },
  };
}
