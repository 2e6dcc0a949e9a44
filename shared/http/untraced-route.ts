/**
 * `httpRoute` (route.ts) without the X-Ray SDK, for POST /v1/authorizations alone: the checkout's hot path, whose
 * bundle and cold start are budgeted (BENCHMARKS.md: at most 400 KiB, and a cold import at most twice an empty
 * Node process's). Powertools Tracer brings aws-xray-sdk-core: with it the authorize bundle is 500 KiB instead of
 * 379, and its cold import ratio 2.08-2.31 instead of 1.95-2.03 (three sessions of 41 fresh processes each, the
 * bundles in a random order every round, on the shared 2-core machine). Its metrics and logger context cost 13 KiB
 * and no measurable time (1.93-2.02 before them).
 *
 * The function keeps Lambda's active tracing (infra/constructs/service-function.ts): X-Ray still records each of
 * its invocations, initialization and duration, under API Gateway's trace of the request. What it lacks is the
 * subsegment of its DynamoDB call, and an authorization is one call (BENCHMARKS.md, dynamoCallsPerAuthorize), so
 * the invocation's duration is mostly that call's. Its metrics and logs are as every route's.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { type BodyOf, type HttpRequest, httpHandler, type QueryOf } from './handler.js';
import { type Route, type RouteSpec, routeOf } from './route-spec.js';

/** As `httpRoute`, without the X-Ray subsegments. */
export function untracedHttpRoute<
  S extends z.core.$ZodType | undefined = undefined,
  Q extends z.core.$ZodObject | undefined = undefined,
>(
  moduleUrl: string,
  spec: RouteSpec<S, Q>,
  fn: (request: HttpRequest<BodyOf<S>, QueryOf<Q>>) => Promise<APIGatewayProxyResult>,
): Route<S, Q> {
  return routeOf(moduleUrl, spec, httpHandler(spec, fn));
}
