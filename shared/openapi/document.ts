/**
 * The OpenAPI 3.1 document, generated from the routes' own specs (shared/http/route.ts): the same zod schemas the
 * handlers validate with, and the docs each route declares beside them, so a route cannot be served undocumented.
 * The caller passes the routes (functions/routes.ts): nothing in shared/ imports functions/.
 *
 * Handlers never import this module: it would pull the generator into every Lambda bundle. It reads zod
 * metadata set with `.meta()` only, so zod itself is never patched (`extendZodWithOpenApi` is not called).
 */
import {
  OpenApiGeneratorV31,
  OpenAPIRegistry,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import type { Scope } from '../clients/model.js';
import { ERROR_CATALOGUE, type ErrorCode, retryAfterSecondsOf } from '../http/errors.js';
import { type ResourceName, type RouteSpec, routeKey } from '../http/route-spec.js';
import { openApiReady } from './mini-compat.js';
import * as R from './resources.js';

const RESOURCES: Readonly<Record<ResourceName, z.ZodType>> = R;

/** The response shape a route's docs name (RouteDocs: by name, so handlers never construct the resources). */
export const resourceSchema = (name: ResourceName): z.ZodType => openApiReady(RESOURCES[name]);

/** A route as the document reads it: its spec (method, path, scopes, schemas, docs). */
export type DocumentedRoute = Pick<
  RouteSpec,
  'method' | 'path' | 'scopes' | 'body' | 'query' | 'idempotent' | 'docs'
> & {
  /** Served without an API key (documentation only). */
  readonly public?: boolean;
};

export { routeKey };

/** Codes any authenticated route can answer; input and idempotency codes are added where they apply. */
const COMMON_ERRORS: readonly ErrorCode[] = [
  'missing_api_key',
  'invalid_api_key',
  'insufficient_scope',
  'too_many_requests',
  'internal_error',
  'unavailable',
];
const QUERY_ERRORS: readonly ErrorCode[] = ['validation_failed'];
/** Lists: a cursor this API did not seal for that list (shared/pagination/cursor.ts). */
const CURSOR_ERRORS: readonly ErrorCode[] = ['invalid_cursor'];
const BODY_ERRORS: readonly ErrorCode[] = [
  'validation_failed',
  'invalid_json',
  'unknown_field',
  'body_too_large',
  'unsupported_media_type',
];

const SECURITY_SCHEME = 'bearerAuth';
const HEADER_REQUEST_ID = 'RequestId';
const HEADER_REPLAYED = 'IdempotentReplayed';
const HEADER_RETRY_AFTER = 'RetryAfter';
const PARAMETER_IDEMPOTENCY_KEY = 'IdempotencyKey';
/** The middleware's rule (shared/http/middleware.ts): 1-255 printable ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = '^[\\x20-\\x7E]{1,255}$';

/** Routes whose operationIds collide: the document (and the client's method names) needs each once. */
export function duplicateOperationIds(routes: readonly DocumentedRoute[]): string[] {
  const seen = new Set<string>();
  return routes.map((r) => r.docs.operationId).filter((id) => seen.has(id) || !seen.add(id));
}

function registerComponents(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description:
      'Authorization: Bearer <apiKey>. Security requirements list the scopes (roles) a key may hold to call; admin may call everything.',
  });
  registry.registerComponent('headers', HEADER_REQUEST_ID, {
    description: 'Id of this request, on every response.',
    schema: { type: 'string' },
  });
  registry.registerComponent('headers', HEADER_REPLAYED, {
    description:
      '"true" when this is the stored answer to an earlier request with the same Idempotency-Key; absent otherwise.',
    schema: { type: 'string', enum: ['true'] },
  });
  registry.registerComponent('headers', HEADER_RETRY_AFTER, {
    description:
      'Whole seconds to wait before retrying, on every 429 and 503: 1 for a throttle or a transient failure, more ' +
      'where the service knows (the rest of a limit-request cooldown; 30 after a WAF block).',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  });
  registry.registerComponent('parameters', PARAMETER_IDEMPOTENCY_KEY, {
    name: 'Idempotency-Key',
    in: 'header',
    required: true,
    description:
      'Scoped to the client, kept at least 24 hours. The same key with the same method, path and body replays the first ' +
      'status and body (header idempotent-replayed: true) and moves no money again; with a different request: 409 idempotency_key_reused.',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
  });
}

/**
 * Error answers stored under the Idempotency-Key like successes, so a copy of the request is answered with them
 * and `idempotent-replayed: true`: declines (402) and state conflicts (409) decided once the operation began.
 * Bad input and unknown ids are not stored (a corrected retry may reuse the key).
 */
