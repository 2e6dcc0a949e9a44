/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. Every route in
 * functions/routes.ts must have an entry in ROUTE_DOCS: building the document throws otherwise, and a test
 * builds it. Handlers never import this module (it would pull the generator into every bundle).
 */
import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { ROUTES } from '../../functions/routes.js';
import { CreateAccountBody, PageQuery, RepaymentBody, StatusChangeBody } from '../accounts/schemas.js';
import { CaptureBody, CreateAuthorizationBody, IncrementBody, RefundBody, ReleaseBody } from '../authorizations/schemas.js';
import { CreateClientBody } from '../clients/schemas.js';
import { LimitRequestBody, RefreshJobBody } from '../limits/schemas.js';
import { CreditProfile } from '../policy/profile.js';
import { Promotion } from '../policy/promotions.js';
import * as R from './resources.js';

interface RouteDoc {
  summary: string;
  scopes: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Money-moving POSTs require Idempotency-Key. */
  idempotent?: boolean;
  success: { status: number; schema: z.ZodType; description: string };
  /** Contract errors this route answers, beside 400/401/403/429/500/503 which all do. */
  errors?: number[];
}

const ACCOUNTS = R.Account;
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /v1/clients': { summary: 'Create an API client', scopes: 'admin', body: CreateClientBody, success: { status: 201, schema: R.Client, description: 'The client and its key (shown once).' } },
  'POST /v1/accounts': { summary: 'Open a credit account', scopes: 'admin', body: CreateAccountBody, success: { status: 201, schema: ACCOUNTS, description: 'The account.' }, errors: [409] },
  'GET /v1/accounts/{id}': { summary: 'Read an account', scopes: 'checkout, servicing, risk', success: { status: 200, schema: ACCOUNTS, description: 'The account.' }, errors: [404] },
  'POST /v1/authorizations': {
    summary: 'Reserve credit (create a hold)', scopes: 'checkout', body: CreateAuthorizationBody, idempotent: true,
    success: { status: 201, schema: R.Authorization, description: 'Authorized, or pending_review at or above REVIEW_THRESHOLD.' }, errors: [402, 404, 409],
  },
  'GET /v1/authorizations/{id}': { summary: 'Read an authorization', scopes: 'checkout (own), risk', success: { status: 200, schema: R.Authorization, description: 'The authorization.' }, errors: [404] },
  'POST /v1/authorizations/{id}/capture': { summary: 'Capture all or part of a hold', scopes: 'checkout', body: CaptureBody, idempotent: true, success: { status: 200, schema: R.Authorization, description: 'The authorization after the capture.' }, errors: [404, 409] },
  'POST /v1/authorizations/{id}/release': { summary: 'Release all or part of a hold', scopes: 'checkout', body: ReleaseBody, idempotent: true, success: { status: 200, schema: R.Authorization, description: 'The authorization after the release.' }, errors: [404, 409] },
  'POST /v1/authorizations/{id}/increment': { summary: 'Raise a live hold', scopes: 'checkout', body: IncrementBody, idempotent: true, success: { status: 200, schema: R.Authorization, description: 'The raised authorization.' }, errors: [402, 404, 409] },
  'POST /v1/authorizations/{id}/refunds': { summary: 'Refund captured money', scopes: 'checkout', body: RefundBody, idempotent: true, success: { status: 201, schema: R.Refund, description: 'The refund.' }, errors: [404, 409] },
  'POST /v1/accounts/{id}/repayments': { summary: 'Record a repayment', scopes: 'servicing', body: RepaymentBody, idempotent: true, success: { status: 201, schema: R.Repayment, description: 'The repayment and the resulting account.' }, errors: [404, 409] },
  'POST /v1/accounts/{id}/freeze': { summary: 'Freeze an account', scopes: 'risk', body: StatusChangeBody, success: { status: 200, schema: ACCOUNTS, description: 'The frozen account.' }, errors: [404, 409] },
  'POST /v1/accounts/{id}/unfreeze': { summary: 'Unfreeze an account', scopes: 'risk', body: StatusChangeBody, success: { status: 200, schema: ACCOUNTS, description: 'The active account.' }, errors: [404, 409] },
  'GET /v1/accounts/{id}/journal': { summary: "An account's journal, oldest first", scopes: 'servicing, risk', query: PageQuery, success: { status: 200, schema: R.listOf(R.JournalEntry, 'JournalPage'), description: 'One page of entries with running balances.' }, errors: [404] },
  'GET /v1/reviews': { summary: 'Holds waiting for manual review', scopes: 'risk', query: PageQuery, success: { status: 200, schema: R.listOf(R.Authorization, 'ReviewPage'), description: 'One page of the queue.' } },
  'POST /v1/reviews/{authorizationId}/approve': { summary: 'Approve a pending hold', scopes: 'risk', success: { status: 200, schema: R.Authorization, description: 'The authorized hold.' }, errors: [404, 409] },
  'POST /v1/reviews/{authorizationId}/decline': { summary: 'Decline a pending hold (credit returned)', scopes: 'risk', success: { status: 200, schema: R.Authorization, description: 'The declined hold.' }, errors: [404, 409] },
  'PUT /v1/accounts/{id}/profile': { summary: 'Set the credit profile the limit policy reads', scopes: 'risk', body: CreditProfile, success: { status: 200, schema: R.CreditProfileResource, description: 'The stored profile.' }, errors: [404] },
  'POST /v1/accounts/{id}/limit-requests': { summary: 'Ask for a higher limit (decided at once)', scopes: 'checkout', body: LimitRequestBody, success: { status: 200, schema: R.LimitRequestResult, description: 'The decision and its reasons.' }, errors: [404] },
  'POST /v1/jobs/limit-refresh': { summary: 'Start a limit refresh (or a dry run)', scopes: 'risk', body: RefreshJobBody, success: { status: 202, schema: R.Job, description: 'The started job.' } },
  'GET /v1/jobs/{id}': { summary: "A job's progress", scopes: 'risk', success: { status: 200, schema: R.Job, description: 'The job.' }, errors: [404] },
  'POST /v1/promotions': { summary: 'Create a promotion', scopes: 'admin', body: Promotion, success: { status: 201, schema: R.PromotionResource, description: 'The promotion.' }, errors: [409] },
  'GET /v1/promotions': { summary: 'List promotions', scopes: 'risk', success: { status: 200, schema: R.listOf(R.PromotionResource, 'PromotionList'), description: 'Every promotion.' } },
  'POST /v1/promotions/{id}/end': { summary: 'End a promotion now', scopes: 'admin', success: { status: 200, schema: R.PromotionResource, description: 'The ended promotion.' }, errors: [404] },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (invalid_json, validation_failed, unknown_field, currency_mismatch, missing_idempotency_key).',
  401: 'Missing or invalid API key.',
  402: 'Declined (insufficient_credit, account_frozen, account_closed, velocity_exceeded, risk_declined).',
  403: 'The key lacks the scope.',
  404: 'Not found (another client\'s authorization is a 404 too).',
  409: 'Conflict (idempotency_key_reused, invalid_state, authorization_expired, amount_exceeds_remaining, ...).',
  413: 'Body over 64 KiB.',
  415: 'Body is not application/json.',
  429: 'Rate limited.',
  500: 'Internal error (no internals are shown). Safe to retry with the same Idempotency-Key.',
  503: 'Temporarily unavailable. Retry with the same Idempotency-Key.',
};
const ALWAYS = [400, 401, 403, 429, 500, 503];

