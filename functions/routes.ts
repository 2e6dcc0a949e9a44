/**
 * The HTTP routes: one Lambda handler module per route. The local server and the CDK API are both built from
 * this list, so what runs locally is exactly what is deployed.
 */
export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path, with {param} placeholders. */
  path: string;
  /** Module under functions/http/ exporting `handler`. */
  handler: string;
  /** Served without an API key (documentation only). */
  public?: boolean;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/v1/clients', handler: 'clients-create' },
  { method: 'POST', path: '/v1/accounts', handler: 'accounts-create' },
  { method: 'GET', path: '/v1/accounts/{id}', handler: 'accounts-get' },
  { method: 'POST', path: '/v1/authorizations', handler: 'authorizations-create' },
  { method: 'GET', path: '/v1/authorizations/{id}', handler: 'authorizations-get' },
  { method: 'POST', path: '/v1/authorizations/{id}/capture', handler: 'authorizations-capture' },
  { method: 'POST', path: '/v1/authorizations/{id}/release', handler: 'authorizations-release' },
  { method: 'POST', path: '/v1/authorizations/{id}/increment', handler: 'authorizations-increment' },
  { method: 'POST', path: '/v1/authorizations/{id}/refunds', handler: 'authorizations-refund' },
  { method: 'POST', path: '/v1/accounts/{id}/repayments', handler: 'accounts-repay' },
  { method: 'POST', path: '/v1/accounts/{id}/freeze', handler: 'accounts-freeze' },
  { method: 'POST', path: '/v1/accounts/{id}/unfreeze', handler: 'accounts-unfreeze' },
  { method: 'GET', path: '/v1/accounts/{id}/journal', handler: 'accounts-journal' },
  { method: 'GET', path: '/v1/reviews', handler: 'reviews-list' },
  { method: 'POST', path: '/v1/reviews/{authorizationId}/approve', handler: 'reviews-approve' },
  { method: 'POST', path: '/v1/reviews/{authorizationId}/decline', handler: 'reviews-decline' },
  { method: 'PUT', path: '/v1/accounts/{id}/profile', handler: 'accounts-profile' },
  { method: 'POST', path: '/v1/accounts/{id}/limit-requests', handler: 'accounts-limit-request' },
  { method: 'POST', path: '/v1/jobs/limit-refresh', handler: 'jobs-limit-refresh' },
  { method: 'GET', path: '/v1/jobs/{id}', handler: 'jobs-get' },
  { method: 'POST', path: '/v1/promotions', handler: 'promotions-create' },
  { method: 'GET', path: '/v1/promotions', handler: 'promotions-list' },
  { method: 'POST', path: '/v1/promotions/{id}/end', handler: 'promotions-end' },
];

/**
 * The module a route's Lambda function runs, from the repository root: the CDK entry, and the name the local
 * server gives each invocation (local/invocation.ts), so a test can hold a call against that function's role.
 */
export const routeEntry = (route: Pick<RouteDefinition, 'handler'>): string =>
  `functions/http/${route.handler}.ts`;

/** The API key authorizer's module, from the repository root. */
export const AUTHORIZER_ENTRY = 'functions/authorizer.ts';
