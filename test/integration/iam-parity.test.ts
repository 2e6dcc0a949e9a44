/**
 * IAM parity: every function of the stack, run here, makes only DynamoDB and parameter store (SSM) requests its
 * deployed role allows. DynamoDB Local and the local parameter store ignore IAM, so a request a role does not allow
 * passes every other test and fails in AWS (ending a promotion did: a Delete inside TransactWriteItems needs
 * dynamodb:DeleteItem; a function reading the risk settings without ssm:GetParameter would apply only the
 * deployed defaults, silently).
 *
 * Each route runs through the local server (one function per route, the authorizer in front), each job and the
 * bootstrap admin custom resource through its handler with a Lambda context and the event AWS would send; refresh segments go through a stand-in queue
 * (test/support/fake-sqs.ts) to the worker, as in AWS, not in-process. An SDK middleware on the service's DynamoDB
 * client records every request with the function it ran for (local/invocation.ts), and the local parameter store
 * reports every read and write as the SSM action AWS would authorize; the risk settings are read on every use
 * here (RISK_SETTINGS_MAX_AGE_SECONDS=0), so each reader's own read is checked. Every request, and every item
 * inside a transaction, is then held against that function's role as synthesized from the stack
 * (test/support/iam.ts). A function the scenario never reaches fails too: the list is the stack's functions.
 *
 * The steps build on each other, as one day of the service: clients and accounts, holds, their settlement,
 * limits and promotions, then the jobs. Each reaches its route's write paths: success, decline, replay, conflict.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServiceFunction } from '../../infra/constructs/service-function.js';
import { asInvocationOf, invokedEntry, lambdaContext } from '../../local/invocation.js';
import { PROMOTIONS_BY_END_PARTITION } from '../../shared/storage/table.js';
import { Api, type Reply } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { startFakeSqs, type FakeSqs } from '../support/fake-sqs.js';
import { type FakeEventBridge, startFakeEventBridge } from '../support/fake-eventbridge.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import {
  type FakeCloudFormation,
  secretArn,
  startFakeCloudFormation,
} from '../support/fake-cloudformation.js';
import {
  type Access,
  accessesOf,
  grantsByEntry,
  parameterArn,
  refusal,
  type Statement,
  BUDGETS_TABLE_ARN,
  EVENTS_TABLE_ARN,
  TABLE_ARN,
} from '../support/iam.js';
import { strongProfile } from '../support/profiles.js';
import { present } from '../../shared/assert.js';

/** Amounts at or above this wait for review: small, so the scenario makes reviews with small limits. */
const REVIEW_THRESHOLD = 50_000;
/** What the test itself writes (backdating a hold for the sweeper): not a function, held against no role. */
const HARNESS = 'test harness';
/** The jobs' timeouts (infra/constructs/jobs.ts): what their Lambda contexts report as remaining at the start. */
const WORKER_TIMEOUT_MS = 300_000;
const SWEEPER_TIMEOUT_MS = 55_000;
const SCHEDULER_TIMEOUT_MS = 30_000;
/** The bootstrap custom resource's timeout (infra/constructs/bootstrap-admin.ts). */
const BOOTSTRAP_TIMEOUT_MS = 30_000;
const DAY_MS = 86_400_000;

interface Call {
  entry: string | undefined;
  operation: string;
  accesses: Access[];
}

const calls: Call[] = [];
let fakeSqs: FakeSqs;
/** The coupon campaign queue: its own, so the refresh test delivers only refresh segments. */
let campaignSqs: FakeSqs;
/** The webhook deliveries FIFO queue and the event bus the stream mapper sends to. */
let webhookSqs: FakeSqs;
let bus: FakeEventBridge;
let cloudFormation: FakeCloudFormation;
let app: TestApp;
let api: Api;
let grants: Map<string, Statement[]>;
let deployedEntries: string[];

const arnOf = (tableName: string) => {
  if (tableName === app.tableName) return TABLE_ARN;
  if (tableName === `${app.tableName}-events`) return EVENTS_TABLE_ARN;
  if (tableName === `${app.tableName}-budgets`) return BUDGETS_TABLE_ARN;
  return `arn:aws:dynamodb:region:account:table/${tableName}`;
};

/** The job modules (infra/stack.ts), loaded after the service's environment is set (see startTestApp). */
let JOB_ENTRIES: typeof import('../../infra/stack.js').JOB_ENTRIES;
/** The events pipeline's modules (infra/stack.ts). */
let EVENT_ENTRIES: typeof import('../../infra/stack.js').EVENT_ENTRIES;
/** The bootstrap admin custom resource's module (infra/stack.ts). */
let BOOTSTRAP_ADMIN_ENTRY: string;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown> & { credit: { stackNamePrefix: string; defaultStage: string } };
};
/** The risk settings parameter as the synthesized stack (cdk.json's default stage) names it for its functions. */
const { stackNamePrefix, defaultStage } = cdkJson.context.credit;
const RISK_SETTINGS_PARAMETER = `/${stackNamePrefix}-${defaultStage}/risk-settings`;

/** The stack as `cdk synth` builds it (cdk.json's context), without bundling or CloudFormation's schema check. */
async function synthesizeGrants(): Promise<void> {
  // Loaded only now: the stack imports every route's module, which reads the service's configuration.
  const { buildApp } = await import('../../infra/app.js');
  const { ServiceFunction } = await import('../../infra/constructs/service-function.js');
  ({ JOB_ENTRIES, EVENT_ENTRIES, BOOTSTRAP_ADMIN_ENTRY } = await import('../../infra/stack.js'));
  // The schema check takes ~10 s and test/infra runs it; roles and policies are the same without it.
  process.env['CDK_VALIDATION'] = 'false';
  // With a From address for notification emails, so the stack has its mail sweeper too.
  const credit = { ...cdkJson.context.credit, notificationsMailFrom: 'notifications@example.com' };
  const { stack } = buildApp({ ...cdkJson.context, credit, 'aws:cdk:bundling-stacks': [] });
  const template = Template.fromStack(stack);
  const functions = stack.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction);
  deployedEntries = functions.map((f) => f.entry).sort();
  grants = grantsByEntry(stack, template, functions, stack.data.table, stack.data.events, stack.data.budgets);
}

