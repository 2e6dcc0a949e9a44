/**
 * The risk settings change without a deploy: on one running local stack (no restart), the risk team changes the
 * review threshold, the velocity rule and the sale switches over HTTP, and the next authorizations follow. The
 * functions keep what they read for RISK_SETTINGS_MAX_AGE_SECONDS (1 s here, 15 s deployed), so each check asks
 * again until the change shows: a bound on attempts, never a bound on time.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { Api, type Reply, settingsChangeOf, untilAnswered } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

/** Up to 600 attempts 100 ms apart: a change is due within a second; a slow machine gets a minute. */
const MAX_ATTEMPTS = 600;
const ATTEMPT_PAUSE_MS = 100;

let app: TestApp;
let api: Api;
let checkout: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };

beforeAll(async () => {
  app = await startTestApp({
    REVIEW_THRESHOLD: '50000',
    VELOCITY_MAX: '0',
    RISK_SETTINGS_MAX_AGE_SECONDS: '1',
  });
  api = new Api(app.url);
  checkout = await api.createClient(['checkout']);
  risk = await api.createClient(['risk']);
});
afterAll(() => app.close());

/** `probe` again until it answers true (each attempt should make fresh requests: new keys, new accounts). */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, ATTEMPT_PAUSE_MS));
  }
  throw new Error(`never saw: ${what}`);
}

const change = async (changes: Record<string, unknown>, reason = 'test') => {
  const reply = await api.changeRiskSettings(changes, risk.apiKey, reason);
  expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 200 });
  return reply.body;
};

const holdOf = async (amount: number, accountId?: string): Promise<Reply> =>
  api.authorizeUntilAnswered(checkout.apiKey, {
    accountId: accountId ?? (await api.createAccount(1_000_000)),
    amount,
  });

describe('GET /v1/risk-settings', () => {
  it('starts from the deployed defaults (the environment), under the name the stack gives its SSM parameter (stage `local`)', async () => {
    const reply = await api.call('GET', '/v1/risk-settings', { key: risk.apiKey });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      object: 'risk_settings',
      schemaVersion: 1,
      reviewThreshold: 50_000,
      categoryReviewThresholds: {},
      velocityMax: 0,
      velocityWindowSeconds: 60,
      newHoldsPaused: false,
      refreshPaused: false,
      changedBy: 'deployment',
      reason: expect.any(String),
      origin: 'parameter',
      parameter: '/CreditAuthorization-local/risk-settings',
      appliedWithinSeconds: 1,
    });
  });

  it('is for the risk team: a checkout key may neither read nor change the settings', async () => {
    expect((await api.call('GET', '/v1/risk-settings', { key: checkout.apiKey })).status).toBe(403);
    const put = await api.changeRiskSettings({ newHoldsPaused: true }, checkout.apiKey);
    expect({ status: put.status, code: put.body.error.code }).toEqual({
      status: 403,
      code: 'insufficient_scope',
    });
    expect((await api.riskSettings()).newHoldsPaused).toBe(false);
  });
});