const REPLAYABLE_ERROR_STATUSES: ReadonlySet<number> = new Set([402, 409]);

const ref = (kind: 'headers' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** Every code the route can answer, grouped by HTTP status (from the catalogue, so statuses cannot drift). */
export function errorCodesByStatus(route: DocumentedRoute): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>([
    ...COMMON_ERRORS,
    ...(route.query ? QUERY_ERRORS : []),
    ...(route.query?._zod.def.shape['cursor'] ? CURSOR_ERRORS : []),
    ...(route.body ? BODY_ERRORS : []),
    ...(route.idempotent ? (['missing_idempotency_key', 'idempotency_key_reused'] as const) : []),
    ...(route.docs.errors ?? []),
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}

function responsesOf(route: DocumentedRoute): RouteConfig['responses'] {
  const { docs: doc } = route;
  const requestId = { 'x-request-id': ref('headers', HEADER_REQUEST_ID) };
  const replayable = route.idempotent
    ? { ...requestId, 'idempotent-replayed': ref('headers', HEADER_REPLAYED) }
    : requestId;
  const responses: Record<string, ResponseConfig> = {
    [doc.success.status]: {
      description: doc.success.description,
      headers: replayable,
      content: { 'application/json': { schema: resourceSchema(doc.success.schema) } },
    },
  };
  for (const [status, codes] of errorCodesByStatus(route)) {
    const retryAfter = codes.some((code) => retryAfterSecondsOf(code) !== undefined)
      ? { 'retry-after': ref('headers', HEADER_RETRY_AFTER) }
      : {};
    const headers = { ...(REPLAYABLE_ERROR_STATUSES.has(status) ? replayable : requestId), ...retryAfter };
    const [firstCode] = codes;
    if (firstCode === undefined) continue;
    const errorBody = doc.errorBodies?.[status];
    responses[status] = {
      description: `${ERROR_CATALOGUE[firstCode].type}: ${codes.join(', ')}.`,
      headers,
      content: {
        'application/json': {
          schema: errorBody === undefined ? openApiReady(R.ErrorResponse) : resourceSchema(errorBody),
        },
      },
      // Machine-readable list of the stable codes at this status (a specification extension).
      ['x-error-codes' as string]: codes,
    } as ResponseConfig;
  }
  return responses;
}

function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  return names.length
    ? z.object(Object.fromEntries(names.map((name) => [name, z.string().min(1)])))
    : undefined;
}

/** The body is required when the schema rejects the empty object the service reads an absent body as. */
const bodyRequired = (body: z.core.$ZodType): boolean => !z.safeParse(body, {}).success;

function registerRoute(registry: OpenAPIRegistry, route: DocumentedRoute): void {
  const { docs: doc } = route;
  const params = pathParams(route.path);
  const accepted = [...new Set<Scope>([...route.scopes, 'admin'])];
  registry.registerPath({
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: doc.operationId,
    summary: doc.summary,
    description: [`Scopes: ${accepted.join(', ')}.`, doc.notes].filter(Boolean).join(' '),
    tags: [route.path.split('/')[2] ?? 'other'],
    // One requirement per scope: any one of them is enough (the roles listed in a single requirement are ANDed).
    security: route.public ? [] : accepted.map((scope) => ({ [SECURITY_SCHEME]: [scope] })),
    ...(route.idempotent ? { parameters: [ref('parameters', PARAMETER_IDEMPOTENCY_KEY)] } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(route.query ? { query: openApiReady(route.query) as z.ZodObject } : {}),
      ...(route.body
        ? {
            body: {
              required: bodyRequired(route.body),
              content: { 'application/json': { schema: openApiReady(route.body) } },
            },
          }
        : {}),
    },
    responses: responsesOf(route),
  });
}

/** The document of `routes` (functions/routes.ts ROUTES). Throws when two routes share an operationId. */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[]): Record<string, unknown> {
  const duplicates = duplicateOperationIds(routes);
  if (duplicates.length) throw new Error(`operationIds used twice: ${duplicates.join(', ')}`);
  const registry = new OpenAPIRegistry();
  registerComponents(registry);
  for (const route of routes) registerRoute(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Checkout authorization API',
      version: '1.0.0',
      description:
        'Credit holds for a buy-now-pay-later credit line (contract v1; docs/API.md). Money is an integer of minor units; ' +
        'every non-2xx body is {"error": {type, code, message, param?}}.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
  }) as unknown as Record<string, unknown>;
}