/** Every read and write of the local parameter store, as the SSM request AWS would authorize. */
async function recordParameterRequests(): Promise<void> {
  const { localParameterStore } = await import('../../shared/settings/parameter-store.js');
  localParameterStore.onAccess(({ action, name }) => {
    const access = { action, resource: parameterArn(name), leadingKeys: undefined, what: action };
    calls.push({ entry: invokedEntry(), operation: action, accesses: [access] });
  });
}

async function recordDynamoRequests(): Promise<void> {
  const { dynamoClient } = await import('../../shared/storage/dynamo-client.js');
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      calls.push({ entry: invokedEntry(), operation, accesses: accessesOf(operation, args.input, arnOf) });
      return next(args);
    },
    { step: 'initialize', name: 'iamParityRecorder' },
  );
}

beforeAll(async () => {
  fakeSqs = await startFakeSqs();
  campaignSqs = await startFakeSqs();
  webhookSqs = await startFakeSqs();
  bus = await startFakeEventBridge();
  process.env['WEBHOOK_QUEUE_URL'] = webhookSqs.queueUrl;
  process.env['EVENT_BUS_NAME'] = 'parity-events';
  process.env['AWS_ENDPOINT_URL_EVENTBRIDGE'] = bus.endpoint;
  // The mail sweeper reads the outbox at any hour of the run (in quiet hours it would read nothing).
  process.env['NOTIFY_QUIET_HOURS'] = 'off';
  // The bootstrap custom resource reads its secret through the SDK and answers CloudFormation at a URL: both here.
  cloudFormation = await startFakeCloudFormation();
  process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = cloudFormation.secretsEndpoint;
  process.env['REFRESH_QUEUE_URL'] = fakeSqs.queueUrl;
  process.env['BILLING_QUEUE_URL'] = fakeSqs.queueUrl;
  process.env['COUPON_CAMPAIGN_QUEUE_URL'] = campaignSqs.queueUrl;
  // The SDK sends to the queue URL's host anyway; saying so keeps it from warning about it on every send.
  process.env['AWS_ENDPOINT_URL_SQS'] = new URL(fakeSqs.queueUrl).origin;
  // The SQS client signs its requests; the stand-in queue does not check them.
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  app = await startTestApp({
    REVIEW_THRESHOLD: String(REVIEW_THRESHOLD),
    VELOCITY_MAX: '0',
    // Read on every use, so each reader's own read is checked; under the name the deployed functions are given.
    RISK_SETTINGS_MAX_AGE_SECONDS: '0',
    RISK_SETTINGS_PARAMETER,
  });
  api = new Api(app.url);
  await recordDynamoRequests();
  await recordParameterRequests();
  await synthesizeGrants();
}, 120_000);
afterAll(async () => {
  await app.close();
  await fakeSqs.close();
  await campaignSqs.close();
  await webhookSqs.close();
  await bus.close();
  await cloudFormation.close();
});

/** Every request a function's role does not allow, one line each (the same line once). */
function violations(): string[] {
  const lines = calls.flatMap((call): string[] => {
    if (call.entry === HARNESS) return [];
    if (call.entry === undefined)
      return [`${call.operation} made outside any function invocation: no role to check it against`];
    const statements = grants.get(call.entry);
    if (!statements) return [`${call.entry}: no function of the stack runs this module`];
    return call.accesses.flatMap((access) => {
      const why = refusal(statements, access);
      return why === undefined ? [] : [`${call.entry}: ${access.what}: ${why}`];
    });
  });
  return [...new Set(lines)];
}

function expectStatus(reply: Reply, status: number, code?: string): void {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status, code });
}

/** A job module's `handler` (functions/jobs/*.ts), by its entry. */
async function jobHandler<H>(entry: string): Promise<H> {
  const module = (await import(`../../${entry.replace(/\.ts$/, '.js')}`)) as { handler: H };
  return module.handler;
}

const sqsEvent = (message: { messageId: string; body: string }): SQSEvent =>
  ({
    Records: [
      {
        messageId: message.messageId,
        receiptHandle: message.messageId,
        body: message.body,
        eventSource: 'aws:sqs',
      },
    ],
  }) as unknown as SQSEvent;

const nowIso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

let checkout: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };
let accountId: string;
let smallAccountId: string;
let smallHoldId: string;

