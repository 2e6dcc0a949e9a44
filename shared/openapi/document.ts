/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. ROUTE_DOCS is the
 * documentation registry: one entry per route of functions/routes.ts, keyed `METHOD path`. Building the
 * document throws for a route without an entry, and test/openapi fails on either side of a mismatch.
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
import { ROUTES, type RouteDefinition } from '../../functions/routes.js';
import { CreateAccountBody, PageQuery, RepaymentBody, StatusChangeBody } from '../accounts/schemas.js';
import {
  CaptureBody,
  CreateAuthorizationBody,
  IncrementBody,
  RefundBody,
  ReleaseBody,
} from '../authorizations/schemas.js';
import type { Scope } from '../clients/model.js';
import { CreateClientBody } from '../clients/schemas.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../http/errors.js';
import { LimitRequestBody, RefreshJobBody } from '../limits/schemas.js';
import { CreditProfile } from '../profiles/model.js';
import { Promotion } from '../promotions/model.js';
import * as R from './resources.js';

export type RouteKey = `${RouteDefinition['method']} ${string}`;

/** What a route's entry in the registry says. Everything else (params, auth, common errors) is derived. */
export interface RouteDoc {
  /** Unique; also the method name of the TypeScript client (client/endpoints.ts), which a test checks. */
  operationId: string;
  summary: string;
  /** Scopes the handler accepts; `admin` may always call. test/openapi probes the running service for these. */
  scopes: readonly Scope[];
  /** Extra prose after the scopes line. */
  notes?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Money-moving POSTs require Idempotency-Key (API.md "Idempotency"). */
  idempotent?: boolean;
  success: { status: number; schema: z.ZodType; description: string };
  /** Route-specific error codes, beside the ones every route can answer (COMMON_ERRORS). */
  errors?: readonly ErrorCode[];
  /** Error bodies richer than `Error` (the declines that carry the authorization). */
  errorBodies?: Partial<Record<number, z.ZodType>>;
}

const DECLINES: readonly ErrorCode[] = [
  'insufficient_credit',
  'account_frozen',
  'account_closed',
  'velocity_exceeded',
  'risk_declined',
];
const page = R.listOf;

