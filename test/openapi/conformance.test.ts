/**
 * The OpenAPI document against the running service (real handlers on DynamoDB Local):
 * - the scopes it declares are the scopes each handler accepts, and Idempotency-Key is declared exactly where
 *   the handler demands it (probed on every route, with requests that change nothing);
 * - every answer of a scenario that calls every route through the TypeScript client has a documented status,
 *   a documented error code, a body that parses with the documented schema with no undocumented fields, and
 *   carries `idempotent-replayed` only where the document says a replay can answer;
 * - GET /openapi.json serves the document the generator builds.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import {
  CheckoutClient,
  ConflictError,
  DeclinedError,
  IdempotencyError,
  NotFoundError,
  type FetchLike,
} from '../../client/index.js';
import type { RouteDefinition } from '../../functions/routes.js';
import type { Scope } from '../../shared/clients/model.js';
import {
  buildOpenApiDocument,
  errorCodesByStatus,
  resourceSchema,
  routeKey,
} from '../../shared/openapi/document.js';
import * as R from '../../shared/openapi/resources.js';
import { Api, settingsChangeOf } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

/** Low enough that a test account can reach it. */
const REVIEW_THRESHOLD_MINOR = 1_000_000;
/** Polls of a dry-run refresh job before giving up, JOB_POLL_INTERVAL_MS apart (a bound, not a timing claim). */
const MAX_JOB_POLLS = 500;
const JOB_POLL_INTERVAL_MS = 20;
const NON_ADMIN_SCOPES: readonly Scope[] = ['checkout', 'servicing', 'risk'];

let app: TestApp;
let api: Api;
/** Loaded after startTestApp: the route modules read the service's configuration when they load. */
let ROUTES: readonly RouteDefinition[];
let compiled: Array<{ route: RouteDefinition; pattern: RegExp }>;
let document: Record<string, any>;

