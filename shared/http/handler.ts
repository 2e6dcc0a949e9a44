/**
 * Builds a Lambda handler from its middy chain, its zod schema and one function: a handler file reads as
 * "who may call it, what it accepts, what it does". Every handler runs within its invocation's deadline
 * (storage/deadline.ts): its DynamoDB calls are cut in time to answer `503 unavailable` before Lambda's timeout.
 * Every log line carries the invocation's Lambda context, and the invocation's metrics are published when it ends.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { safeParse } from '../zod.js';
import type { Principal, Scope } from '../clients/model.js';
import { requestFingerprint } from '../ids.js';
import { ApiError, type ErrorCode } from './errors.js';
import {
  type Event,
  contractErrors,
  jsonBody,
  jsonResponse,
  requireIdempotencyKey,
  requireScope,
  validPathParameters,
} from './middleware.js';
import type { RequestContext, ServiceResult } from '../contract/results.js';
import { metrics } from '../observability/emf.js';
import { logger } from '../observability/logger.js';
import { RESPONSE_MARGIN_MS, withInvocationDeadline } from '../storage/deadline.js';
import { present } from '../assert.js';

/**
 * middy's own early timeout, for anything that is not a DynamoDB call (those end RESPONSE_MARGIN_MS before
 * the timeout): it answers 503 half-way into that margin, still in time for Lambda.
 */
const HANDLER_BACKSTOP_MS = RESPONSE_MARGIN_MS / 2;

export interface HttpRequest<Body, Query = Record<string, never>> {
  body: Body;
  principal: Principal;
  params: Record<string, string>;
  query: Query;
  /** Present on idempotent routes. */
  idempotencyKey: string;
  requestId: string;
  /** Fingerprint of method + path + canonical parsed body, for idempotency. */
  fingerprint: string;
  /** Who asks and under which key: what the idempotent write paths need. */
  operation: RequestContext & { idempotencyKey: string };
}

export interface RouteOptions<S extends z.core.$ZodType | undefined, Q extends z.core.$ZodType | undefined> {
  scopes: readonly Scope[];
  body?: S;
  query?: Q;
  idempotent?: boolean;
  /**
   * The 404 of a path parameter that cannot be an id. By default the one the route path names
   * (`/v1/jobs/{id}` -> `job_not_found`), else 400 `validation_failed` with the parameter as `param`.
   */
  notFound?: ErrorCode;
}

export type BodyOf<S> = S extends z.core.$ZodType ? z.output<S> : undefined;
export type QueryOf<Q> = Q extends z.core.$ZodType ? z.output<Q> : Record<string, never>;

/** Turns zod's first issue into the contract's 400: `unknown_field` or `validation_failed` with `param`. */
export function validationError(error: z.core.$ZodError): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError('validation_failed');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const param = [...path, issue.keys[0] ?? ''].join('.');
    return new ApiError('unknown_field', `Unknown field: ${param}.`, param);
  }
  const param = path.join('.') || undefined;
  return new ApiError('validation_failed', param ? `${param}: ${issue.message}` : issue.message, param);
}

export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown): z.output<S> {
  const result = safeParse(schema, value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

export function httpHandler<
  S extends z.core.$ZodType | undefined = undefined,
  Q extends z.core.$ZodType | undefined = undefined,
>(
  options: RouteOptions<S, Q>,
  fn: (request: HttpRequest<BodyOf<S>, QueryOf<Q>>) => Promise<APIGatewayProxyResult>,
  /** Around the contract's answers, so they see them (the X-Ray subsegment: shared/http/route.ts). */
  outer: readonly MiddlewareObj<Event, APIGatewayProxyResult>[] = [],
) {
  const chain = middy<Event, APIGatewayProxyResult>({ timeoutEarlyInMillis: HANDLER_BACKSTOP_MS })
    // First: every line the invocation logs carries its function, request id and cold start.
    .use(injectLambdaContext(logger))
    // Published after everything else, answered or thrown.
    .use(logMetrics(metrics));
  for (const middleware of outer) chain.use(middleware);
  chain
    .use(contractErrors())
    .use(httpHeaderNormalizer())
    .use(requireScope(options.scopes))
    // Before the body and any storage: an id that cannot exist never reaches DynamoDB.
    .use(validPathParameters(options.notFound));
  if (options.idempotent) chain.use(requireIdempotencyKey());
  if (options.body) chain.use(jsonBody());
  const handler = chain.handler(async (event) => {
    const body = (options.body ? parseWith(options.body, event.ctx.body) : undefined) as BodyOf<S>;
    const query = (
      options.query ? parseWith(options.query, event.queryStringParameters ?? {}) : {}
    ) as QueryOf<Q>;
    const principal = present(event.ctx.principal, 'the principal requireScope set');
    const idempotencyKey = event.ctx.idempotencyKey ?? '';
    const fingerprint = options.idempotent ? requestFingerprint(event.httpMethod, event.path, body) : '';
    return fn({
      body,
      principal,
      params: (event.pathParameters ?? {}) as Record<string, string>,
      query,
      idempotencyKey,
      requestId: event.ctx.requestId,
      fingerprint,
      operation: {
        clientId: principal.clientId,
        idempotencyKey,
        fingerprint,
        actsForAnyClient: principal.scopes.includes('admin'),
      },
    });
  });
  return withInvocationDeadline(
    handler as unknown as (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
  );
}

/** Sends a service result: the stored response (marked when replayed) or the contract error for its code. */
export function sendResult(result: ServiceResult): APIGatewayProxyResult {
  if (result.kind === 'error') throw new ApiError(result.code);
  return jsonResponse(
    result.response.status,
    result.response.body,
    result.replayed ? { 'idempotent-replayed': 'true' } : {},
  );
}