export const ROUTE_DOCS: Readonly<Record<RouteKey, RouteDoc>> = {
  'POST /v1/clients': {
    operationId: 'createClient',
    summary: 'Create an API client',
    scopes: ['admin'],
    body: CreateClientBody,
    success: { status: 201, schema: R.Client, description: 'The client and its key (shown only here).' },
  },
  'POST /v1/accounts': {
    operationId: 'createAccount',
    summary: 'Open a credit account',
    scopes: ['admin'],
    body: CreateAccountBody,
    success: { status: 201, schema: R.Account, description: 'The account.' },
    errors: ['account_exists'],
  },
  'GET /v1/accounts/{id}': {
    operationId: 'getAccount',
    summary: 'Read an account',
    scopes: ['checkout', 'servicing', 'risk'],
    success: { status: 200, schema: R.Account, description: 'The account.' },
    errors: ['account_not_found'],
  },
  'POST /v1/authorizations': {
    operationId: 'createAuthorization',
    summary: 'Reserve credit (create a hold)',
    scopes: ['checkout'],
    body: CreateAuthorizationBody,
    idempotent: true,
    success: {
      status: 201,
      schema: R.Authorization,
      description: 'Authorized, or pending_review at or above REVIEW_THRESHOLD.',
    },
    errors: ['currency_mismatch', 'account_not_found', ...DECLINES],
    errorBodies: { 402: R.Declined },
  },
  'GET /v1/authorizations/{id}': {
    operationId: 'getAuthorization',
    summary: 'Read an authorization',
    scopes: ['checkout', 'risk'],
    notes: "A checkout client reads only its own; another client's authorization is a 404.",
    success: { status: 200, schema: R.Authorization, description: 'The authorization.' },
    errors: ['authorization_not_found'],
  },
  'POST /v1/authorizations/{id}/capture': {
    operationId: 'capture',
    summary: 'Capture all or part of a hold',
    scopes: ['checkout'],
    body: CaptureBody,
    idempotent: true,
    notes: '`amount` defaults to the held remainder; `final` (default true) releases whatever remains.',
    success: { status: 200, schema: R.Authorization, description: 'The authorization after the capture.' },
    errors: ['authorization_not_found', 'invalid_state', 'authorization_expired', 'amount_exceeds_remaining'],
  },
  'POST /v1/authorizations/{id}/release': {
    operationId: 'release',
    summary: 'Release all or part of a hold',
    scopes: ['checkout'],
    body: ReleaseBody,
    idempotent: true,
    success: { status: 200, schema: R.Authorization, description: 'The authorization after the release.' },
    errors: ['authorization_not_found', 'invalid_state', 'amount_exceeds_remaining'],
  },
  'POST /v1/authorizations/{id}/increment': {
    operationId: 'increment',
    summary: 'Raise a live hold',
    scopes: ['checkout'],
    body: IncrementBody,
    idempotent: true,
    notes: 'Under the same rules as a new reserve.',
    success: { status: 200, schema: R.Authorization, description: 'The raised authorization.' },
    errors: ['authorization_not_found', 'invalid_state', 'authorization_expired', ...DECLINES],
    errorBodies: { 402: R.IncrementDeclined },
  },
  'POST /v1/authorizations/{id}/refunds': {
    operationId: 'refund',
    summary: 'Refund captured money',
    scopes: ['checkout'],
    body: RefundBody,
    idempotent: true,
    success: { status: 201, schema: R.Refund, description: 'The refund, with the authorization after it.' },
    errors: ['authorization_not_found', 'invalid_state', 'amount_exceeds_remaining'],
  },
  'POST /v1/accounts/{id}/repayments': {
    operationId: 'repay',
    summary: 'Record a repayment',
    scopes: ['servicing'],
    body: RepaymentBody,
    idempotent: true,
    success: { status: 201, schema: R.Repayment, description: 'The repayment and the account after it.' },
    errors: ['currency_mismatch', 'account_not_found', 'amount_exceeds_remaining'],
  },
  'POST /v1/accounts/{id}/freeze': {
    operationId: 'freeze',
    summary: 'Freeze an account',
    scopes: ['risk'],
    body: StatusChangeBody,
    notes: 'New authorizations and increments are declined account_frozen; captures and releases still work.',
    success: { status: 200, schema: R.Account, description: 'The frozen account.' },
    errors: ['account_not_found', 'invalid_state'],
  },
  'POST /v1/accounts/{id}/unfreeze': {
    operationId: 'unfreeze',
    summary: 'Unfreeze an account',
    scopes: ['risk'],
    body: StatusChangeBody,
    success: { status: 200, schema: R.Account, description: 'The active account.' },
    errors: ['account_not_found', 'invalid_state'],
  },
  'GET /v1/accounts/{id}/journal': {
    operationId: 'listJournal',
    summary: "An account's journal, oldest first",
    scopes: ['servicing', 'risk'],
    query: PageQuery,
    notes:
      'Serves entries once they have settled (JOURNAL_SETTLE_MS after they happen, one minute by default), so a cursor never skips one.',
    success: {
      status: 200,
      schema: R.JournalPage,
      description: 'One page of entries with running balances.',
    },
    errors: ['account_not_found'],
  },
  'GET /v1/reviews': {
    operationId: 'listReviews',
    summary: 'Holds waiting for manual review',
    scopes: ['risk'],
    query: PageQuery,
    success: {
      status: 200,
      schema: page(R.Authorization, 'ReviewPage'),
      description: 'One page of the queue, oldest first.',
    },
  },
  'POST /v1/reviews/{authorizationId}/approve': {
    operationId: 'approveReview',
    summary: 'Approve a pending hold',
    scopes: ['risk'],
    success: { status: 200, schema: R.Authorization, description: 'The authorized hold.' },
    errors: ['authorization_not_found', 'invalid_state', 'authorization_expired'],
  },
  'POST /v1/reviews/{authorizationId}/decline': {
    operationId: 'declineReview',
    summary: 'Decline a pending hold (credit returned)',
    scopes: ['risk'],
    success: { status: 200, schema: R.Authorization, description: 'The declined hold.' },
    errors: ['authorization_not_found', 'invalid_state'],
  },
  'PUT /v1/accounts/{id}/profile': {
    operationId: 'setProfile',
    summary: 'Set the credit profile the limit policy reads',
    scopes: ['risk'],
    body: CreditProfile,
    success: { status: 200, schema: R.CreditProfileResource, description: 'The stored profile.' },
    errors: ['account_not_found'],
  },
  'POST /v1/accounts/{id}/limit-requests': {
    operationId: 'requestLimitIncrease',
    summary: 'Ask for a higher limit (decided at once)',
    scopes: ['checkout'],
    body: LimitRequestBody,
    notes:
      'Decided by the same policy as the scheduled refresh; one request per account per cooldown (429 otherwise).',
    success: { status: 200, schema: R.LimitRequestResult, description: 'The decision and its reasons.' },
    errors: ['account_not_found'],
  },
  'POST /v1/jobs/limit-refresh': {
    operationId: 'startLimitRefresh',
    summary: 'Start a limit refresh (or a dry run)',
    scopes: ['risk'],
    body: RefreshJobBody,
    success: { status: 202, schema: R.Job, description: 'The started job; poll GET /v1/jobs/{id}.' },
  },
  'GET /v1/jobs/{id}': {
    operationId: 'getJob',
    summary: "A job's progress",
    scopes: ['risk'],
    success: { status: 200, schema: R.Job, description: 'The job.' },
    errors: ['job_not_found'],
  },
  'POST /v1/promotions': {
    operationId: 'createPromotion',
    summary: 'Create a promotion',
    scopes: ['admin'],
    body: Promotion,
    success: { status: 201, schema: R.PromotionResource, description: 'The promotion.' },
    errors: ['promotion_exists'],
  },
  'GET /v1/promotions': {
    operationId: 'listPromotions',
    summary: 'List promotions',
    scopes: ['risk'],
    query: PageQuery,
    success: {
      status: 200,
      schema: page(R.PromotionResource, 'PromotionList'),
      description: 'Every promotion, past, present and future, in id order, a page at a time.',
    },
  },
  'POST /v1/promotions/{id}/end': {
    operationId: 'endPromotion',
    summary: 'End a promotion now',
    scopes: ['admin'],
    success: { status: 200, schema: R.PromotionResource, description: 'The ended promotion.' },
    errors: ['promotion_not_found'],
  },
};

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
const PARAMETER_IDEMPOTENCY_KEY = 'IdempotencyKey';
/** The middleware's rule (shared/http/middleware.ts): 1-255 printable ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = '^[\\x20-\\x7E]{1,255}$';

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): RouteKey =>
  `${route.method} ${route.path}`;

/** Documented `METHOD path` pairs. */
export function documentedRoutes(): RouteKey[] {
  return Object.keys(ROUTE_DOCS) as RouteKey[];
}

