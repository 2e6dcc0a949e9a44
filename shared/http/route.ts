/**
 * Declares a route in its handler module (the spec's types: shared/http/route-spec.ts):
 *
 *   export const route = httpRoute(import.meta.url, { method, path, scopes, body, access, docs, ... }, fn);
 *   export const handler = route.handler;
 *
 * The module's own URL names the route (its function's construct id and bundling entry), so it is never restated.
 * Its invocations are traced (X-Ray, shared/observability/tracing.ts); POST /v1/authorizations alone is declared
 * with shared/http/untraced-route.ts instead.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { traceHttpHandler } from '../observability/tracing.js';
import { type BodyOf, type HttpRequest, httpHandler, type QueryOf } from './handler.js';
import { type Route, type RouteSpec, routeKey, routeOf } from './route-spec.js';

export * from './route-spec.js';

/** The route of the handler module at `moduleUrl`: its spec, name, entry and the handler built from both. */
export function httpRoute<
  S extends z.core.$ZodType | undefined = undefined,
  Q extends z.core.$ZodObject | undefined = undefined,
>(
  moduleUrl: string,
  spec: RouteSpec<S, Q>,
  fn: (request: HttpRequest<BodyOf<S>, QueryOf<Q>>) => Promise<APIGatewayProxyResult>,
): Route<S, Q> {
  return routeOf(moduleUrl, spec, httpHandler(spec, fn, [traceHttpHandler(routeKey(spec))]));
}
