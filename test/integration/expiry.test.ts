/**
 * Hold expiry with a short AUTH_HOLD_TTL_SECONDS: late captures and increments are refused, and the sweeper
 * returns the credit exactly once even when two sweepers race.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };

beforeAll(async () => {
  app = await startTestApp({ AUTH_HOLD_TTL_SECONDS: '1', VELOCITY_MAX: '1000', REVIEW_THRESHOLD: '50000' });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
});
afterAll(() => app.close());

/** Waits until every hold made so far is past its expiresAt (the TTL is 1 s). */
const pastExpiry = () => sleep(1_100);

describe('hold expiry', () => {
  it('answers 409 authorization_expired to capture and increment after expiresAt, before any sweep', async () => {
    const accountId = await api.createAccount(50_000);
    const { body } = await api.authorize(shop.apiKey, { accountId, amount: 10_000 });
    await pastExpiry();
    const capture = await api.post(shop.apiKey, `/v1/authorizations/${body.id}/capture`);
    const increment = await api.post(shop.apiKey, `/v1/authorizations/${body.id}/increment`, { amount: 1 });
    expect(capture.status).toBe(409);
    expect(capture.body.error.code).toBe('authorization_expired');
    expect(increment.body.error.code).toBe('authorization_expired');
    expect(await api.account(accountId)).toMatchObject({ reserved: 10_000 });
  });

  it('two sweepers racing expire every due hold exactly once and return all the credit', async () => {
    const { sweepExpiredHolds } = await import('../../shared/authorizations/expiry.js');
    const { listAllJournal } = await import('../../shared/journal/repository.js');
    await sweepExpiredHolds({ budgetMs: 30_000 }); // clear what earlier tests left due
    const accounts = await Promise.all([api.createAccount(100_000), api.createAccount(100_000)]);
    const holds: string[] = [];
    for (const accountId of accounts) {
      for (let i = 0; i < 15; i += 1) {
        holds.push((await api.authorize(shop.apiKey, { accountId, amount: 1_000 + i })).body.id);
        // One partly captured hold expires too; captured at once, while its 1 s is not up even on a busy machine.
        if (holds.length === 1) {
          expect((await api.post(shop.apiKey, `/v1/authorizations/${holds[0]}/capture`, { amount: 500, final: false })).status).toBe(200);
        }
      }
    }
    // And one waiting for review.
    const pending = await api.authorize(shop.apiKey, { accountId: accounts[1]!, amount: 60_000 });
    expect(pending.body.status).toBe('pending_review');
    await pastExpiry();

    const [a, b] = await Promise.all([sweepExpiredHolds({ budgetMs: 30_000 }), sweepExpiredHolds({ budgetMs: 30_000 })]);
    expect(a.expired + b.expired).toBe(holds.length + 1);

    for (const accountId of accounts) {
      expect(await api.account(accountId)).toMatchObject({ reserved: 0 });
      await expectReconciled(api, accountId);
    }
    expect((await api.account(accounts[0]!)).outstanding).toBe(500);
    const expireEntries = (await Promise.all(accounts.map(listAllJournal))).flat().filter((e) => e.type === 'expire');
    expect(expireEntries).toHaveLength(holds.length + 1);
    const first = await api.call('GET', `/v1/authorizations/${holds[0]}`, { key: shop.apiKey });
    expect(first.body).toMatchObject({ status: 'expired', capturedAmount: 500, releasedAmount: 500 });
    const again = await sweepExpiredHolds({ budgetMs: 30_000 });
    expect(again.expired).toBe(0);
  });
});
