/**
 * The HTTP routes, each declared once in its handler module (shared/http/route.ts) and listed in
 * functions/http/index.ts. The local server and the CDK API are both built from this list, so what runs locally
 * is exactly what is deployed; the OpenAPI document is generated from it.
 *
 * Importing it loads every handler module (and so the service's configuration): a test that starts the local
 * service sets its environment first and imports routes after (test/support/app.ts says so when it is not).
 */
import * as http from './http/index.js';
import type { Route } from '../shared/http/route-spec.js';

/** A route of the service: its spec (method, path, scopes, schemas, access, docs), entry and handler. */
export type RouteDefinition = Route;

export const ROUTES: readonly RouteDefinition[] = Object.values(http);

/**
 * The module a route's Lambda function runs, from the repository root: the CDK entry, and the name the local
 * server gives each invocation (local/invocation.ts), so a test can hold a call against that function's role.
 */
export const routeEntry = (route: Pick<RouteDefinition, 'entry'>): string => route.entry;

/** The API key authorizer's module, from the repository root. */
export const AUTHORIZER_ENTRY = 'functions/authorizer.ts';
