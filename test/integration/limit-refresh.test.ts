/**
 * The limit refresh over HTTP and in-process: explainable changes, idempotent re-runs, dry runs, a refresh
 * racing checkouts, limit-increase requests, and a 618 festival promotion from start to end.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';
import { riskyProfile, strongProfile } from '../support/profiles.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };
let runRefresh: typeof import('../../shared/limits/job.js').runRefreshJobInProcess;

beforeAll(async () => {
  // Journal reads check entries just written: read as if the settling lag had passed.
  app = await startTestApp({ VELOCITY_MAX: '0' }, { journalClock: 'settled' });
  api = new Api(app.url);
  [shop, risk] = await Promise.all([api.createClient(['checkout']), api.createClient(['risk'])]);
  ({ runRefreshJobInProcess: runRefresh } = await import('../../shared/limits/job.js'));
});
afterAll(() => app.close());

async function accountWithProfile(limit: number, profile: Record<string, unknown>): Promise<string> {
  const id = await api.createAccount(limit);
  const reply = await api.call('PUT', `/v1/accounts/${id}/profile`, { key: risk.apiKey, body: profile });
  expect(reply.status).toBe(200);
  return id;
}

async function journal(accountId: string): Promise<any[]> {
  return (await api.call('GET', `/v1/accounts/${accountId}/journal?limit=100`, { key: ADMIN_KEY })).body.data;
}

async function waitForJob(id: string): Promise<any> {
  for (let i = 0; i < 600; i += 1) {
    const reply = await api.call('GET', `/v1/jobs/${id}`, { key: risk.apiKey });
    if (reply.body.status !== 'running') return reply.body;
    await sleep(50);
  }
  throw new Error(`job ${id} did not finish`);
}

describe('PUT /v1/accounts/{id}/profile', () => {
  it('stores a valid profile, rejects unknown fields and out-of-range values, and 404s an unknown account', async () => {
    const id = await api.createAccount(100_000);
    expect(
      (await api.call('PUT', `/v1/accounts/${id}/profile`, { key: risk.apiKey, body: strongProfile() }))
        .status,
    ).toBe(200);
    const unknown = await api.call('PUT', `/v1/accounts/${id}/profile`, {
      key: risk.apiKey,
      body: strongProfile({ shoeSize: 42 }),
    });
    expect(unknown.body.error.code).toBe('unknown_field');
    const range = await api.call('PUT', `/v1/accounts/${id}/profile`, {
      key: risk.apiKey,
      body: strongProfile({ creditScore: 9000 }),
    });
    expect(range.body.error).toMatchObject({ code: 'validation_failed', param: 'creditScore' });
    expect(
      (await api.call('PUT', '/v1/accounts/nobody/profile', { key: risk.apiKey, body: strongProfile() }))
        .status,
    ).toBe(404);
    expect(
      (await api.call('PUT', `/v1/accounts/${id}/profile`, { key: shop.apiKey, body: strongProfile() }))
        .status,
    ).toBe(403);
  });
});

describe('POST /v1/jobs/limit-refresh', () => {
  it('raises a strong borrower and lowers a risky one at once, journaling reasons and the policy version', async () => {
    const strong = await accountWithProfile(500_000, strongProfile());
    const risky = await accountWithProfile(500_000, riskyProfile(Date.now()));
    const started = await api.call('POST', '/v1/jobs/limit-refresh', { key: risk.apiKey, body: {} });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ object: 'job', status: 'running' });
    const job = await waitForJob(started.body.id);
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(job.processed).toBeGreaterThanOrEqual(2);
    expect(job.changed).toBeGreaterThanOrEqual(2);
    expect(job.processed).toBe(job.changed + job.unchanged + job.skipped + job.failed);

    const up = await api.account(strong);
    const down = await api.account(risky);
    expect(up.creditLimit).toBeGreaterThan(500_000);
    expect(down.creditLimit).toBeLessThan(500_000);
    const upChange = (await journal(strong)).filter((e) => e.type === 'limit_change').at(-1);
    const downChange = (await journal(risky)).filter((e) => e.type === 'limit_change').at(-1);
    expect(upChange.policyVersion).toEqual(expect.any(String));
    expect(upChange.reasons.map((r: any) => r.code)).toContain('repayment_history_good');
    expect(downChange.reasons.map((r: any) => r.code)).toEqual(
      expect.arrayContaining(['overdue_recent', 'decrease_risk']),
    );
    for (const r of [...upChange.reasons, ...downChange.reasons])
      expect(r).toEqual({ code: expect.any(String), message: expect.any(String) });
    await expectReconciled(api, strong);
    await expectReconciled(api, risky);
  });

  it('is idempotent when re-run: a second run the same day changes nothing', async () => {
    const id = await accountWithProfile(300_000, strongProfile());
    await runRefresh({ dryRun: false });
    const after = await api.account(id);
    const again = await runRefresh({ dryRun: false });
    // Every account is counted, as unchanged: it stands where the first run put it.
    expect(again).toMatchObject({ changed: 0, unchanged: again.processed, skipped: 0, failed: 0 });
    expect(await api.account(id)).toEqual(after);
  });

  it('a same-day re-run applies a profile written since at once: a new serious signal lowers the limit', async () => {
    const id = await accountWithProfile(300_000, strongProfile());
    await runRefresh({ dryRun: false });
    const raised = await api.account(id);
    expect(raised.creditLimit).toBeGreaterThan(300_000);
    expect(
      (
        await api.call('PUT', `/v1/accounts/${id}/profile`, {
          key: risk.apiKey,
          body: riskyProfile(Date.now()),
        })
      ).status,
    ).toBe(200);
    const again = await runRefresh({ dryRun: false });
    expect(again.changed).toBeGreaterThanOrEqual(1);
    const lowered = await api.account(id);
    expect(lowered.creditLimit).toBeLessThan(raised.creditLimit);
    const change = (await journal(id)).filter((e) => e.type === 'limit_change').at(-1);
    expect(change.reasons.map((r: any) => r.code)).toContain('decrease_risk');
    // And once applied, the same run key skips it again.
    expect((await runRefresh({ dryRun: false })).changed).toBe(0);
  });

  it('a dry run reports how many limits would rise and fall, and by how much, without writing', async () => {
    const up = await accountWithProfile(200_000, strongProfile({ monthlyIncome: 5_000_000 }));
    const down = await accountWithProfile(200_000, riskyProfile(Date.now()));
    const before = [await api.account(up), await api.account(down)];
    const started = await api.call('POST', '/v1/jobs/limit-refresh', {
      key: risk.apiKey,
      body: { dryRun: true },
    });
    const job = await waitForJob(started.body.id);
    expect(job).toMatchObject({ status: 'succeeded', dryRun: true, changed: 0 });
    expect(job.summary.rise).toBeGreaterThanOrEqual(1);
    expect(job.summary.fall).toBeGreaterThanOrEqual(1);
    expect(job.summary.totalIncrease).toBeGreaterThan(0);
    expect(job.summary.totalDecrease).toBeGreaterThan(0);
    // Accounts this day's runs already wrote count as unchanged: every processed account is in the summary.
    expect(job.summary.rise + job.summary.fall + job.summary.unchanged).toBe(job.processed);
    // And in exactly one count: the changes a dry run does not write are skipped.
    expect(job.skipped).toBeGreaterThanOrEqual(2);
    expect(job.processed).toBe(job.changed + job.unchanged + job.skipped + job.failed);
    expect([await api.account(up), await api.account(down)]).toEqual(before);
  });

  it('racing concurrent reserves breaks no invariant: every account reconciles and nothing is oversold', async () => {
    const accounts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        accountWithProfile(100_000, i % 2 ? riskyProfile(Date.now()) : strongProfile()),
      ),
    );
    const reserves = accounts.flatMap((accountId) =>
      Array.from({ length: 8 }, () => api.authorizeUntilAnswered(shop.apiKey, { accountId, amount: 9_000 })),
    );
    const [replies] = await Promise.all([
      Promise.all(reserves),
      runRefresh({ dryRun: false, parallelSegments: 4 }),
    ]);
    expect(
      replies.every(
        (r) => r.status === 201 || (r.status === 402 && r.body.error.code === 'insufficient_credit'),
      ),
    ).toBe(true);
    for (const accountId of accounts) {
      const a = await api.account(accountId);
      expect(a.available).toBe(a.totalLimit - a.reserved - a.outstanding);
      const approved = replies.filter((r) => r.status === 201 && r.body.accountId === accountId).length;
      expect(a.reserved).toBe(approved * 9_000);
      await expectReconciled(api, accountId);
    }
  });
});

describe('POST /v1/accounts/{id}/limit-requests', () => {
  it('approves within policy, answers with reasons, and rate-limits a second request (429, Retry-After: the rest of the cooldown)', async () => {
    const id = await accountWithProfile(100_000, strongProfile());
    const first = await api.call('POST', `/v1/accounts/${id}/limit-requests`, {
      key: shop.apiKey,
      body: { requestedLimit: 120_000 },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ decision: 'approved', creditLimit: 120_000 });
    expect(first.body.reasons.map((r: any) => r.code)).toContain('requested_limit_granted');
    expect((await api.account(id)).creditLimit).toBe(120_000);
    const second = await api.call('POST', `/v1/accounts/${id}/limit-requests`, {
      key: shop.apiKey,
      body: { requestedLimit: 150_000 },
    });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('too_many_requests');
    // The cooldown (LIMIT_REQUEST_COOLDOWN_SECONDS, a day by default) started with the first request, just now.
    const retryAfterSeconds = Number(second.headers.get('retry-after'));
    expect(retryAfterSeconds).toBeLessThanOrEqual(86_400);
    expect(retryAfterSeconds).toBeGreaterThan(86_400 - 600);
    await expectReconciled(api, id);
  });

  it('without an amount grants as much as the policy supports now, on any line, however large', async () => {
    const small = await accountWithProfile(100_000, strongProfile());
    const reply = await api.call('POST', `/v1/accounts/${small}/limit-requests`, {
      key: shop.apiKey,
      body: {},
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ decision: 'approved', creditLimit: 150_000 });
    expect((await api.account(small)).creditLimit).toBe(150_000);

    const huge = await accountWithProfile(600_000_000_000, strongProfile());
    const top = await api.call('POST', `/v1/accounts/${huge}/limit-requests`, { key: shop.apiKey, body: {} });
    expect(top.status).toBe(200);
    expect(top.body).toMatchObject({ decision: 'declined', creditLimit: 600_000_000_000 });
    await expectReconciled(api, small);
  });

  it('declines any increase on a frozen account', async () => {
    const id = await accountWithProfile(100_000, strongProfile());
    expect(
      (
        await api.call('POST', `/v1/accounts/${id}/freeze`, {
          key: risk.apiKey,
          body: { reason: 'fraud check' },
        })
      ).status,
    ).toBe(200);
    const reply = await api.call('POST', `/v1/accounts/${id}/limit-requests`, {
      key: shop.apiKey,
      body: { requestedLimit: 150_000 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.decision).toBe('declined');
    expect(reply.body.reasons.map((r: any) => r.message).join(' ')).toMatch(/frozen/);
    expect((await api.account(id)).creditLimit).toBe(100_000);
  });

  it('declines a risky borrower without lowering the limit', async () => {
    const id = await accountWithProfile(100_000, riskyProfile(Date.now()));
    const reply = await api.call('POST', `/v1/accounts/${id}/limit-requests`, {
      key: shop.apiKey,
      body: { requestedLimit: 200_000 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.decision).toBe('declined');
    expect((await api.account(id)).creditLimit).toBe(100_000);
  });
});

describe('a 618 festival promotion', () => {
  it('raises limits while it runs, checkouts use the uplift, and its end withdraws it, blocking only new holds', async () => {
    const accountId = await accountWithProfile(100_000, strongProfile({ monthlyIncome: 300_000 }));
    await runRefresh({ dryRun: false }); // settle the base limit before the festival
    const base = await api.account(accountId);

    const now = Date.now();
    const promotion = {
      id: `p618-${now}`,
      name: '618 festival uplift',
      kind: 'uplift',
      upliftPercent: 50,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
    };
    expect((await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: promotion })).status).toBe(201);
    await runRefresh({ dryRun: false });
    const festival = await api.account(accountId);
    expect(festival.promoLimit).toBeGreaterThan(0);
    expect(festival.totalLimit).toBe(festival.creditLimit + festival.promoLimit);
    const applied = (await journal(accountId)).filter((e) => e.type === 'limit_change').at(-1);
    expect(applied.reasons.map((r: any) => r.code)).toContain('promotion_applied');

    // A checkout larger than the base limit fits only thanks to the uplift.
    const big = await api.authorize(shop.apiKey, { accountId, amount: festival.creditLimit + 1 });
    expect(big.status).toBe(201);
    await api.post(shop.apiKey, `/v1/authorizations/${big.body.id}/capture`, {
      amount: festival.creditLimit + 1,
    });
    const small = await api.authorize(shop.apiKey, { accountId, amount: 1_000 });
    expect(small.status).toBe(201);

    expect((await api.call('POST', `/v1/promotions/${promotion.id}/end`, { key: ADMIN_KEY })).status).toBe(
      200,
    );
    await runRefresh({ dryRun: false });
    const after = await api.account(accountId);
    expect(after.promoLimit).toBe(0);
    expect(after.totalLimit).toBe(after.creditLimit);
    expect(after.creditLimit).toBeGreaterThanOrEqual(base.creditLimit);
    const ended = (await journal(accountId)).filter((e) => e.type === 'limit_change').at(-1);
    expect(ended.reasons.map((r: any) => r.code)).toContain('promotion_ended');

    // Usage is now above the limit: new holds are declined, the existing hold stays valid and capturable.
    expect(after.available).toBeLessThan(0);
    const blocked = await api.authorize(shop.apiKey, { accountId, amount: 100 });
    expect(blocked.status).toBe(402);
    expect(blocked.body.error.code).toBe('insufficient_credit');
    expect((await api.post(shop.apiKey, `/v1/authorizations/${small.body.id}/capture`)).status).toBe(200);
    await expectReconciled(api, accountId);
  });
});
