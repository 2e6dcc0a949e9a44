/**
 * Hold expiry with a short AUTH_HOLD_TTL_SECONDS: late captures and increments are refused, the sweeper
 * returns the credit exactly once even when two sweepers race, and it reads a shard on page after page.
 * (A hold that keeps failing to expire: expiry-faults.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };

beforeAll(async () => {
  app = await startTestApp({ AUTH_HOLD_TTL_SECONDS: '1', VELOCITY_MAX: '0', REVIEW_THRESHOLD: '50000' });
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
          expect(
            (
              await api.post(shop.apiKey, `/v1/authorizations/${holds[0]}/capture`, {
                amount: 500,
                final: false,
              })
            ).status,
          ).toBe(200);
        }
      }
    }
    // And one waiting for review.
    const pending = await api.authorize(shop.apiKey, { accountId: accounts[1]!, amount: 60_000 });
    expect(pending.body.status).toBe('pending_review');
    await pastExpiry();

    const [a, b] = await Promise.all([
      sweepExpiredHolds({ budgetMs: 30_000 }),
      sweepExpiredHolds({ budgetMs: 30_000 }),
    ]);
    expect(a.expired + b.expired).toBe(holds.length + 1);

    for (const accountId of accounts) {
      expect(await api.account(accountId)).toMatchObject({ reserved: 0 });
      await expectReconciled(api, accountId);
    }
    expect((await api.account(accounts[0]!)).outstanding).toBe(500);
    const expireEntries = (await Promise.all(accounts.map(listAllJournal)))
      .flat()
      .filter((e) => e.type === 'expire');
    expect(expireEntries).toHaveLength(holds.length + 1);
    const first = await api.call('GET', `/v1/authorizations/${holds[0]}`, { key: shop.apiKey });
    expect(first.body).toMatchObject({ status: 'expired', capturedAmount: 500, releasedAmount: 500 });
    const again = await sweepExpiredHolds({ budgetMs: 30_000 });
    expect(again.expired).toBe(0);
  });

  it('reads a shard on from a position, past holds that left the index, page after page', async () => {
    const { DUE_PAGE_SIZE, firstShard, sweepExpiredHolds } = await import(
      '../../shared/authorizations/expiry.js'
    );
    const { authorizationIdFor, expiryShard, listDueHolds } = await import(
      '../../shared/authorizations/repository.js'
    );
    const { requestDigest } = await import('../../shared/ids.js');
    await sweepExpiredHolds({ budgetMs: 30_000 }); // clear what earlier tests left due
    const sweepAtMs = Date.now() + 120_000; // every hold made below is long due by then (the TTL is 1 s)
    const shard = firstShard(sweepAtMs);
    const accountId = await api.createAccount(10_000_000);
    // More than a page of due holds, all in the shard the sweep starts with (the shard follows from the key).
    const holds: Array<{ id: string; expiresAt: string }> = [];
    while (holds.length < DUE_PAGE_SIZE + 3) {
      const key = randomUUID();
      if (expiryShard(authorizationIdFor(requestDigest(shop.id, key))) !== shard) continue;
      const { status, body } = await api.authorize(shop.apiKey, { accountId, amount: 100 }, key);
      expect(status).toBe(201);
      holds.push(body);
    }
    const dueIso = new Date(sweepAtMs).toISOString();
    const head = await listDueHolds(shard, dueIso, 2);
    expect(head.holds.map((h) => h.id)).toEqual([holds[0]!.id, holds[1]!.id]);
    // The first hold alone is due at its own expiresAt: expired, it leaves the index; reading on from it still works.
    expect(
      await sweepExpiredHolds({ nowMs: Date.parse(holds[0]!.expiresAt), budgetMs: 30_000 }),
    ).toMatchObject({ expired: 1, failed: 0 });
    const on = await listDueHolds(shard, dueIso, 2, head.holds[0]!.after);
    expect(on.holds.map((h) => h.id)).toEqual([holds[1]!.id, holds[2]!.id]);

    const swept = await sweepExpiredHolds({ nowMs: sweepAtMs, budgetMs: 60_000 });
    expect(swept).toEqual({
      expired: holds.length - 1,
      skipped: 0,
      failed: 0,
      failedShards: 0,
      truncated: false,
    });
    expect(await api.account(accountId)).toMatchObject({ reserved: 0 });
    await expectReconciled(api, accountId);
  }, 120_000);
});