describe('every function, run locally, is held to the role the stack gives it', () => {
  it('clients, accounts, profiles and freezes', async () => {
    checkout = await api.createClient(['checkout']);
    servicing = await api.createClient(['servicing']);
    risk = await api.createClient(['risk']);
    accountId = await api.createAccount(100_000, { profile: strongProfile() });
    smallAccountId = await api.createAccount(30_000);
    expectStatus(
      await api.call('POST', '/v1/accounts', {
        key: ADMIN_KEY,
        body: { id: accountId, currency: 'CNY', creditLimit: 1 },
      }),
      409,
      'account_exists',
    );
    expectStatus(
      await api.call('GET', `/v1/accounts/${accountId}`, { key: 'sk_not_a_key_of_anyone' }),
      401,
      'invalid_api_key',
    );
    expectStatus(await api.call('GET', `/v1/accounts/${accountId}`, { key: checkout.apiKey }), 200);
    expectStatus(
      await api.call('PUT', `/v1/accounts/${accountId}/profile`, {
        key: risk.apiKey,
        body: strongProfile({ tenureMonths: 60 }),
      }),
      200,
    );
    expectStatus(
      await api.call('PUT', '/v1/accounts/acc_nobody/profile', { key: risk.apiKey, body: strongProfile() }),
      404,
      'account_not_found',
    );

    const reason = { reason: 'fraud check' };
    expectStatus(
      await api.call('POST', `/v1/accounts/${smallAccountId}/freeze`, { key: risk.apiKey, body: reason }),
      200,
    );
    expectStatus(
      await api.authorize(checkout.apiKey, { accountId: smallAccountId, amount: 1_000 }),
      402,
      'account_frozen',
    );
    expectStatus(
      await api.call('POST', `/v1/accounts/${smallAccountId}/unfreeze`, { key: risk.apiKey, body: reason }),
      200,
    );
    expectStatus(
      await api.call('POST', '/v1/accounts/acc_nobody/freeze', { key: risk.apiKey, body: reason }),
      404,
      'account_not_found',
    );
  });

  it('client keys: listed, rotated, revoked (twice), and unknown or revoked clients', async () => {
    const shop = await api.createClient(['checkout']);
    expectStatus(await api.call('GET', '/v1/clients', { key: ADMIN_KEY }), 200);
    const rotate = (id: string) =>
      api.call('POST', `/v1/clients/${id}/rotate`, { key: ADMIN_KEY, body: { overlapSeconds: 60 } });
    const rotated = await rotate(shop.id);
    expectStatus(rotated, 201);
    expectStatus(await rotate(shop.id), 201);
    expectStatus(
      await api.call('GET', '/v1/clients', { key: rotated.body.apiKey }),
      403,
      'insufficient_scope',
    );
    expectStatus(await api.call('DELETE', `/v1/clients/${shop.id}`, { key: ADMIN_KEY }), 200);
    expectStatus(await api.call('DELETE', `/v1/clients/${shop.id}`, { key: ADMIN_KEY }), 200);
    expectStatus(await rotate(shop.id), 409, 'client_revoked');
    expectStatus(await rotate('cli_nobody'), 404, 'client_not_found');
    expectStatus(
      await api.call('DELETE', '/v1/clients/cli_nobody', { key: ADMIN_KEY }),
      404,
      'client_not_found',
    );
    expectStatus(await api.call('GET', '/v1/clients', { key: shop.apiKey }), 401, 'invalid_api_key');
  });

  it('the bootstrap admin custom resource: created, found again, given a second key', async () => {
    type Handler = (
      event: unknown,
      context: Context,
    ) => Promise<{ Status: string; Data?: { Outcome: string } }>;
    const bootstrap = await jobHandler<Handler>(BOOTSTRAP_ADMIN_ENTRY);
    const run = async (requestType: 'Create' | 'Update', arn: string) => {
      const event = cloudFormation.event(requestType, { SecretArn: arn }, 'cli_bootstrap_admin');
      const context = lambdaContext('bootstrap-admin', randomUUID(), BOOTSTRAP_TIMEOUT_MS);
      return asInvocationOf(BOOTSTRAP_ADMIN_ENTRY, () => bootstrap(event, context));
    };
    const [first, second] = [secretArn('bootstrap'), secretArn('bootstrap-again')];
    const firstKey = `bootstrap-${randomUUID()}`;
    cloudFormation.secrets.set(first, firstKey);
    cloudFormation.secrets.set(second, `bootstrap-${randomUUID()}`);
    expect(await run('Create', first)).toMatchObject({ Status: 'SUCCESS', Data: { Outcome: 'created' } });
    expect(await run('Update', first)).toMatchObject({ Status: 'SUCCESS', Data: { Outcome: 'existed' } });
    expect(await run('Update', second)).toMatchObject({ Status: 'SUCCESS', Data: { Outcome: 'key_added' } });
    expectStatus(await api.call('GET', '/v1/clients', { key: firstKey }), 200);
  });

  it('holds: approved, replayed, key reused, declined, sent to review, for an unknown account', async () => {
    const key = randomUUID();
    const order = { accountId, amount: 10_000, orderId: 'o-parity' };
    const approved = await api.authorize(checkout.apiKey, order, key);
    expectStatus(approved, 201);
    const replay = await api.authorize(checkout.apiKey, order, key);
    expectStatus(replay, 201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expectStatus(
      await api.authorize(checkout.apiKey, { ...order, amount: 11_000 }, key),
      409,
      'idempotency_key_reused',
    );

    const declineKey = randomUUID();
    const tooMuch = { accountId: smallAccountId, amount: 40_000, orderId: 'o-too-much' };
    expectStatus(await api.authorize(checkout.apiKey, tooMuch, declineKey), 402, 'insufficient_credit');
    expectStatus(await api.authorize(checkout.apiKey, tooMuch, declineKey), 402, 'insufficient_credit');
    expectStatus(
      await api.authorize(checkout.apiKey, { accountId: 'acc_nobody', amount: 1_000 }),
      404,
      'account_not_found',
    );

    const reviewed = await api.createAccount(200_000);
    for (let i = 0; i < 2; i += 1)
      expect(
        (await api.authorize(checkout.apiKey, { accountId: reviewed, amount: 60_000 })).body.status,
      ).toBe('pending_review');
    expectStatus(
      await api.call('GET', `/v1/authorizations/${approved.body.id}`, { key: checkout.apiKey }),
      200,
    );
  });

  it('the risk settings: read, changed, a bad change refused; new holds paused, declined, and resumed', async () => {
    expectStatus(await api.call('GET', '/v1/risk-settings', { key: risk.apiKey }), 200);
    const live = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 });
    expectStatus(live, 201);
    expectStatus(await api.changeRiskSettings({ newHoldsPaused: true }, risk.apiKey), 200);
    expectStatus(await api.authorize(checkout.apiKey, { accountId, amount: 1_000 }), 402, 'holds_paused');
    const increment = `/v1/authorizations/${live.body.id}/increment`;
    expectStatus(await api.post(checkout.apiKey, increment, { amount: 1 }), 402, 'holds_paused');
    expectStatus(await api.changeRiskSettings({ velocityMax: 33 }, risk.apiKey), 400, 'validation_failed');
    expectStatus(await api.changeRiskSettings({ newHoldsPaused: false }, risk.apiKey), 200);
    expectStatus(await api.post(checkout.apiKey, increment, { amount: 1 }), 200);
    expectStatus(await api.post(checkout.apiKey, `/v1/authorizations/${live.body.id}/release`, {}), 200);
  });

  it('settling holds: capture, increment, release, refund, repay, review; with replays, conflicts and declines', async () => {
    const hold = (await api.authorize(checkout.apiKey, { accountId, amount: 10_000 })).body.id as string;
    const path = (action: string) => `/v1/authorizations/${hold}/${action}`;
    const captureKey = randomUUID();
    expectStatus(
      await api.post(checkout.apiKey, path('capture'), { amount: 4_000, final: false }, captureKey),
      200,
    );
    expectStatus(
      await api.post(checkout.apiKey, path('capture'), { amount: 4_000, final: false }, captureKey),
      200,
    );
    expectStatus(
      await api.post(checkout.apiKey, path('capture'), { amount: 50_000 }),
      409,
      'amount_exceeds_remaining',
    );
    expectStatus(await api.post(checkout.apiKey, path('increment'), { amount: 1_000 }), 200);
    expectStatus(await api.post(checkout.apiKey, path('release'), { amount: 1_000 }), 200);
    expectStatus(await api.post(checkout.apiKey, path('refunds'), { amount: 2_000 }), 201);
    expectStatus(
      await api.post(checkout.apiKey, path('refunds'), { amount: 100_000 }),
      409,
      'amount_exceeds_remaining',
    );
    expectStatus(await api.post(checkout.apiKey, path('capture'), { final: true }), 200);

    smallHoldId = (await api.authorize(checkout.apiKey, { accountId: smallAccountId, amount: 10_000 })).body
      .id;
    expectStatus(
      await api.post(checkout.apiKey, `/v1/authorizations/${smallHoldId}/increment`, { amount: 25_000 }),
      402,
      'insufficient_credit',
    );

    const repayKey = randomUUID();
    const repayments = `/v1/accounts/${accountId}/repayments`;
    expectStatus(
      await api.post(servicing.apiKey, repayments, { amount: 1_000, currency: 'CNY' }, repayKey),
      201,
    );
    expectStatus(
      await api.post(servicing.apiKey, repayments, { amount: 1_000, currency: 'CNY' }, repayKey),
      201,
    );
    expectStatus(
      await api.post(servicing.apiKey, repayments, { amount: 1_000_000, currency: 'CNY' }),
      409,
      'amount_exceeds_remaining',
    );
    expectStatus(
      await api.call('GET', `/v1/accounts/${accountId}/journal?limit=5`, { key: servicing.apiKey }),
      200,
    );

    const queue = await api.call('GET', '/v1/reviews', { key: risk.apiKey });
    expectStatus(queue, 200);
    const [first, second] = queue.body.data as Array<{ id: string }>;
    expectStatus(await api.call('POST', `/v1/reviews/${first!.id}/approve`, { key: risk.apiKey }), 200);
    expectStatus(await api.call('POST', `/v1/reviews/${second!.id}/decline`, { key: risk.apiKey }), 200);
    expectStatus(
      await api.call('POST', `/v1/reviews/${first!.id}/approve`, { key: risk.apiKey }),
      409,
      'invalid_state',
    );
  });

  it('installments and coupons: options, issue, list, capture with a plan and a coupon, race, refund, reads', async () => {
    const owner = await api.createAccount(2_000_000);
    const coupon = {
      accountId: owner,
      kind: 'interest_free',
      counts: [12],
      validFrom: new Date(Date.now() - DAY_MS).toISOString(),
      validUntil: new Date(Date.now() + DAY_MS).toISOString(),
    };
    const issued = await api.call('POST', '/v1/coupons', { key: ADMIN_KEY, body: coupon });
    expectStatus(issued, 201);
    expectStatus(
      await api.call('POST', '/v1/coupons', { key: ADMIN_KEY, body: { ...coupon, accountId: 'acc_nobody' } }),
      404,
      'account_not_found',
    );
    const couponId = issued.body.id as string;
    expectStatus(
      await api.call('GET', `/v1/installment-options?accountId=${owner}&amount=20000&couponId=${couponId}`, {
        key: checkout.apiKey,
      }),
      200,
    );
    const holds = await Promise.all(
      [1, 2].map(
        async () => (await api.authorize(checkout.apiKey, { accountId: owner, amount: 20_000 })).body.id,
      ),
    );
    const captures = await Promise.all(
      holds.map((id) =>
        api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, {
          installments: { count: 12, couponId },
        }),
      ),
    );
    expect(captures.map((c) => c.status).sort()).toEqual([200, 409]);
    const winner = present(
      captures.find((c) => c.status === 200),
      'the winning capture',
    ).body;
    expectStatus(
      await api.post(checkout.apiKey, `/v1/authorizations/${winner.id}/refunds`, { amount: 20_000 }),
      201,
    );
    expectStatus(
      await api.call('GET', `/v1/installment-plans/${winner.installmentPlanId}`, { key: servicing.apiKey }),
      200,
    );
    for (const read of ['coupons', 'installment-plans', 'statement'])
      expectStatus(await api.call('GET', `/v1/accounts/${owner}/${read}`, { key: servicing.apiKey }), 200);
    // The billing run goes on after its 202: wait (bounded) until it has read the accounts.
    expectStatus(await api.call('POST', '/v1/jobs/billing', { key: risk.apiKey }), 202);
    for (let i = 0; i < 100 && !calls.some((c) => c.entry === 'functions/http/jobs-billing.ts'); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // The coupon campaign too (every tier, so it issues): the route enqueues its chunks, the worker runs each
    // (SQS delivers at least once: the first twice) and the job finishes.
    const { accountId: _owner, ...terms } = coupon;
    const sentBefore = campaignSqs.sent.length;
    const campaign = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: { ...terms, id: 'parity-campaign', riskTiers: ['A', 'B', 'C', 'D', 'E'] },
    });
    expectStatus(campaign, 202);
    const chunks = campaignSqs.sent.slice(sentBefore);
    expect(chunks.length).toBeGreaterThan(0);
    type Worker = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    const worker = await jobHandler<Worker>(JOB_ENTRIES.couponCampaignWorker);
    for (const message of [...chunks, chunks[0]!]) {
      const result = await asInvocationOf(JOB_ENTRIES.couponCampaignWorker, () =>
        worker(sqsEvent(message), lambdaContext('coupon-campaign-worker', randomUUID(), WORKER_TIMEOUT_MS)),
      );
      expect(result.batchItemFailures).toEqual([]);
    }
    const job = await api.call('GET', `/v1/jobs/${campaign.body.id}`, { key: risk.apiKey });
    expect(job.body).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(job.body.processed).toBeGreaterThan(0);
  });

  it('events and webhook endpoints: create, list, delete, and the event list', async () => {
    const made = await api.call('POST', '/v1/webhook-endpoints', {
      key: ADMIN_KEY,
      body: { url: 'https://hooks.example.com/parity', events: ['account.frozen'] },
    });
    expectStatus(made, 201);
    expectStatus(await api.call('GET', '/v1/webhook-endpoints', { key: ADMIN_KEY }), 200);
    expectStatus(await api.call('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { key: ADMIN_KEY }), 200);
    expectStatus(
      await api.call('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { key: ADMIN_KEY }),
      404,
      'webhook_endpoint_not_found',
    );
    const page = await api.call('GET', `/v1/events?accountId=${accountId}&limit=1`, { key: risk.apiKey });
    expectStatus(page, 200);
    const next = encodeURIComponent(page.body.nextCursor);
    expectStatus(
      await api.call('GET', `/v1/events?accountId=${accountId}&after=${next}`, { key: risk.apiKey }),
      200,
    );
  });

  it('the events pipeline: the stream mapper stores, publishes and queues; the deliverer delivers, backs off, marks', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const made = await api.call('POST', '/v1/webhook-endpoints', {
        key: ADMIN_KEY,
        body: { url: receiver.url, events: ['*'] },
      });
      expectStatus(made, 201);
      const hold = await api.authorize(checkout.apiKey, { accountId, amount: 100 });
      expectStatus(hold, 201);
      // The stream record Lambda would hand over for that hold: its item, as DynamoDB wrote it.
      const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
      const { marshall } = await import('@aws-sdk/util-dynamodb');
      const { authorizationKey } = await import('../../shared/authorizations/repository.js');
      const { documentClient } = await import('../../shared/storage/dynamo-client.js');
      const Key = present(authorizationKey(hold.body.id), 'the hold key');
      const { Item: item } = await asInvocationOf(HARNESS, () =>
        documentClient.send(new GetCommand({ TableName: app.tableName, Key, ConsistentRead: true })),
      );
      const Item = marshall(present(item, 'the hold item'), { removeUndefinedValues: true });
      type Mapper = (event: unknown, context: Context) => Promise<void>;
      const mapper = await jobHandler<Mapper>(EVENT_ENTRIES.mapper);
      const record = { eventName: 'INSERT', dynamodb: { NewImage: Item, SequenceNumber: '1' } };
      // Twice, as a retried batch: stored once, sent again under the same ids.
      for (let i = 0; i < 2; i += 1)
        await asInvocationOf(EVENT_ENTRIES.mapper, () =>
          mapper({ Records: [record] }, lambdaContext('event-mapper', randomUUID(), WORKER_TIMEOUT_MS)),
        );
      expect(bus.entries.map((e) => e.DetailType)).toEqual([
        'authorization.created',
        'authorization.created',
      ]);
      const [message] = webhookSqs.sent;
      expect(message).toBeDefined();
      type Deliverer = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
      const deliverer = await jobHandler<Deliverer>(EVENT_ENTRIES.deliverer);
      const fifo = (m: { messageId: string; body: string }): SQSEvent => {
        const event = sqsEvent(m);
        Object.assign(event.Records[0]!, {
          attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '1' },
        });
        return event;
      };
      const deliverOnce = () =>
        asInvocationOf(EVENT_ENTRIES.deliverer, () =>
          deliverer(fifo(message!), lambdaContext('webhook-deliverer', randomUUID(), WORKER_TIMEOUT_MS)),
        );
      // The receiver down: the delivery fails, the endpoint is marked failing, the message waits (backoff).
      receiver.down = true;
      expect((await deliverOnce()).batchItemFailures).toHaveLength(1);
      expect(webhookSqs.visibilityChanges).toHaveLength(1);
      // Back up: delivered, and the endpoint is healthy again.
      receiver.down = false;
      expect((await deliverOnce()).batchItemFailures).toEqual([]);
      expect(receiver.accepted.map((d) => d.event.type)).toEqual(['authorization.created']);
      // The notifier, fed by the bus's rule through SQS (the event is the envelope's `detail`): a limit raised.
      type Notifier = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
      const notifier = await jobHandler<Notifier>(EVENT_ENTRIES.notifier);
      const raised = {
        id: `evt_parity_${randomUUID().slice(0, 8)}`,
        object: 'event',
        type: 'account.limit_changed',
        createdAt: new Date().toISOString(),
        accountId,
        data: {
          object: 'journal_entry',
          type: 'limit_change',
          amount: 1_000,
          delta: { totalLimit: 1_000, reserved: 0, outstanding: 0, available: 1_000 },
          reasons: [{ code: 'score_up', message: 'Your credit score rose.' }],
        },
      };
      const notified = await asInvocationOf(EVENT_ENTRIES.notifier, () =>
        notifier(
          sqsEvent({ messageId: randomUUID(), body: JSON.stringify({ detail: raised }) }),
          lambdaContext('notifier', randomUUID(), WORKER_TIMEOUT_MS),
        ),
      );
      expect(notified.batchItemFailures).toEqual([]);
      const inbox = await api.call('GET', `/v1/accounts/${accountId}/notifications`, {
        key: checkout.apiKey,
      });
      expect(inbox.body.data.map((n: { kind: string }) => n.kind)).toContain('limit_raised');
      // The mail sweeper reads the outbox (nothing waits: no contact here has an email, so nothing is sent).
      type Sweeper = (event: unknown, context: Context) => Promise<unknown>;
      const mailSweeper = await jobHandler<Sweeper>(EVENT_ENTRIES.mailSweeper);
      await asInvocationOf(EVENT_ENTRIES.mailSweeper, () =>
        mailSweeper({}, lambdaContext('mail-sweeper', randomUUID(), WORKER_TIMEOUT_MS)),
      );
    } finally {
      await receiver.close();
    }
  });

  it('customer notifications: the contact, the inbox, a read mark', async () => {
    const contact = `/v1/accounts/${accountId}/contact`;
    expectStatus(
      await api.call('PUT', contact, {
        key: servicing.apiKey,
        body: { email: 'parity@example.com', locale: 'en' },
      }),
      200,
    );
    expectStatus(
      await api.call('PUT', '/v1/accounts/acc_nobody/contact', {
        key: servicing.apiKey,
        body: { locale: 'en' },
      }),
      404,
      'account_not_found',
    );
    const inbox = `/v1/accounts/${accountId}/notifications`;
    // An empty inbox reads the account too (404 when there is none).
    expectStatus(await api.call('GET', inbox, { key: checkout.apiKey }), 200);
    expectStatus(
      await api.call('GET', '/v1/accounts/acc_nobody/notifications', { key: checkout.apiKey }),
      404,
      'account_not_found',
    );
    // One notification, made as the event consumer makes it (the notifier's own function is not in the stack yet).
    const { Notifier } = await import('../../shared/notifications/notifier.js');
    const made = await asInvocationOf(HARNESS, () =>
      new Notifier().handle([
        {
          id: 'evt_parity_limit_change',
          object: 'event',
          type: 'account.limit_changed',
          createdAt: nowIso(),
          accountId,
          data: { delta: { totalLimit: 10_000 }, reasons: [{ code: 'parity', message: 'A parity check.' }] },
        },
      ]),
    );
    expect(made.made).toBe(1);
    const listed = await api.call('GET', inbox, { key: servicing.apiKey });
    expectStatus(listed, 200);
    const read = `${inbox}/${listed.body.data[0].id}/read`;
    expectStatus(await api.call('POST', read, { key: checkout.apiKey }), 200);
    expectStatus(
      await api.call('POST', `${inbox}/ntf_parity_missing/read`, { key: checkout.apiKey }),
      404,
      'notification_not_found',
    );
  });

  it('promotions and limits: create (indexing a fresh table), list, end, limit requests, refresh runs', async () => {
    const uplift = {
      id: 'parity-uplift',
      name: 'Parity week',
      kind: 'uplift',
      upliftAmount: 10_000,
      startsAt: nowIso(-DAY_MS),
      endsAt: nowIso(DAY_MS),
    };
    const quota = {
      id: 'parity-quota',
      name: 'Gadgets',
      kind: 'category_quota',
      category: 'gadgets',
      quotaAmount: 5_000,
      startsAt: nowIso(-DAY_MS),
      endsAt: nowIso(2 * DAY_MS),
    };
    expectStatus(await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: uplift }), 201);
    expectStatus(
      await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: uplift }),
      409,
      'promotion_exists',
    );
    expectStatus(await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: quota }), 201);
    expectStatus(await api.call('GET', '/v1/promotions?limit=1', { key: risk.apiKey }), 200);

    const limitRequests = `/v1/accounts/${accountId}/limit-requests`;
    expectStatus(
      await api.call('POST', limitRequests, { key: checkout.apiKey, body: { requestedLimit: 150_000 } }),
      200,
    );
    expectStatus(
      await api.call('POST', limitRequests, { key: checkout.apiKey, body: { requestedLimit: 150_000 } }),
      429,
      'too_many_requests',
    );

    // Ending moves the promotion's end-index copy: a Delete inside the transaction.
    expectStatus(await api.call('POST', `/v1/promotions/${uplift.id}/end`, { key: ADMIN_KEY }), 200);
    expectStatus(await api.call('POST', `/v1/promotions/${uplift.id}/end`, { key: ADMIN_KEY }), 200);
    expectStatus(
      await api.call('POST', '/v1/promotions/parity-nothing/end', { key: ADMIN_KEY }),
      404,
      'promotion_not_found',
    );

    const sentBefore = fakeSqs.sent.length;
    const run = await api.call('POST', '/v1/jobs/limit-refresh', {
      key: risk.apiKey,
      body: { dryRun: false },
    });
    expectStatus(run, 202);
    expectStatus(
      await api.call('POST', '/v1/jobs/limit-refresh', { key: risk.apiKey, body: { dryRun: true } }),
      202,
    );
    expect(fakeSqs.sent.length - sentBefore).toBe(2 * run.body.segmentsTotal);
    expectStatus(await api.call('GET', `/v1/jobs/${run.body.id}`, { key: risk.apiKey }), 200);
  });

  it('the jobs: the nightly scheduler, the workers on every segment it and the route enqueued (one twice), the sweeper', async () => {
    type Scheduler = (event: unknown, context: Context) => Promise<{ jobId: string; segments: number }>;
    const scheduler = await jobHandler<Scheduler>(JOB_ENTRIES.refreshScheduler);
    // EventBridge's scheduled event: the run's id comes from its time, so a retried invocation finds the same run.
    const scheduled = {
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: nowIso(0).replace(/\.\d{3}Z$/, 'Z'),
    };
    const started = await asInvocationOf(JOB_ENTRIES.refreshScheduler, () =>
      scheduler(scheduled, lambdaContext('refresh-scheduler', randomUUID(), SCHEDULER_TIMEOUT_MS)),
    );
    const retried = await asInvocationOf(JOB_ENTRIES.refreshScheduler, () =>
      scheduler(scheduled, lambdaContext('refresh-scheduler', randomUUID(), SCHEDULER_TIMEOUT_MS)),
    );
    expect(retried).toEqual({ jobId: started.jobId, segments: 0 });
    expect(started.segments).toBeGreaterThan(0);

    type Worker = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    const worker = await jobHandler<Worker>(JOB_ENTRIES.refreshWorker);
    const deliver = async (message: { messageId: string; body: string }) => {
      const result = await asInvocationOf(JOB_ENTRIES.refreshWorker, () =>
        worker(sqsEvent(message), lambdaContext('refresh-worker', randomUUID(), WORKER_TIMEOUT_MS)),
      );
      expect(result.batchItemFailures).toEqual([]);
    };
    // Until the queue is drained (a worker may enqueue a continuation); then, as SQS delivers at least once, the first again.
    for (let i = 0; i < fakeSqs.sent.length; i += 1) await deliver(fakeSqs.sent[i]!);
    await deliver(fakeSqs.sent[0]!);
    const job = await api.call('GET', `/v1/jobs/${started.jobId}`, { key: risk.apiKey });
    expect(job.body).toMatchObject({ status: 'succeeded', segmentsDone: started.segments });

    // A hold past its expiry, without waiting a week: the test moves its expiry (and its expiry-index key) back.
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { authorizationKey } = await import('../../shared/authorizations/repository.js');
    const past = nowIso(-60_000);
    await asInvocationOf(HARNESS, () =>
      documentClient.send(
        new UpdateCommand({
          TableName: app.tableName,
          Key: authorizationKey(smallHoldId),
          UpdateExpression: 'SET expiresAt = :past, gsi1sk = :due',
          ExpressionAttributeValues: { ':past': past, ':due': `${past}#${smallHoldId}` },
        }),
      ),
    );
    const sweeper = await jobHandler<(event: unknown, context: Context) => Promise<{ expired: number }>>(
      JOB_ENTRIES.expirySweeper,
    );
    const swept = await asInvocationOf(JOB_ENTRIES.expirySweeper, () =>
      sweeper({}, lambdaContext('expiry-sweeper', randomUUID(), SWEEPER_TIMEOUT_MS)),
    );
    expect(swept.expired).toBeGreaterThanOrEqual(1);

    // A segment that failed every delivery reaches the dead-letter consumer, which fails its run.
    const { startRefreshJob } = await import('../../shared/limits/job.js');
    const doomed = await asInvocationOf(HARNESS, () => startRefreshJob({ dryRun: true }));
    type DeadLetters = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    const deadLetters = await jobHandler<DeadLetters>(JOB_ENTRIES.refreshDeadLetters);
    const message = { messageId: randomUUID(), body: JSON.stringify(doomed.tasks[0]) };
    const dead = await asInvocationOf(JOB_ENTRIES.refreshDeadLetters, () =>
      deadLetters(sqsEvent(message), lambdaContext('refresh-dead-letters', randomUUID(), WORKER_TIMEOUT_MS)),
    );
    expect(dead.batchItemFailures).toEqual([]);
    expect((await api.call('GET', `/v1/jobs/${doomed.job.id}`, { key: risk.apiKey })).body).toMatchObject({
      status: 'failed',
    });
  });

  it('budgets: create (slices, then the budget), read, adjust, end', async () => {
    const body = {
      id: 'parity-budget',
      name: 'Parity risk target',
      currency: 'CNY',
      amount: 300_000,
      startsAt: nowIso(-DAY_MS),
      endsAt: nowIso(DAY_MS),
    };
    expectStatus(await api.call('POST', '/v1/budgets', { key: ADMIN_KEY, body }), 201);
    expectStatus(await api.call('POST', '/v1/budgets', { key: ADMIN_KEY, body }), 409, 'budget_exists');
    expectStatus(await api.call('GET', `/v1/budgets/${body.id}`, { key: risk.apiKey }), 200);
    const adjust = `/v1/budgets/${body.id}/adjust`;
    expectStatus(await api.call('POST', adjust, { key: ADMIN_KEY, body: { amount: 500_000 } }), 200);
    expectStatus(await api.call('POST', adjust, { key: ADMIN_KEY, body: { amount: 200_000 } }), 200);
    expectStatus(await api.call('POST', `/v1/budgets/${body.id}/end`, { key: ADMIN_KEY }), 200);
  });

  it('the nightly billing: the scheduler enqueues every bucket, the workers bill each (one twice)', async () => {
    const sentBefore = fakeSqs.sent.length;
    type Scheduler = (event: unknown, context: Context) => Promise<{ runId: string; buckets: number }>;
    const scheduler = await jobHandler<Scheduler>(JOB_ENTRIES.billingScheduler);
    const scheduled = { 'detail-type': 'Scheduled Event', time: nowIso(0).replace(/\.\d{3}Z$/, 'Z') };
    const started = await asInvocationOf(JOB_ENTRIES.billingScheduler, () =>
      scheduler(scheduled, lambdaContext('billing-scheduler', randomUUID(), SCHEDULER_TIMEOUT_MS)),
    );
    const messages = fakeSqs.sent.slice(sentBefore);
    expect(messages).toHaveLength(started.buckets);
    expect(started.buckets).toBeGreaterThan(0);
    // A retried schedule finds the run's buckets enqueued: nothing again.
    const retried = await asInvocationOf(JOB_ENTRIES.billingScheduler, () =>
      scheduler(scheduled, lambdaContext('billing-scheduler', randomUUID(), SCHEDULER_TIMEOUT_MS)),
    );
    expect(retried).toEqual({ runId: started.runId, buckets: 0 });
    expect(fakeSqs.sent.length - sentBefore).toBe(started.buckets);
    type Worker = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    const worker = await jobHandler<Worker>(JOB_ENTRIES.billingWorker);
    // Every bucket, then (SQS delivers at least once) the first again: billing twice the same day is harmless.
    for (const message of [...messages, messages[0]!]) {
      const result = await asInvocationOf(JOB_ENTRIES.billingWorker, () =>
        worker(sqsEvent(message), lambdaContext('billing-worker', randomUUID(), WORKER_TIMEOUT_MS)),
      );
      expect(result.batchItemFailures).toEqual([]);
    }
    // The every-minute rule: a start run for the promotion still in force (parity-quota), its buckets billed.
    const beforeStarts = fakeSqs.sent.length;
    const starts = await asInvocationOf(JOB_ENTRIES.billingScheduler, () =>
      scheduler(
        { promotionStarts: true },
        lambdaContext('billing-scheduler', randomUUID(), SCHEDULER_TIMEOUT_MS),
      ),
    );
    expect(starts.runId).toContain('promotion_start_parity-quota');
    const startTasks = fakeSqs.sent.slice(beforeStarts);
    expect(startTasks).toHaveLength(starts.buckets);
    for (const message of startTasks) {
      const result = await asInvocationOf(JOB_ENTRIES.billingWorker, () =>
        worker(sqsEvent(message), lambdaContext('billing-worker', randomUUID(), WORKER_TIMEOUT_MS)),
      );
      expect(result.batchItemFailures).toEqual([]);
    }
  });

  it('covers every function of the stack: each route, the authorizer, each job and the bootstrap made requests here', async () => {
    const jobModules = readdirSync(new URL('../../functions/jobs', import.meta.url)).map(
      (file) => `functions/jobs/${file}`,
    );
    const { AUTHORIZER_ENTRY, ROUTES, routeEntry } = await import('../../functions/routes.js');
    const expected = [
      ...ROUTES.map(routeEntry),
      AUTHORIZER_ENTRY,
      ...jobModules,
      BOOTSTRAP_ADMIN_ENTRY,
    ].sort();
    expect(deployedEntries).toEqual(expected);
    const exercised = new Set(calls.map((c) => c.entry));
    expect(expected.filter((entry) => !exercised.has(entry))).toEqual([]);
  });

  it('allows every request, and every item of every transaction, by the role of the function that made it', () => {
    expect(calls.length).toBeGreaterThan(0);
    expect(violations()).toEqual([]);
  });
});

