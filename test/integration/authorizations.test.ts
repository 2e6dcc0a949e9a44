/**
 * The core contract over HTTP against DynamoDB Local: reserve, read, capture, release; no oversell under
 * concurrency; exactly-once effects under retries.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let checkout: { id: string; apiKey: string };
let listAllJournal: typeof import('../../shared/journal/repository.js').listAllJournal;
let replay: typeof import('../../shared/journal/model.js').replay;

beforeAll(async () => {
  // A high velocity limit: these tests are about credit, the velocity rule has its own tests.
  app = await startTestApp({ VELOCITY_MAX: '0' });
  api = new Api(app.url);
  checkout = await api.createClient(['checkout']);
  ({ listAllJournal } = await import('../../shared/journal/repository.js'));
  ({ replay } = await import('../../shared/journal/model.js'));
});
afterAll(() => app.close());

async function expectJournalMatches(accountId: string): Promise<void> {
  const account = await api.account(accountId);
  const balances = replay(await listAllJournal(accountId));
  expect(balances).toEqual({
    totalLimit: account.totalLimit,
    reserved: account.reserved,
    outstanding: account.outstanding,
    available: account.available,
  });
}

describe('POST /v1/authorizations', () => {
  it('holds the amount: available falls and reserved rises by it', async () => {
    const accountId = await api.createAccount(500_000);
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 20_000, orderId: 'o-1' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      object: 'authorization',
      accountId,
      orderId: 'o-1',
      currency: 'CNY',
      amount: 20_000,
      capturedAmount: 0,
      releasedAmount: 0,
      refundedAmount: 0,
      status: 'authorized',
    });
    expect(reply.body.id).toMatch(/^auth_/);
    expect(reply.headers.get('x-request-id')).toBeTruthy();
    expect(Date.parse(reply.body.expiresAt) - Date.parse(reply.body.createdAt)).toBe(604_800_000);
    expect(await api.account(accountId)).toMatchObject({
      reserved: 20_000,
      outstanding: 0,
      available: 480_000,
      totalLimit: 500_000,
    });
    await expectJournalMatches(accountId);
  });

  it('approves exactly floor(limit / amount) of 200 concurrent reserves on one account, declining the rest', async () => {
    const limit = 1_000_000;
    const amount = 7_000;
    const accountId = await api.createAccount(limit);
    // Each retried after a 503 with its key, as a payment flow does: 200 writes on one item outlast the write
    // deadline on a busy machine, and a 503 is the designed answer to that.
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => api.authorizeUntilAnswered(checkout.apiKey, { accountId, amount })),
    );
    const approved = replies.filter((r) => r.status === 201);
    const declined = replies.filter((r) => r.status !== 201);
    expect(approved).toHaveLength(Math.floor(limit / amount));
    expect(declined.every((r) => r.status === 402 && r.body.error.code === 'insufficient_credit')).toBe(true);
    const held = approved.reduce((sum, r) => sum + (r.body.amount as number), 0);
    expect(await api.account(accountId)).toMatchObject({
      reserved: held,
      available: limit - held,
      outstanding: 0,
    });
    await expectJournalMatches(accountId);
  });

  it('declines with insufficient_credit when available < amount, and the decline is a readable authorization', async () => {
    const accountId = await api.createAccount(10_000);
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 10_001 });
    expect(reply.status).toBe(402);
    expect(reply.body.error).toMatchObject({ type: 'declined', code: 'insufficient_credit' });
    expect(reply.body.authorization).toMatchObject({
      status: 'declined',
      declineCode: 'insufficient_credit',
      accountId,
    });
    const read = await api.call('GET', `/v1/authorizations/${reply.body.authorization.id}`, {
      key: checkout.apiKey,
    });
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('declined');
    expect(await api.account(accountId)).toMatchObject({ reserved: 0, available: 10_000 });
  });

  it('answers 404 account_not_found for an unknown account', async () => {
    const reply = await api.authorize(checkout.apiKey, { accountId: 'no_such_account', amount: 100 });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({ type: 'not_found', code: 'account_not_found' });
  });

  it("answers 400 currency_mismatch when the currency is not the account's, changing nothing", async () => {
    const accountId = await api.createAccount(10_000);
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 100, currency: 'USD' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ type: 'invalid_request', code: 'currency_mismatch' });
    expect(await api.account(accountId)).toMatchObject({ reserved: 0, available: 10_000 });
  });
});

describe('Idempotency-Key', () => {
  it('replays the same status and body with idempotent-replayed: true, moving no money again', async () => {
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    const first = await api.authorize(checkout.apiKey, { accountId, amount: 30_000, orderId: 'o-r' }, key);
    const second = await api.authorize(checkout.apiKey, { accountId, amount: 30_000, orderId: 'o-r' }, key);
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await api.account(accountId)).toMatchObject({ reserved: 30_000 });
  });

  it('replays a decline as the same 402', async () => {
    const accountId = await api.createAccount(1_000);
    const key = randomUUID();
    const first = await api.authorize(checkout.apiKey, { accountId, amount: 5_000, orderId: 'o-d' }, key);
    const second = await api.authorize(checkout.apiKey, { accountId, amount: 5_000, orderId: 'o-d' }, key);
    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 409 idempotency_key_reused for the same key with another body, changing nothing', async () => {
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    await api.authorize(checkout.apiKey, { accountId, amount: 1_000, orderId: 'o-k' }, key);
    const reused = await api.authorize(checkout.apiKey, { accountId, amount: 2_000, orderId: 'o-k' }, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ type: 'conflict', code: 'idempotency_key_reused' });
    expect(await api.account(accountId)).toMatchObject({ reserved: 1_000 });
  });

  it('answers 409 idempotency_key_reused for the same key on another path', async () => {
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    const hold = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 }, key);
    const capture = await api.post(checkout.apiKey, `/v1/authorizations/${hold.body.id}/capture`, {}, key);
    expect(capture.status).toBe(409);
    expect(capture.body.error.code).toBe('idempotency_key_reused');
    expect(await api.account(accountId)).toMatchObject({ reserved: 1_000, outstanding: 0 });
  });

  it('makes one hold when 25 requests with the same key arrive at once, and all get the same answer', async () => {
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    const body = { accountId, amount: 4_000, orderId: 'o-same' };
    const replies = await Promise.all(
      Array.from({ length: 25 }, () => api.authorize(checkout.apiKey, body, key)),
    );
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await api.account(accountId)).toMatchObject({ reserved: 4_000, available: 96_000 });
    await expectJournalMatches(accountId);
  });

  it('keys are scoped to the client: two clients with the same key make two holds', async () => {
    const other = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    const a = await api.authorize(checkout.apiKey, { accountId, amount: 1_000, orderId: 'o-x' }, key);
    const b = await api.authorize(other.apiKey, { accountId, amount: 1_000, orderId: 'o-x' }, key);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(await api.account(accountId)).toMatchObject({ reserved: 2_000 });
  });
});

describe('POST /v1/authorizations/{id}/capture', () => {
  async function hold(amount: number, limit = 100_000): Promise<{ accountId: string; id: string }> {
    const accountId = await api.createAccount(limit);
    const reply = await api.authorize(checkout.apiKey, { accountId, amount });
    expect(reply.status).toBe(201);
    return { accountId, id: reply.body.id };
  }

  it('captures the whole hold by default: reserved moves to outstanding', async () => {
    const { accountId, id } = await hold(20_000);
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'captured', capturedAmount: 20_000, releasedAmount: 0 });
    expect(await api.account(accountId)).toMatchObject({
      reserved: 0,
      outstanding: 20_000,
      available: 80_000,
    });
    await expectJournalMatches(accountId);
  });

  it('a partial final capture releases the remainder', async () => {
    const { accountId, id } = await hold(20_000);
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 15_000 });
    expect(reply.body).toMatchObject({ status: 'captured', capturedAmount: 15_000, releasedAmount: 5_000 });
    expect(await api.account(accountId)).toMatchObject({
      reserved: 0,
      outstanding: 15_000,
      available: 85_000,
    });
    await expectJournalMatches(accountId);
  });

  it('non-final captures keep the rest held until a final capture', async () => {
    const { accountId, id } = await hold(30_000);
    const first = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, {
      amount: 10_000,
      final: false,
    });
    expect(first.body).toMatchObject({
      status: 'partially_captured',
      capturedAmount: 10_000,
      releasedAmount: 0,
    });
    expect(await api.account(accountId)).toMatchObject({ reserved: 20_000, outstanding: 10_000 });
    const second = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 5_000 });
    expect(second.body).toMatchObject({ status: 'captured', capturedAmount: 15_000, releasedAmount: 15_000 });
    expect(await api.account(accountId)).toMatchObject({
      reserved: 0,
      outstanding: 15_000,
      available: 85_000,
    });
    await expectJournalMatches(accountId);
  });

  it('answers 409 amount_exceeds_remaining when capturing more than is held', async () => {
    const { accountId, id } = await hold(10_000);
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 10_001 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('amount_exceeds_remaining');
    expect(await api.account(accountId)).toMatchObject({ reserved: 10_000, outstanding: 0 });
  });

  it('answers 409 invalid_state when capturing a released hold', async () => {
    const { id } = await hold(10_000);
    await api.post(checkout.apiKey, `/v1/authorizations/${id}/release`);
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`);
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('invalid_state');
  });

  it('a replayed capture moves money once, even when the copies race', async () => {
    const { accountId, id } = await hold(10_000);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 4_000, final: false }, key),
      ),
    );
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(replies.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
    expect(await api.account(accountId)).toMatchObject({ reserved: 6_000, outstanding: 4_000 });
    await expectJournalMatches(accountId);
  });

  it('stores a conflict under its key: a retry answers the first 409 even after the hold changed', async () => {
    const { id } = await hold(10_000);
    await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 8_000, final: false });
    const key = randomUUID();
    const first = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 5_000 }, key);
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('amount_exceeds_remaining');
    await api.post(checkout.apiKey, `/v1/authorizations/${id}/release`);
    const retry = await api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 5_000 }, key);
    expect(retry.status).toBe(409);
    expect(retry.body).toEqual(first.body); // not invalid_state: the key answers what it answered
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('distinct concurrent captures never capture more than was held', async () => {
    const { accountId, id } = await hold(10_000);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.post(checkout.apiKey, `/v1/authorizations/${id}/capture`, { amount: 3_000, final: false }),
      ),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(3);
    expect(
      replies.filter((r) => r.status === 409).every((r) => r.body.error.code === 'amount_exceeds_remaining'),
    ).toBe(true);
    expect(await api.account(accountId)).toMatchObject({ reserved: 1_000, outstanding: 9_000 });
    await expectJournalMatches(accountId);
  });
});

describe('POST /v1/authorizations/{id}/release', () => {
  it('releases part, then the rest, giving the credit back', async () => {
    const accountId = await api.createAccount(50_000);
    const { body } = await api.authorize(checkout.apiKey, { accountId, amount: 20_000 });
    const part = await api.post(checkout.apiKey, `/v1/authorizations/${body.id}/release`, { amount: 5_000 });
    expect(part.body).toMatchObject({ status: 'authorized', releasedAmount: 5_000 });
    expect(await api.account(accountId)).toMatchObject({ reserved: 15_000, available: 35_000 });
    const rest = await api.post(checkout.apiKey, `/v1/authorizations/${body.id}/release`);
    expect(rest.body).toMatchObject({ status: 'released', releasedAmount: 20_000 });
    expect(await api.account(accountId)).toMatchObject({ reserved: 0, available: 50_000 });
    await expectJournalMatches(accountId);
  });

  it('answers 409 amount_exceeds_remaining for a release larger than the hold', async () => {
    const accountId = await api.createAccount(50_000);
    const { body } = await api.authorize(checkout.apiKey, { accountId, amount: 2_000 });
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${body.id}/release`, { amount: 2_001 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('amount_exceeds_remaining');
  });
});