describe('PUT /v1/risk-settings: the next authorizations follow, without a restart', () => {
  it('lowers the review threshold (and sets one per category): holds under the old threshold wait for review', async () => {
    expect((await holdOf(20_000)).body.status).toBe('authorized');
    const stored = await change(
      { reviewThreshold: 10_000, categoryReviewThresholds: { phones: 3_000 } },
      'fraud',
    );
    expect(stored).toMatchObject({
      reviewThreshold: 10_000,
      changedBy: risk.id,
      reason: 'fraud',
      changedAt: expect.any(String),
      origin: 'parameter',
    });
    await eventually(
      'a 20,000 hold sent to review',
      async () => (await holdOf(20_000)).body.status === 'pending_review',
    );
    const account = await api.createAccount(1_000_000);
    const phone = await api.authorizeUntilAnswered(checkout.apiKey, {
      accountId: account,
      amount: 5_000,
      category: 'phones',
    });
    expect(phone.body.status).toBe('pending_review');
    expect((await holdOf(5_000, account)).body.status).toBe('authorized');
    // An increment may not bring a hold to its category's threshold.
    const small = await api.authorizeUntilAnswered(checkout.apiKey, {
      accountId: account,
      amount: 2_000,
      category: 'phones',
    });
    const increment = await api.post(checkout.apiKey, `/v1/authorizations/${small.body.id}/increment`, {
      amount: 1_000,
    });
    expect({ status: increment.status, code: increment.body.error?.code }).toEqual({
      status: 402,
      code: 'risk_declined',
    });

    await change({ reviewThreshold: 50_000, categoryReviewThresholds: {} });
    await eventually(
      'a 20,000 hold authorized again',
      async () => (await holdOf(20_000)).body.status === 'authorized',
    );
  });

  it('tightens the velocity rule: a second hold in the window is declined, and loosening it lets the account go on', async () => {
    await change({ velocityMax: 1, velocityWindowSeconds: 3_600 });
    let accountId = '';
    await eventually('a second hold in the window declined velocity_exceeded', async () => {
      accountId = await api.createAccount(1_000_000);
      expect((await holdOf(1_000, accountId)).status).toBe(201);
      const second = await holdOf(1_000, accountId);
      return second.status === 402 && second.body.error.code === 'velocity_exceeded';
    });
    expect((await holdOf(1_000, accountId)).body.error.code).toBe('velocity_exceeded');

    await change({ velocityMax: 0, velocityWindowSeconds: 60 });
    await eventually(
      'the same account holding again',
      async () => (await holdOf(1_000, accountId)).status === 201,
    );
  });

  it('pauses new holds: each is declined holds_paused and stored as declined, the account untouched; settling goes on; unpausing restores', async () => {
    const accountId = await api.createAccount(100_000);
    const live = await holdOf(10_000, accountId);
    expect(live.status).toBe(201);
    await change({ newHoldsPaused: true }, 'card testing attack');

    // Asked on fresh accounts until the pause shows (a hold made before it would move this account's money).
    await eventually('a new hold declined holds_paused', async () => {
      const reply = await holdOf(1_000);
      return reply.status === 402 && reply.body.error.code === 'holds_paused';
    });
    const key = randomUUID();
    const order = { accountId, amount: 1_000, orderId: 'o-paused' };
    const paused = await untilAnswered(() => api.authorize(checkout.apiKey, order, key));
    expect(paused.status).toBe(402);
    expect(paused.body).toMatchObject({
      error: { type: 'declined', code: 'holds_paused' },
      authorization: { status: 'declined', declineCode: 'holds_paused', accountId, amount: 1_000 },
    });
    const declinedId = paused.body.authorization.id;
    expect(
      (await api.call('GET', `/v1/authorizations/${declinedId}`, { key: checkout.apiKey })).body,
    ).toMatchObject({
      status: 'declined',
      declineCode: 'holds_paused',
    });
    expect(await api.account(accountId)).toMatchObject({ reserved: 10_000, available: 90_000 });

    const increment = await api.post(checkout.apiKey, `/v1/authorizations/${live.body.id}/increment`, {
      amount: 1,
    });
    expect({ status: increment.status, code: increment.body.error.code }).toEqual({
      status: 402,
      code: 'holds_paused',
    });
    const capture = await api.post(checkout.apiKey, `/v1/authorizations/${live.body.id}/capture`, {
      amount: 4_000,
    });
    expect(capture.body).toMatchObject({ status: 'captured', capturedAmount: 4_000 });
    expect(await api.account(accountId)).toMatchObject({
      reserved: 0,
      outstanding: 4_000,
      available: 96_000,
    });

    await change({ newHoldsPaused: false }, 'attack over');
    // The key answered while paused keeps its answer (a stored decline) after the pause ends.
    await eventually(
      'new holds authorized again',
      async () => (await holdOf(1_000, accountId)).status === 201,
    );
    const replay = await untilAnswered(() => api.authorize(checkout.apiKey, order, key));
    expect({ status: replay.status, code: replay.body.error.code }).toEqual({
      status: 402,
      code: 'holds_paused',
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('a bad settings document', () => {
  it.each([
    ['a velocity max over the velocity log', { velocityMax: 33 }, 'validation_failed', 'velocityMax'],
    ['a negative review threshold', { reviewThreshold: -5 }, 'validation_failed', 'reviewThreshold'],
    ['a misspelt switch', { newHoldPaused: true }, 'unknown_field', 'newHoldPaused'],
    ['a switch that is not a boolean', { newHoldsPaused: 'yes' }, 'validation_failed', 'newHoldsPaused'],
    ['another schema version', { schemaVersion: 2 }, 'validation_failed', 'schemaVersion'],
    ['no reason', { reason: '' }, 'validation_failed', 'reason'],
    [
      'a category threshold for no category',
      { categoryReviewThresholds: { 'Big TVs': 1 } },
      'validation_failed',
      undefined,
    ],
  ])('is refused with 400 and changes nothing: %s', async (_name, changes, code, param) => {
    const before = await api.riskSettings();
    const reply = await api.changeRiskSettings(changes, risk.apiKey);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe(code);
    if (param !== undefined) expect(reply.body.error.param).toBe(param);
    expect(await api.riskSettings()).toEqual(before);
  });

  it('is refused whole: a field left out is a 400, never a reset to its default', async () => {
    const { velocityMax: _v, ...rest } = settingsChangeOf(await api.riskSettings());
    const reply = await api.call('PUT', '/v1/risk-settings', {
      key: risk.apiKey,
      body: { ...rest, reason: 'x' },
    });
    expect({ status: reply.status, param: reply.body.error.param }).toEqual({
      status: 400,
      param: 'velocityMax',
    });
  });

  it('written around the API (as `aws ssm put-parameter` could) is ignored: every function keeps the last good settings', async () => {
    await change({ reviewThreshold: 10_000 }, 'before the bad write');
    await eventually(
      'the 10,000 threshold applied',
      async () => (await holdOf(20_000)).body.status === 'pending_review',
    );
    const { localParameterStore } = await import('../../shared/settings/parameter-store.js');
    const { config } = await import('../../shared/config.js');
    const good = await api.riskSettings();
    for (const bad of [
      '{"reviewThreshold": ',
      JSON.stringify({ ...good, reviewThreshold: 1, velocityMax: 'many' }),
    ]) {
      await localParameterStore.put(config.riskSettingsParameter, bad);
      // GET reads the store afresh: it sees the bad document and keeps the good one, as every function does.
      const seen = await api.riskSettings();
      expect(seen).toMatchObject({ reviewThreshold: 10_000, changedAt: good.changedAt });
      for (let i = 0; i < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the functions' 1 s cache
        expect((await holdOf(20_000)).body.status).toBe('pending_review');
        expect((await holdOf(9_000)).body.status).toBe('authorized');
      }
    }
    await change({ reviewThreshold: 50_000 }, 'repaired');
    await eventually(
      'the repaired document applied',
      async () => (await holdOf(20_000)).body.status === 'authorized',
    );
  });
});

describe('refreshPaused', () => {
  type Scheduler = (event: unknown, context: Context) => Promise<{ jobId?: string; skipped?: string }>;
  const context = { getRemainingTimeInMillis: () => 30_000 } as Context;
  const nightly = (time: Date) => ({
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });

  it('stops the scheduled limit refresh (deployed and local schedules) until it is lifted; a run by hand still runs', async () => {
    const { handler } = (await import('../../functions/jobs/limit-refresh-scheduler.js')) as {
      handler: Scheduler;
    };
    const { JOBS } = await import('../../local/schedules.js');
    const localRefresh = JOBS.find((job) => job.name === 'limit-refresh')!;
    await api.createAccount(10_000);
    await change({ refreshPaused: true }, '618 night');
    let slot = Date.parse('2030-06-17T18:00:00Z');
    await eventually('a scheduled run skipped', async () => {
      slot += 86_400_000;
      return (await handler(nightly(new Date(slot)), context)).skipped === 'refresh_paused';
    });
    const skippedSlot = new Date(slot);
    expect(await localRefresh.run()).toBeUndefined();
    const { scheduledJobId } = await import('../../shared/limits/job.js');
    const job = await api.call('GET', `/v1/jobs/${scheduledJobId(skippedSlot)}`, { key: risk.apiKey });
    expect(job.status).toBe(404);
    const byHand = await api.call('POST', '/v1/jobs/limit-refresh', {
      key: risk.apiKey,
      body: { dryRun: true },
    });
    expect(byHand.status).toBe(202);
    await finished(byHand.body.id);

    await change({ refreshPaused: false }, 'sale over');
    let started: string | undefined;
    await eventually('a scheduled run started', async () => {
      slot += 86_400_000;
      started = (await handler(nightly(new Date(slot)), context)).jobId;
      return started !== undefined;
    });
    await finished(started!);
    expect(await localRefresh.run()).toMatchObject({ status: 'succeeded' });
  });

  /** Locally a run's segments go on in the background: wait for the run to end before the next step. */
  async function finished(jobId: string): Promise<void> {
    await eventually(`job ${jobId} finished`, async () => {
      const job = await api.call('GET', `/v1/jobs/${jobId}`, { key: ADMIN_KEY });
      return job.status === 200 && job.body.status !== 'running';
    });
  }
});
