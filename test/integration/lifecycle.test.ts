/**
 * The whole credit lifecycle over HTTP: increments, refunds, repayments, freezes, reviews, velocity, journal.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };

beforeAll(async () => {
  // Journal reads check entries just written: read as if the settling lag had passed.
  app = await startTestApp(
    { VELOCITY_MAX: '3', VELOCITY_WINDOW_SECONDS: '3600', REVIEW_THRESHOLD: '50000' },
    { journalClock: 'settled' },
  );
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  servicing = await api.createClient(['servicing']);
  risk = await api.createClient(['risk']);
});
afterAll(() => app.close());

async function hold(limit: number, amount: number): Promise<{ accountId: string; id: string }> {
  const accountId = await api.createAccount(limit);
  const reply = await api.authorize(shop.apiKey, { accountId, amount });
  expect(reply.status).toBe(201);
  return { accountId, id: reply.body.id };
}

describe('POST /v1/authorizations/{id}/increment', () => {
  it('raises a live hold and reserves the difference', async () => {
    const { accountId, id } = await hold(40_000, 10_000);
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/increment`, { amount: 5_000 });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ amount: 15_000, status: 'authorized' });
    expect(await api.account(accountId)).toMatchObject({ reserved: 15_000, available: 25_000 });
    await expectReconciled(api, accountId);
  });

  it('declines with 402 insufficient_credit when the account cannot cover it, and replays the same 402', async () => {
    const { accountId, id } = await hold(12_000, 10_000);
    const key = randomUUID();
    const first = await api.post(shop.apiKey, `/v1/authorizations/${id}/increment`, { amount: 5_000 }, key);
    const again = await api.post(shop.apiKey, `/v1/authorizations/${id}/increment`, { amount: 5_000 }, key);
    expect(first.status).toBe(402);
    expect(first.body.error).toMatchObject({ type: 'declined', code: 'insufficient_credit' });
    expect(first.body.authorization).toMatchObject({ id, amount: 10_000 });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await api.account(accountId)).toMatchObject({ reserved: 10_000 });
  });

  it('declines with 402 account_frozen on a frozen account', async () => {
    const { accountId, id } = await hold(40_000, 1_000);
    await api.post(risk.apiKey, `/v1/accounts/${accountId}/freeze`, { reason: 'fraud check' });
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/increment`, { amount: 1_000 });
    expect(reply.status).toBe(402);
    expect(reply.body.error.code).toBe('account_frozen');
  });

  it('answers 402 risk_declined when the hold would reach the review threshold', async () => {
    const { id } = await hold(100_000, 40_000);
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/increment`, { amount: 10_000 });
    expect(reply.status).toBe(402);
    expect(reply.body.error.code).toBe('risk_declined');
  });
});

describe('POST /v1/authorizations/{id}/refunds', () => {
  it('after capture: outstanding falls, capturedAmount stays, refundedAmount grows', async () => {
    const { accountId, id } = await hold(50_000, 20_000);
    await api.post(shop.apiKey, `/v1/authorizations/${id}/capture`);
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/refunds`, { amount: 8_000 });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ object: 'refund', amount: 8_000, authorizationId: id });
    expect(reply.body.authorization).toMatchObject({ capturedAmount: 20_000, refundedAmount: 8_000 });
    expect(await api.account(accountId)).toMatchObject({ outstanding: 12_000, available: 38_000 });
    await expectReconciled(api, accountId);
  });

  it('answers 409 when refunding more than captured minus refunded', async () => {
    const { id } = await hold(50_000, 20_000);
    await api.post(shop.apiKey, `/v1/authorizations/${id}/capture`, { amount: 5_000 });
    await api.post(shop.apiKey, `/v1/authorizations/${id}/refunds`, { amount: 4_000 });
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/refunds`, { amount: 1_001 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('amount_exceeds_remaining');
  });

  it('answers 409 invalid_state before anything was captured', async () => {
    const { id } = await hold(50_000, 20_000);
    const reply = await api.post(shop.apiKey, `/v1/authorizations/${id}/refunds`, { amount: 1 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('invalid_state');
  });
});

describe('POST /v1/accounts/{id}/repayments', () => {
  it('reduces outstanding and answers with the resulting account', async () => {
    const { accountId, id } = await hold(50_000, 20_000);
    await api.post(shop.apiKey, `/v1/authorizations/${id}/capture`);
    const reply = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 15_000,
      currency: 'CNY',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ object: 'repayment', amount: 15_000 });
    expect(reply.body.id).toMatch(/^rpy_/);
    expect(reply.body.account).toMatchObject({ outstanding: 5_000, available: 45_000 });
    expect(await api.account(accountId)).toEqual(reply.body.account);
    await expectReconciled(api, accountId);
  });

  it('answers 409 amount_exceeds_remaining when repaying more than outstanding, and 400 for another currency', async () => {
    const accountId = await api.createAccount(50_000);
    const over = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 1,
      currency: 'CNY',
    });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('amount_exceeds_remaining');
    const usd = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 1,
      currency: 'USD',
    });
    expect(usd.status).toBe(400);
    expect(usd.body.error.code).toBe('currency_mismatch');
  });

  it('a replayed repayment moves money once', async () => {
    const { accountId, id } = await hold(50_000, 20_000);
    await api.post(shop.apiKey, `/v1/authorizations/${id}/capture`);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.post(
          servicing.apiKey,
          `/v1/accounts/${accountId}/repayments`,
          { amount: 3_000, currency: 'CNY' },
          key,
        ),
      ),
    );
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await api.account(accountId)).toMatchObject({ outstanding: 17_000 });
  });

  it('is refused to a checkout key (403)', async () => {
    const accountId = await api.createAccount(50_000);
    const reply = await api.post(shop.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 1,
      currency: 'CNY',
    });
    expect(reply.status).toBe(403);
  });
});

describe('freeze and unfreeze', () => {
  it('a frozen account declines new holds; captures and releases of existing holds still work; unfreeze restores', async () => {
    const accountId = await api.createAccount(50_000);
    const a = await api.authorize(shop.apiKey, { accountId, amount: 5_000 });
    const b = await api.authorize(shop.apiKey, { accountId, amount: 5_000 });
    const frozen = await api.post(risk.apiKey, `/v1/accounts/${accountId}/freeze`, {
      reason: 'suspected fraud',
    });
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe('frozen');
    const declined = await api.authorize(shop.apiKey, { accountId, amount: 100 });
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('account_frozen');
    expect((await api.post(shop.apiKey, `/v1/authorizations/${a.body.id}/capture`)).status).toBe(200);
    expect((await api.post(shop.apiKey, `/v1/authorizations/${b.body.id}/release`)).status).toBe(200);
    const thawed = await api.post(risk.apiKey, `/v1/accounts/${accountId}/unfreeze`, { reason: 'cleared' });
    expect(thawed.body.status).toBe('active');
    expect((await api.authorize(shop.apiKey, { accountId, amount: 100 })).status).toBe(201);
    await expectReconciled(api, accountId);
  });

  it('answers 404 for an unknown account and 403 for a checkout key', async () => {
    expect((await api.post(risk.apiKey, '/v1/accounts/nope/freeze', { reason: 'x' })).status).toBe(404);
    expect((await api.post(shop.apiKey, '/v1/accounts/nope/freeze', { reason: 'x' })).status).toBe(403);
  });
});

describe('manual review', () => {
  it('holds at or above REVIEW_THRESHOLD wait in pending_review with their credit reserved', async () => {
    const accountId = await api.createAccount(200_000);
    const reply = await api.authorize(shop.apiKey, { accountId, amount: 50_000 });
    expect(reply.status).toBe(201);
    expect(reply.body.status).toBe('pending_review');
    expect(await api.account(accountId)).toMatchObject({ reserved: 50_000 });
    const capture = await api.post(shop.apiKey, `/v1/authorizations/${reply.body.id}/capture`);
    expect(capture.status).toBe(409);
    expect(capture.body.error.code).toBe('invalid_state');
    const queue = await api.call('GET', '/v1/reviews?limit=100', { key: risk.apiKey });
    expect(queue.status).toBe(200);
    expect(queue.body.data.map((a: { id: string }) => a.id)).toContain(reply.body.id);
  });

  it('approve makes it authorized and capturable; it leaves the queue', async () => {
    const accountId = await api.createAccount(200_000);
    const { body } = await api.authorize(shop.apiKey, { accountId, amount: 60_000 });
    const approved = await api.call('POST', `/v1/reviews/${body.id}/approve`, { key: risk.apiKey });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('authorized');
    expect((await api.post(shop.apiKey, `/v1/authorizations/${body.id}/capture`)).status).toBe(200);
    const queue = await api.call('GET', '/v1/reviews?limit=100', { key: risk.apiKey });
    expect(queue.body.data.map((a: { id: string }) => a.id)).not.toContain(body.id);
    const twice = await api.call('POST', `/v1/reviews/${body.id}/approve`, { key: risk.apiKey });
    expect(twice.status).toBe(409);
  });

  it('decline makes it declined (risk_declined) and returns the credit', async () => {
    const accountId = await api.createAccount(200_000);
    const { body } = await api.authorize(shop.apiKey, { accountId, amount: 70_000 });
    const declined = await api.call('POST', `/v1/reviews/${body.id}/decline`, { key: risk.apiKey });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'declined', declineCode: 'risk_declined' });
    expect(await api.account(accountId)).toMatchObject({ reserved: 0, available: 200_000 });
    await expectReconciled(api, accountId);
  });

  it('is for risk keys only', async () => {
    expect((await api.call('GET', '/v1/reviews', { key: shop.apiKey })).status).toBe(403);
  });
});

describe('velocity rule', () => {
  it('declines with velocity_exceeded beyond VELOCITY_MAX approvals in the window', async () => {
    const accountId = await api.createAccount(1_000_000);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await api.authorize(shop.apiKey, { accountId, amount: 1_000 })).status);
    const fifth = await api.authorize(shop.apiKey, { accountId, amount: 1_000 });
    expect(statuses).toEqual([201, 201, 201, 402]);
    expect(fifth.body.error.code).toBe('velocity_exceeded');
    expect(await api.account(accountId)).toMatchObject({ reserved: 3_000 });
  });

  it('holds under concurrency: 10 racing reserves approve exactly VELOCITY_MAX', async () => {
    const accountId = await api.createAccount(1_000_000);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => api.authorize(shop.apiKey, { accountId, amount: 1_000 })),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    expect(
      replies.filter((r) => r.status === 402).every((r) => r.body.error.code === 'velocity_exceeded'),
    ).toBe(true);
  });
});

describe('GET /v1/accounts/{id}/journal', () => {
  it('pages every movement oldest first, with the resulting balances on each entry', async () => {
    const { accountId, id } = await hold(50_000, 20_000);
    await api.post(shop.apiKey, `/v1/authorizations/${id}/capture`, { amount: 15_000 });
    await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 5_000,
      currency: 'CNY',
    });
    const entries: any[] = [];
    let cursor: string | null = null;
    let page: any;
    do {
      page = await api.call(
        'GET',
        `/v1/accounts/${accountId}/journal?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: servicing.apiKey },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      entries.push(...page.body.data);
      // The journal goes on as long as the account does: there is always a cursor to poll on.
      expect(page.body.nextCursor).toEqual(expect.any(String));
      cursor = page.body.nextCursor;
    } while (page.body.hasMore);
    expect(entries.map((e) => e.type)).toEqual([
      'limit_change',
      'reserve',
      'capture',
      'release',
      'repayment',
    ]);
    expect(entries.at(-1).balances).toEqual({
      totalLimit: 50_000,
      reserved: 0,
      outstanding: 10_000,
      available: 40_000,
    });
    expect(entries[1]).toMatchObject({
      amount: 20_000,
      authorizationId: id,
      balances: { reserved: 20_000, available: 30_000 },
    });
    const account = await api.account(accountId);
    expect(entries.at(-1).balances.available).toBe(account.available);
  });

  it('rejects a forged cursor with 400 and is refused to checkout keys', async () => {
    const accountId = await api.createAccount(1_000);
    const forged = await api.call('GET', `/v1/accounts/${accountId}/journal?cursor=bm9wZQ`, {
      key: ADMIN_KEY,
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ code: 'invalid_cursor', param: 'cursor' });
    expect((await api.call('GET', `/v1/accounts/${accountId}/journal`, { key: shop.apiKey })).status).toBe(
      403,
    );
  });
});
