/**
 * The OpenAPI document: valid OpenAPI 3.1, and every route the service serves is documented (a route added
 * without documentation fails here).
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '../../functions/routes.js';
import { buildOpenApiDocument, documentedRoutes } from '../../shared/openapi/document.js';

const doc = buildOpenApiDocument() as any;

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the service serves', () => {
    expect(documentedRoutes().sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of ROUTES) expect(doc.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
  });

  it('declares the Idempotency-Key header on every money-moving POST', () => {
    const moneyMoving = ['/v1/authorizations', '/v1/authorizations/{id}/capture', '/v1/authorizations/{id}/release',
      '/v1/authorizations/{id}/increment', '/v1/authorizations/{id}/refunds', '/v1/accounts/{id}/repayments'];
    for (const path of moneyMoving) {
      const names = (doc.paths[path].post.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name);
      expect(names).toContain('Idempotency-Key');
    }
  });

  it('gives every operation bearer security and contract-shaped error responses', () => {
    for (const methods of Object.values(doc.paths) as any[]) {
      for (const op of Object.values(methods) as any[]) {
        expect(op.security).toEqual([{ apiKey: [] }]);
        for (const status of ['400', '401', '403', '500']) {
          expect(JSON.stringify(op.responses[status])).toMatch(/#\/components\/schemas\/Error/);
        }
      }
    }
  });

  it('describes request bodies with the handlers\' own schemas (unknown fields are rejected)', () => {
    const body = doc.paths['/v1/authorizations'].post.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['accountId', 'amount', 'currency', 'orderId']));
  });
});