beforeAll(async () => {
  // The journal pages must hold entries for their schema to be checked: read as if the settling lag had passed.
  // The risk settings read on every use: a change through the API shows on the next request.
  app = await startTestApp(
    {
      REVIEW_THRESHOLD: String(REVIEW_THRESHOLD_MINOR),
      VELOCITY_MAX: '0',
      RISK_SETTINGS_MAX_AGE_SECONDS: '0',
    },
    { journalClock: 'settled' },
  );
  api = new Api(app.url);
  ({ ROUTES } = await import('../../functions/routes.js'));
  compiled = ROUTES.map((route) => ({
    route,
    pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  document = buildOpenApiDocument(ROUTES) as Record<string, any>;
});
afterAll(() => app.close());

function routeFor(method: string, pathname: string): RouteDefinition | undefined {
  return compiled.find((c) => c.route.method === method && c.pattern.test(pathname))?.route;
}

const documentedResponse = (route: RouteDefinition, status: number) =>
  document['paths'][route.path]?.[route.method.toLowerCase()]?.responses?.[status];

it('serves the generated document at GET /openapi.json', async () => {
  const response = await fetch(`${app.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual(document);
});
const probePath = (route: RouteDefinition) => route.path.replace(/\{\w+\}/g, 'probe_missing');

describe('declared scopes and Idempotency-Key match what the handlers enforce', () => {
  it('answers 403 insufficient_scope exactly to the scopes a route does not declare', async () => {
    const keys = Object.fromEntries(
      await Promise.all(
        NON_ADMIN_SCOPES.map(async (s) => [s, (await api.createClient([s])).apiKey] as const),
      ),
    );
    const mismatches: string[] = [];
    for (const route of ROUTES) {
      for (const scope of NON_ADMIN_SCOPES) {
        // A body that is not JSON (GETs carry none): nothing can be created or moved, whatever the route.
        const body = route.method === 'GET' ? {} : { rawBody: '{', contentType: 'application/json' };
        const reply = await api.call(route.method, probePath(route), { key: keys[scope], ...body });
        const refused = reply.status === 403 && reply.body?.error?.code === 'insufficient_scope';
        if (refused === route.scopes.includes(scope))
          mismatches.push(`${routeKey(route)} ${scope}: ${reply.status} ${reply.body?.error?.code}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('asks for an Idempotency-Key exactly on the routes that declare it', async () => {
    const mismatches: string[] = [];
    for (const route of ROUTES.filter((r) => r.method !== 'GET')) {
      const reply = await api.call(route.method, probePath(route), {
        key: ADMIN_KEY,
        rawBody: '{',
        contentType: 'application/json',
      });
      const demanded = reply.status === 400 && reply.body?.error?.code === 'missing_idempotency_key';
      if (demanded !== Boolean(route.idempotent))
        mismatches.push(`${routeKey(route)}: ${reply.status} ${reply.body?.error?.code}`);
    }
    expect(mismatches).toEqual([]);
  });
});

/** Paths of fields the value has but the schema does not describe (closed objects only). */
function undocumentedFields(schema: z.ZodType, value: unknown, at = '$'): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return value == null ? [] : undocumentedFields(schema.unwrap() as z.ZodType, value, at);
  }
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    return value.flatMap((item, i) => undocumentedFields(schema.element as z.ZodType, item, `${at}[${i}]`));
  }
  if (schema instanceof z.ZodObject && value && typeof value === 'object') {
    const shape = schema.shape as Record<string, z.ZodType>;
    const open = schema._zod.def.catchall !== undefined; // looseObject: extra fields are part of the design
    return Object.entries(value).flatMap(([k, v]) =>
      shape[k] ? undocumentedFields(shape[k], v, `${at}.${k}`) : open ? [] : [`${at}.${k}`],
    );
  }
  return [];
}

/** Wraps fetch: every answer is checked against the document; problems are collected, never thrown (a throw would look like a network error). */
function conformingFetch(
  exercised: Set<string>,
  problems: string[],
  replays: Set<number> = new Set(),
): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    const { pathname } = new URL(url);
    const route = routeFor(init.method ?? 'GET', pathname);
    const text = await response.clone().text();
    if (!route) {
      problems.push(`${init.method} ${pathname}: no such route`);
      return response;
    }
    const key = routeKey(route);
    const doc = route.docs;
    const body = text ? JSON.parse(text) : undefined;
    const where = `${key} -> ${response.status}`;
    if (!response.headers.get('x-request-id')) problems.push(`${where}: no x-request-id`);
    if (
      response.headers.get('idempotent-replayed') &&
      !documentedResponse(route, response.status)?.headers?.['idempotent-replayed']
    ) {
      problems.push(`${where}: replayed, but no idempotent-replayed header is documented here`);
    }
    if (response.headers.get('idempotent-replayed')) replays.add(response.status);
    let schema: z.ZodType;
    if (response.status === doc.success.status) {
      schema = resourceSchema(doc.success.schema);
      exercised.add(key);
    } else {
      const codes = errorCodesByStatus(route).get(response.status);
      if (!codes) problems.push(`${where}: undocumented status`);
      else if (!codes.includes(body?.error?.code))
        problems.push(`${where}: undocumented code ${body?.error?.code}`);
      const errorBody = doc.errorBodies?.[response.status];
      schema = errorBody === undefined ? R.ErrorResponse : resourceSchema(errorBody);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      problems.push(
        `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    for (const field of undocumentedFields(schema, body))
      problems.push(`${where}: undocumented field ${field}`);
    return response;
  };
}

describe('every route, called through the client, answers as documented', () => {
  it('runs the credit lifecycle and the risk, limit and promotion operations', async () => {
    const exercised = new Set<string>();
    const problems: string[] = [];
    const replays = new Set<number>();
    const as = (apiKey: string) =>
      new CheckoutClient({
        baseUrl: app.url,
        apiKey,
        fetch: conformingFetch(exercised, problems, replays),
        sleep: async () => undefined,
      });

    const admin = as(ADMIN_KEY);
    const checkout = as((await admin.createClient({ name: 'shop', scopes: ['checkout'] })).data.apiKey);
    const servicing = as(
      (await admin.createClient({ name: 'collections', scopes: ['servicing'] })).data.apiKey,
    );
    const risk = as((await admin.createClient({ name: 'risk desk', scopes: ['risk'] })).data.apiKey);

    const accountId = `acc_${randomUUID().slice(0, 12)}`;
    await admin.createAccount({ id: accountId, currency: 'CNY', creditLimit: 5_000_000 });
    await expect(
      admin.createAccount({ id: accountId, currency: 'CNY', creditLimit: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    await checkout.getAccount(accountId);

    // Hold, raise, capture in parts, release, refund, repay.
    const order = { accountId, currency: 'CNY', orderId: 'o-conf-1' };
    const { data: hold } = await checkout.createAuthorization({
      ...order,
      amount: 20_000,
      metadata: { cart: 'c1' },
    });
    await checkout.getAuthorization(hold.id);
    await checkout.increment(hold.id, { amount: 5_000 });
    await checkout.capture(hold.id, { amount: 10_000, final: false });
    await checkout.release(hold.id, { amount: 5_000 });
    const { data: captured } = await checkout.capture(hold.id, {}, { idempotencyKey: `capture-${hold.id}` });
    expect(captured.status).toBe('captured');
    // Replays: the success, and a state conflict (stored under its key like a success).
    expect((await checkout.capture(hold.id, {}, { idempotencyKey: `capture-${hold.id}` })).replayed).toBe(
      true,
    );
    const conflictKey = randomUUID();
    await expect(checkout.capture(hold.id, {}, { idempotencyKey: conflictKey })).rejects.toMatchObject({
      code: 'invalid_state',
      replayed: false,
    });
    await expect(checkout.capture(hold.id, {}, { idempotencyKey: conflictKey })).rejects.toMatchObject({
      code: 'invalid_state',
      replayed: true,
    });
    await checkout.refund(hold.id, { amount: 3_000 });
    await servicing.repay(accountId, { amount: 5_000, currency: 'CNY' });
    const firstPage = await servicing.listJournal(accountId, { limit: 2 });
    expect(firstPage.data.nextCursor).not.toBeNull();
    await risk.listJournal(accountId, { cursor: firstPage.data.nextCursor! });
    // Events and webhook endpoints: listed (a page, then from its cursor), made, listed, deleted (then 404).
    const events = await servicing.listEvents({ accountId, limit: 2 });
    await risk.listEvents({ accountId, after: events.data.nextCursor, type: 'authorization.captured' });
    const { data: endpoint } = await admin.createWebhookEndpoint({
      url: 'https://hooks.example.com/conformance',
      events: ['authorization.captured', 'account.limit_changed'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    await admin.listWebhookEndpoints();
    await admin.deleteWebhookEndpoint(endpoint.id);
    await expect(admin.deleteWebhookEndpoint(endpoint.id)).rejects.toBeInstanceOf(NotFoundError);
    // Customer notifications: a contact, the inbox (one made as the event consumer makes it), a read mark.
    const { data: contact } = await servicing.setContact(accountId, {
      email: 'conformance@example.com',
      locale: 'en',
    });
    expect(contact).toMatchObject({ object: 'contact', locale: 'en' });
    await expect(servicing.setContact('acc_conf_missing', { locale: 'zh-CN' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const { Notifier } = await import('../../shared/notifications/notifier.js');
    await new Notifier().handle([
      {
        id: 'evt_conformance_limit_change',
        object: 'event',
        type: 'account.limit_changed',
        createdAt: new Date().toISOString(),
        accountId,
        data: { delta: { totalLimit: -10_000 }, reasons: [{ code: 'conformance', message: 'A check.' }] },
      },
    ]);
    const { data: inbox } = await checkout.listNotifications(accountId);
    expect(inbox.data.map((n) => n.kind)).toEqual(['limit_lowered']);
    const { data: read } = await servicing.readNotification(accountId, inbox.data[0]?.id ?? '');
    expect(read.readAt).toEqual(expect.any(String));
    await expect(checkout.readNotification(accountId, 'ntf_missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(checkout.listNotifications('acc_conf_missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(checkout.readNotification('acc_conf_missing', 'ntf_missing')).rejects.toMatchObject({
      code: 'account_not_found',
    });

    // Errors are documented too: unknown ids, a reused key, declines with and without a hold to show.
    await expect(checkout.getAuthorization('auth_missing')).rejects.toBeInstanceOf(NotFoundError);
    const key = randomUUID();
    await checkout.createAuthorization(
      { ...order, orderId: 'o-conf-2', amount: 100 },
      { idempotencyKey: key },
    );
    await expect(
      checkout.createAuthorization({ ...order, orderId: 'o-conf-2', amount: 200 }, { idempotencyKey: key }),
    ).rejects.toBeInstanceOf(IdempotencyError);
    const { data: live } = await checkout.createAuthorization({
      ...order,
      orderId: 'o-conf-3',
      amount: 1_000,
    });
    await risk.freeze(accountId, { reason: 'suspected fraud' });
    const declineKey = randomUUID();
    for (const replayed of [false, true]) {
      await expect(
        checkout.createAuthorization(
          { ...order, orderId: 'o-conf-4', amount: 1_000 },
          { idempotencyKey: declineKey },
        ),
      ).rejects.toMatchObject({
        code: 'account_frozen',
        replayed,
        authorization: { status: 'declined' },
      });
    }
    await expect(checkout.increment(live.id, { amount: 1_000 })).rejects.toMatchObject({
      code: 'account_frozen',
      authorization: { id: live.id },
    });
    await risk.unfreeze(accountId, { reason: 'cleared' });

    // Manual review: one approved, one declined.
    const { data: big1 } = await checkout.createAuthorization({
      ...order,
      orderId: 'o-conf-5',
      amount: REVIEW_THRESHOLD_MINOR,
    });
    const { data: big2 } = await checkout.createAuthorization({
      ...order,
      orderId: 'o-conf-6',
      amount: REVIEW_THRESHOLD_MINOR,
    });
    expect([big1.status, big2.status]).toEqual(['pending_review', 'pending_review']);
    const { data: queue } = await risk.listReviews({ limit: 100 });
    expect(queue.data.map((a) => a.id)).toEqual(expect.arrayContaining([big1.id, big2.id]));
    expect((await risk.approveReview(big1.id)).data.status).toBe('authorized');
    expect((await risk.declineReview(big2.id)).data.status).toBe('declined');

    // Clients: listed, rotated (the old key keeps working), revoked twice (the same answer), and their errors.
    const { data: temp } = await admin.createClient({ name: 'temporary', scopes: ['checkout'] });
    expect((await admin.listClients()).data.data.map((c) => c.id)).toContain(temp.id);
    const { data: rotated } = await admin.rotateClient(temp.id, { overlapSeconds: 3_600 });
    await as(rotated.apiKey).getAccount(accountId);
    await as(temp.apiKey).getAccount(accountId);
    expect((await admin.revokeClient(temp.id)).data.revokedAt).toBeDefined();
    await admin.revokeClient(temp.id);
    await expect(admin.rotateClient(temp.id)).rejects.toMatchObject({ code: 'client_revoked' });
    await expect(admin.revokeClient('cli_missing')).rejects.toBeInstanceOf(NotFoundError);

    // Limits, promotions, jobs.
    await risk.setProfile(accountId, strongProfile() as never);
    await checkout.requestLimitIncrease(accountId, { requestedLimit: 6_000_000 });
    const nowMs = Date.now();
    const promotionId = `promo_${randomUUID().slice(0, 8)}`;
    await admin.createPromotion({
      id: promotionId,
      name: 'Singles Day',
      kind: 'uplift',
      upliftPercent: 10,
      startsAt: new Date(nowMs - 3_600_000).toISOString(),
      endsAt: new Date(nowMs + 86_400_000).toISOString(),
    });
    await risk.listPromotions();
    await admin.endPromotion(promotionId);
    // Budgets: created, read, adjusted (up, then below what is drawn: refused), ended.
    const budgetId = `budget_${randomUUID().slice(0, 8)}`;
    await admin.createBudget({
      id: budgetId,
      name: 'Singles Day risk target',
      currency: 'CNY',
      amount: 500_000,
      startsAt: new Date(nowMs - 3_600_000).toISOString(),
      endsAt: new Date(nowMs + 86_400_000).toISOString(),
    });
    await risk.getBudget(budgetId);
    await admin.adjustBudget(budgetId, { amount: 600_000 });
    await admin.endBudget(budgetId);
    await expect(admin.adjustBudget(budgetId, { amount: 700_000 })).rejects.toMatchObject({
      code: 'budget_ended',
    });
    const { data: job } = await risk.startLimitRefresh({ dryRun: true });
    let status = job.status;
    for (let poll = 0; status === 'running' && poll < MAX_JOB_POLLS; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_INTERVAL_MS));
      status = (await risk.getJob(job.id)).data.status;
    }
    expect(status).toBe('succeeded');

    // Risk settings: read, new holds paused (a hold is declined holds_paused, with the declined hold), resumed.
    const { data: settings } = await risk.getRiskSettings();
    const change = settingsChangeOf(settings);
    await risk.setRiskSettings({ ...change, newHoldsPaused: true, reason: 'conformance' });
    await expect(
      checkout.createAuthorization({ ...order, orderId: 'o-conf-7', amount: 100 }),
    ).rejects.toMatchObject({ code: 'holds_paused', authorization: { status: 'declined' } });
    await risk.setRiskSettings({ ...change, reason: 'conformance over' });

    // Installments and coupons: options, a coupon, a capture into a plan, its reads.
    const { data: coupon } = await admin.createCoupon({
      accountId,
      kind: 'fee_discount',
      discountBps: 5_000,
      counts: [6, 12],
      validFrom: new Date(nowMs - 3_600_000).toISOString(),
      validUntil: new Date(nowMs + 86_400_000).toISOString(),
    });
    await checkout.installmentOptions({ accountId, amount: 30_000, couponId: coupon.id });
    const { data: planned } = await checkout.createAuthorization({
      ...order,
      orderId: 'o-conf-8',
      amount: 30_000,
    });
    const { data: withPlan } = await checkout.capture(planned.id, {
      installments: { count: 6, couponId: coupon.id },
    });
    await servicing.getInstallmentPlan(withPlan.installmentPlanId ?? '');
    await servicing.listInstallmentPlans(accountId);
    await servicing.listAccountCoupons(accountId);
    await servicing.getStatement(accountId);
    await risk.startBilling();
    const { data: campaignJob } = await admin.startCouponCampaign({
      id: 'conformance-618',
      kind: 'interest_free',
      counts: [12],
      validFrom: new Date(nowMs - 3_600_000).toISOString(),
      validUntil: new Date(nowMs + 86_400_000).toISOString(),
      riskTiers: ['A', 'B'],
    });
    // The run goes on after its 202: read its job (bounded) until it has finished.
    for (let i = 0, status = campaignJob.status; i < 200 && status === 'running'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await risk.getJob(campaignJob.id)).data.status;
    }

    expect(problems).toEqual([]);
    expect([...exercised].sort()).toEqual(ROUTES.map(routeKey).sort());
    expect([...replays].sort()).toEqual([200, 402, 409]);
  });

  it('documents the 402 body of a reserve as the declined authorization', async () => {
    const problems: string[] = [];
    const checkoutKey = (await api.createClient(['checkout'])).apiKey;
    const client = new CheckoutClient({
      baseUrl: app.url,
      apiKey: checkoutKey,
      fetch: conformingFetch(new Set(), problems),
    });
    const accountId = await api.createAccount(1_000);
    const declined = await client
      .createAuthorization({ accountId, amount: 1_001, currency: 'CNY', orderId: 'o-d' })
      .catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(DeclinedError);
    expect(problems).toEqual([]);
  });
});
