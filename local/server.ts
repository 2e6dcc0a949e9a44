/**
 * The local API: a small node:http server that turns each request into the API Gateway (REST, proxy) event
 * the deployed stack would send, runs the same authorizer and the same handler modules Lambda runs, and
 * writes their answer back. Nothing here decides anything about money.
 *
 * Each function runs as Lambda runs it: with a context whose clock starts from the function's configured
 * timeout (shared/function-timeouts.ts), and ended at that timeout whatever it is still doing, answered as
 * API Gateway answers then. So a handler that would time out in AWS times out here too.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { handler as authorizer, contextFor } from '../functions/authorizer.js';
import { AUTHORIZER_ENTRY, ROUTES, routeEntry, type RouteDefinition } from '../functions/routes.js';
import { type ErrorCode, errorBody, ERROR_CATALOGUE, retryAfterSecondsOf } from '../shared/http/errors.js';
import { MAX_BODY_BYTES } from '../shared/http/middleware.js';
import { cachedAuthentication } from '../shared/clients/authenticate.js';
import { config } from '../shared/config.js';
import {
  API_TIMEOUT_SECONDS,
  AUTHORIZER_TIMEOUT_SECONDS,
  runTimeoutMs,
} from '../shared/function-timeouts.js';
import { logger } from '../shared/observability/logger.js';
import { asInvocationOf, lambdaContext } from './invocation.js';
import { present } from '../shared/assert.js';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

interface LoadedRoute {
  definition: RouteDefinition;
  pattern: RegExp;
  paramNames: string[];
  handler: LambdaHandler;
}

/** Extra routes served by the local server only as plain functions (e.g. the OpenAPI document). */
export type ExtraRoute = {
  method: string;
  path: string;
  respond: () => Promise<{ status: number; body: unknown }>;
};

function compile(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    paramNames.push(name);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), paramNames };
}

/**
 * Every route with its handler. `overrides` (by route name) replaces a route's handler with one built by the
 * same module's factory, e.g. the journal on a test's clock; nothing deployed has any.
 */
export function loadRoutes(overrides: Readonly<Record<string, LambdaHandler>> = {}): LoadedRoute[] {
  return ROUTES.map((definition) => ({
    definition,
    ...compile(definition.path),
    handler: overrides[definition.name] ?? definition.handler,
  }));
}

type Invocation<R> = { timedOut: false; value: R } | { timedOut: true };

/**
 * Runs one invocation as Lambda does: with a context whose clock is the function's timeout, and over at that
 * timeout ({ timedOut: true }; whatever the handler still does is dropped, as a frozen Lambda's would be).
 * A handler that throws in time throws here.
 */
