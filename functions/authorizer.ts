/**
 * API Gateway REQUEST authorizer: resolves `Authorization: Bearer <apiKey>` to a client and its scopes.
 * It always answers Allow with a context, and a failed authentication travels as `authError`: the handler
 * then answers the contract's exact 401 (`missing_api_key` vs `invalid_api_key`) before any I/O, which a
 * gateway-level Deny could not. API Gateway caches the answer per key (AUTH_CACHE_TTL_MS).
 *
 * When the client cannot be looked up in time (DynamoDB slow or failing; the lookup runs within the
 * invocation's deadline) it throws instead of answering: API Gateway caches no error, answers `503
 * unavailable` (its gateway responses, infra/constructs/api.ts), and the key works again once DynamoDB does.
 * An answer such as `authError: unavailable` would be cached for the key for 300 s.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { type Authentication, authenticate } from '../shared/clients/authenticate.js';
import { logger } from '../shared/observability/logger.js';
import { observedHandler } from '../shared/observability/tracing.js';
import { withInvocationDeadline } from '../shared/storage/deadline.js';

const authorize = withInvocationDeadline(
  async (event: APIGatewayRequestAuthorizerEvent, _context: Context): Promise<APIGatewayAuthorizerResult> => {
    const headers = event.headers ?? {};
    const header = headers['Authorization'] ?? headers['authorization'];
    const result = await authenticate(header).catch((error: unknown) => {
      logger.warn('authorizer: client lookup failed, answering nothing (API Gateway answers 503)', { error });
      throw error;
    });
    // Allow the whole stage: the cached policy is reused for every route this key calls.
    const resource = `${event.methodArn.split('/').slice(0, 2).join('/')}/*`;
    return {
      principalId: result.ok ? result.principal.clientId : 'anonymous',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
      },
      context: contextFor(result),
    };
  },
);

/** What the handler finds in `requestContext.authorizer` for an authentication (the answer API Gateway caches). */
export function contextFor(result: Authentication): Record<string, string> {
  return result.ok
    ? { clientId: result.principal.clientId, scopes: result.principal.scopes.join(',') }
    : { authError: result.code };
}

export const handler = observedHandler('authorizer', authorize);
