/**
 * The client covers the API: one method per route of functions/routes.ts, named by the route's OpenAPI
 * operationId, sending an Idempotency-Key exactly where the document declares one. A route added to the
 * route list without a client method fails here.
 */
import { CheckoutClient, ENDPOINTS, type OperationId } from '../../client/index.js';
import { fillPath } from '../../client/endpoints.js';
import { ROUTES } from '../../functions/routes.js';

describe('client/endpoints.ts', () => {
  it('has exactly one endpoint per route, keyed by its operationId, with the same method and path', () => {
    const fromRoutes = ROUTES.map((route) => [
      route.docs.operationId,
      `${route.method} ${route.path}`,
    ]).sort();
    const fromClient = Object.entries(ENDPOINTS)
      .map(([operation, e]) => [operation, `${e.method} ${e.path}`])
      .sort();
    expect(fromClient).toEqual(fromRoutes);
  });

  it('sends an Idempotency-Key exactly on the routes documented with one, and always retries those', () => {
    for (const route of ROUTES) {
      const { operationId } = route.docs;
      const endpoint = ENDPOINTS[operationId as OperationId];
      expect([operationId, endpoint.idempotencyKey]).toEqual([operationId, Boolean(route.idempotent)]);
      // A keyed call is safe to repeat; reads are too.
      if (endpoint.idempotencyKey || endpoint.method === 'GET')
        expect([operationId, endpoint.retry]).toEqual([operationId, 'always']);
    }
  });

  it('has a CheckoutClient method for every endpoint', () => {
    const methods = Object.keys(ENDPOINTS).filter(
      (op) => typeof (CheckoutClient.prototype as unknown as Record<string, unknown>)[op] !== 'function',
    );
    expect(methods).toEqual([]);
  });

  it('fills path parameters URL-encoded and refuses empty ones', () => {
    expect(fillPath('/v1/reviews/{authorizationId}/approve', { authorizationId: 'auth_1' })).toBe(
      '/v1/reviews/auth_1/approve',
    );
    expect(fillPath('/v1/accounts/{id}', { id: 'a/b?c' })).toBe('/v1/accounts/a%2Fb%3Fc');
    expect(() => fillPath('/v1/accounts/{id}', { id: '' })).toThrow('id must be a non-empty string');
    expect(() => fillPath('/v1/accounts/{id}', {})).toThrow('id must be a non-empty string');
  });
});