async function invoke<R>(
  name: string,
  requestId: string,
  timeoutMs: number,
  run: (context: Context) => Promise<R>,
): Promise<Invocation<R>> {
  const running = run(lambdaContext(name, requestId, timeoutMs)).then((value) => ({
    timedOut: false as const,
    value,
  }));
  running.catch(() => undefined); // a failure after the timeout has nobody to tell
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Invocation<R>>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
  });
  try {
    const outcome = await Promise.race([running, timeout]);
    if (outcome.timedOut) logger.error('local: function timed out', { function: name, requestId, timeoutMs });
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function sendError(
  res: ServerResponse,
  code: ErrorCode,
  requestId: string,
  message?: string,
  param?: string,
): void {
  const retryAfterSeconds = retryAfterSecondsOf(code);
  send(res, ERROR_CATALOGUE[code].status, JSON.stringify(errorBody(code, message, param)), {
    'x-request-id': requestId,
    // As the stage's gateway responses answer (infra/constructs/api.ts): every 429 and 503 says when to retry.
    ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  });
}

/**
 * The route's path parameters, percent-decoded as API Gateway passes them, or the name of the first one that is
 * not valid percent-encoding (`%E0%A4%A`, a lone `%`): that is the client's mistake, a 400, not a URIError's 500.
 */
function decodePathParameters(
  paramNames: string[],
  match: RegExpExecArray,
): { parameters: Record<string, string> } | { malformed: string } {
  const parameters: Record<string, string> = {};
  for (const [i, name] of paramNames.entries()) {
    try {
      parameters[name] = decodeURIComponent(present(match[i + 1], `path parameter ${name}`));
    } catch (error) {
      if (error instanceof URIError) return { malformed: name };
      throw error;
    }
  }
  return { parameters };
}

/** Reads the body up to the contract's limit; null when it is larger (the rest is not buffered). */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function singleHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/**
 * The authorizer's context for the handler, or undefined when the authorizer threw or timed out: API Gateway
 * then answers by itself (its AUTHORIZER_* gateway responses: `503 unavailable`) and caches nothing.
 *
 * As API Gateway does, the cache is asked first and a hit invokes no authorizer: locally the authenticate module's
 * cache stands in for API Gateway's (same TTL, never past the key's expiry, emptied for a client by its revocation
 * or rotation; shared/clients/authenticate.ts).
 */
async function authorizerContext(
  headers: Record<string, string>,
  method: string,
  path: string,
  requestId: string,
): Promise<Record<string, string> | undefined> {
  const cached = cachedAuthentication(headers['authorization']);
  if (cached) return contextFor(cached);
  const event = {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local:000000000000:local/local/${method}${path}`,
    headers,
  } as Parameters<typeof authorizer>[0];
  try {
    const outcome = await asInvocationOf(AUTHORIZER_ENTRY, () =>
      invoke(
        'authorizer',
        requestId,
        runTimeoutMs(AUTHORIZER_TIMEOUT_SECONDS, config.localTimeScale),
        (context) => authorizer(event, context),
      ),
    );
    if (outcome.timedOut) return undefined;
    return Object.fromEntries(Object.entries(outcome.value.context ?? {}).map(([k, v]) => [k, String(v)]));
  } catch {
    return undefined; // the authorizer logged why
  }
}

export function createApiServer(routes: LoadedRoute[], extras: ExtraRoute[] = []): Server {
  return createServer((req, res) => {
    const requestId = randomUUID();
    handle(req, res, requestId).catch(() => {
      if (!res.headersSent) sendError(res, 'internal_error', requestId);
      else res.destroy();
    });
  });

  /** Routing and the answers API Gateway gives by itself; the rest is the route's function. */
  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const extra = extras.find((e) => e.method === method && e.path === url.pathname);
    if (extra) {
      const { status, body } = await extra.respond();
      return send(res, status, JSON.stringify(body), { 'x-request-id': requestId });
    }
    const onPath = routes.filter((r) => r.pattern.test(url.pathname));
    if (onPath.length === 0) return sendError(res, 'route_not_found', requestId);
    const route = onPath.find((r) => r.definition.method === method);
    if (!route) return sendError(res, 'method_not_allowed', requestId);
    const body = await readBody(req);
    if (body === null) {
      res.setHeader('connection', 'close');
      return sendError(res, 'body_too_large', requestId);
    }
    const match = present(route.pattern.exec(url.pathname), 'the route match');
    const decoded = decodePathParameters(route.paramNames, match);
    if ('malformed' in decoded) {
      const message = `${decoded.malformed}: not valid percent-encoding.`;
      return sendError(res, 'validation_failed', requestId, message, decoded.malformed);
    }
    const headers = singleHeaders(req);
    const authorizer = route.definition.public
      ? null
      : await authorizerContext(headers, method, url.pathname, requestId);
    if (authorizer === undefined) return sendError(res, 'unavailable', requestId);
    const event = proxyEvent(
      { route, url, method, headers, body, requestId, authorizer },
      decoded.parameters,
    );
    await runRoute(res, route, event, requestId);
  }
}

interface ProxyRequest {
  route: LoadedRoute;
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string;
  requestId: string;
  authorizer: Record<string, string> | null;
}

/** The API Gateway (REST, proxy) event the deployed stage would send for this request. */
function proxyEvent(r: ProxyRequest, pathParameters: Record<string, string>): APIGatewayProxyEvent {
  const query = Object.fromEntries(r.url.searchParams.entries());
  return {
    resource: r.route.definition.path,
    path: r.url.pathname,
    httpMethod: r.method,
    headers: r.headers,
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters: r.route.paramNames.length ? pathParameters : null,
    stageVariables: null,
    body: r.body === '' ? null : r.body,
    isBase64Encoded: false,
    requestContext: {
      requestId: r.requestId,
      authorizer: r.authorizer,
      httpMethod: r.method,
      path: r.url.pathname,
      stage: 'local',
    },
  } as unknown as APIGatewayProxyEvent;
}

/** Runs the route's function as Lambda would (its timeout enforced) and writes its answer. */
async function runRoute(
  res: ServerResponse,
  route: LoadedRoute,
  event: APIGatewayProxyEvent,
  requestId: string,
): Promise<void> {
  const invocation = await asInvocationOf(routeEntry(route.definition), () =>
    invoke(
      route.definition.name,
      requestId,
      runTimeoutMs(API_TIMEOUT_SECONDS, config.localTimeScale),
      (context) => route.handler(event, context),
    ),
  );
  // A Lambda that timed out: API Gateway answers with its default 5xx (`internal_error` here). A bug, never a design.
  if (invocation.timedOut) return sendError(res, 'internal_error', requestId);
  const result = invocation.value;
  const responseHeaders = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]),
  );
  send(res, result.statusCode, result.body, { 'x-request-id': requestId, ...responseHeaders });
}