describe('the check itself', () => {
  const transactDelete = (pk: string) =>
    accessesOf(
      'TransactWriteItems',
      { TransactItems: [{ Delete: { TableName: app.tableName, Key: { pk, sk: 'x' } } }] },
      arnOf,
    )[0]!;
  const grantsOf = (route: string) => grants.get(`functions/http/${route}.ts`)!;

  it('holds a Delete inside a transaction to dynamodb:DeleteItem', () => {
    expect(refusal(grantsOf('promotions-create'), transactDelete(PROMOTIONS_BY_END_PARTITION))).toContain(
      'dynamodb:DeleteItem',
    );
  });

  it('lets the end route delete end-index copies and nothing else', () => {
    expect(refusal(grantsOf('promotions-end'), transactDelete(PROMOTIONS_BY_END_PARTITION))).toBeUndefined();
    expect(refusal(grantsOf('promotions-end'), transactDelete(`ACCOUNT#${accountId}`))).toContain(
      'is not granted',
    );
  });

  it('holds each function to its one SSM action on the risk settings parameter, and to that parameter', async () => {
    const { config } = await import('../../shared/config.js');
    const ssm = (action: string, name = config.riskSettingsParameter) => ({
      action,
      resource: parameterArn(name),
      leadingKeys: undefined,
      what: action,
    });
    expect(refusal(grantsOf('authorizations-create'), ssm('ssm:GetParameter'))).toBeUndefined();
    expect(refusal(grantsOf('authorizations-create'), ssm('ssm:PutParameter'))).toContain('is not granted');
    expect(refusal(grantsOf('authorizations-create'), ssm('ssm:GetParameter', '/Other/x'))).toContain(
      'is not granted',
    );
    expect(refusal(grantsOf('risk-settings-put'), ssm('ssm:PutParameter'))).toBeUndefined();
    expect(refusal(grantsOf('risk-settings-put'), ssm('ssm:GetParameter'))).toContain('is not granted');
    expect(refusal(grantsOf('accounts-get'), ssm('ssm:GetParameter'))).toContain('is not granted');
  });

  it('holds a Query on an index to that index, and a read-only role to reads', () => {
    const query = (indexName: string) =>
      accessesOf('Query', { TableName: app.tableName, IndexName: indexName }, arnOf)[0]!;
    expect(refusal(grantsOf('reviews-list'), query('review'))).toBeUndefined();
    expect(refusal(grantsOf('reviews-list'), query('not-an-index'))).toContain('is not granted');
    const put = accessesOf('PutItem', { TableName: app.tableName, Item: { pk: 'X', sk: 'Y' } }, arnOf)[0]!;
    expect(refusal(grantsOf('reviews-list'), put)).toContain('dynamodb:PutItem');
  });
});