const IdempotencyKey = z.string().min(1).max(255).meta({
  description: 'Required on money-moving POSTs. The same key with the same request replays the first answer (header idempotent-replayed: true).',
});

export function documentedRoutes(): string[] {
  return Object.keys(ROUTE_DOCS);
}

export function buildOpenApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <apiKey>' });
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}`;
    const doc = ROUTE_DOCS[key];
    if (!doc) throw new Error(`route ${key} has no documentation in shared/openapi/document.ts`);
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const errors = [...new Set([...ALWAYS, ...(doc.body ? [413, 415] : []), ...(doc.errors ?? [])])].sort();
    const responses: RouteConfig['responses'] = {
      [doc.success.status]: { description: doc.success.description, content: { 'application/json': { schema: doc.success.schema } } },
    };
    for (const status of errors) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error.',
        content: { 'application/json': { schema: status === 402 ? R.Declined : R.ErrorResponse } },
      };
    }
    registry.registerPath({
      method: route.method.toLowerCase() as RouteConfig['method'],
      path: route.path,
      summary: doc.summary,
      description: `Scopes: ${doc.scopes}.`,
      security: [{ apiKey: [] }],
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
        ...(doc.query ? { query: doc.query } : {}),
        ...(doc.idempotent ? { headers: z.object({ 'Idempotency-Key': IdempotencyKey }) } : {}),
        ...(doc.body ? { body: { required: false, content: { 'application/json': { schema: doc.body } } } } : {}),
      },
      responses,
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Checkout authorization API',
      version: '1.0.0',
      description: 'Credit holds for a consumer credit line (contract v1, ../shared/API.md). Money is integer minor units.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start' }],
  }) as unknown as Record<string, unknown>;
}