/** Both sides of the route/registry mismatch; the document is complete when both are empty. */
export function routeCoverage(routes: readonly RouteDefinition[] = ROUTES): {
  undocumented: string[];
  unrouted: string[];
} {
  const routed = new Set<string>(routes.map(routeKey));
  const documented = new Set<string>(documentedRoutes());
  return {
    undocumented: [...routed].filter((key) => !documented.has(key)),
    unrouted: [...documented].filter((key) => !routed.has(key)),
  };
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
export function errorCodesByStatus(doc: RouteDoc): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>([
    ...COMMON_ERRORS,
    ...(doc.query ? QUERY_ERRORS : []),
    ...(doc.query?.shape['cursor'] ? CURSOR_ERRORS : []),
    ...(doc.body ? BODY_ERRORS : []),
    ...(doc.idempotent ? (['missing_idempotency_key', 'idempotency_key_reused'] as const) : []),
    ...(doc.errors ?? []),
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}

function responsesOf(doc: RouteDoc): RouteConfig['responses'] {
  const requestId = { 'x-request-id': ref('headers', HEADER_REQUEST_ID) };
  const replayable = doc.idempotent
    ? { ...requestId, 'idempotent-replayed': ref('headers', HEADER_REPLAYED) }
    : requestId;
  const responses: Record<string, ResponseConfig> = {
    [doc.success.status]: {
      description: doc.success.description,
      headers: replayable,
      content: { 'application/json': { schema: doc.success.schema } },
    },
  };
  for (const [status, codes] of errorCodesByStatus(doc)) {
    const headers = REPLAYABLE_ERROR_STATUSES.has(status) ? replayable : requestId;
    const [firstCode] = codes;
    if (firstCode === undefined) continue;
    responses[status] = {
      description: `${ERROR_CATALOGUE[firstCode].type}: ${codes.join(', ')}.`,
      headers,
      content: { 'application/json': { schema: doc.errorBodies?.[status] ?? R.ErrorResponse } },
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
const bodyRequired = (body: z.ZodType): boolean => !body.safeParse({}).success;

function registerRoute(registry: OpenAPIRegistry, route: RouteDefinition, doc: RouteDoc): void {
  const params = pathParams(route.path);
  const accepted = [...new Set<Scope>([...doc.scopes, 'admin'])];
  registry.registerPath({
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: doc.operationId,
    summary: doc.summary,
    description: [`Scopes: ${accepted.join(', ')}.`, doc.notes].filter(Boolean).join(' '),
    tags: [route.path.split('/')[2] ?? 'other'],
    // One requirement per scope: any one of them is enough (the roles listed in a single requirement are ANDed).
    security: route.public ? [] : accepted.map((scope) => ({ [SECURITY_SCHEME]: [scope] })),
    ...(doc.idempotent ? { parameters: [ref('parameters', PARAMETER_IDEMPOTENCY_KEY)] } : {}),
    request: {
      ...(params ? { params } : {}),
      ...(doc.query ? { query: doc.query } : {}),
      ...(doc.body
        ? {
            body: { required: bodyRequired(doc.body), content: { 'application/json': { schema: doc.body } } },
          }
        : {}),
    },
    responses: responsesOf(doc),
  });
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registerComponents(registry);
  for (const route of ROUTES) {
    const doc = ROUTE_DOCS[routeKey(route)];
    if (!doc)
      throw new Error(`route ${routeKey(route)} has no entry in ROUTE_DOCS (shared/openapi/document.ts)`);
    registerRoute(registry, route, doc);
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Checkout authorization API',
      version: '1.0.0',
      description:
        'Credit holds for a buy-now-pay-later credit line (contract v1, shared/API.md). Money is an integer of minor units; ' +
        'every non-2xx body is {"error": {type, code, message, param?}}.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
  }) as unknown as Record<string, unknown>;
}
