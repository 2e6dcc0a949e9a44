/**
 * Faults DynamoDB Local never produces on its own — TransactionConflict, throttling, internal errors, and
 * responses lost after DynamoDB committed — injected by a proxy between the service and DynamoDB Local.
 * A client that retries with the same Idempotency-Key until it gets a final answer must end with every account
 * exactly as the answers said: each hold holds what it says, each capture/refund/repayment moved money once.
 */
import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api, type Reply, untilFinal as untilFinalShared } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };

/** A client's retry budget: enough to outlast the injected fault rates many times over. */
const MAX_CLIENT_ATTEMPTS = 25;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint, seed: 618 });
  app = await startTestApp({ VELOCITY_MAX: '0' }, { endpoint: proxy.endpoint });
  api = new Api(app.url);
  [shop, servicing] = await Promise.all([api.createClient(['checkout']), api.createClient(['servicing'])]);
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

const untilAnswered = (send: () => Promise<Reply>) => untilFinalShared(send, MAX_CLIENT_ATTEMPTS);

describe('under injected DynamoDB faults', () => {
  it('retries with the same key end with every account exactly as the answers said', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => api.createAccount(200_000)));
    proxy.setFaults({
      transactionConflict: 0.25,
      throttle: 0.05,
      internalError: 0.03,
      dropResponseAfterCommit: 0.1,
    });

    const holds: string[] = [];
    const repaid = new Map<string, number>();
    // Round 1: reserves (each sent twice concurrently with one key, as a double-clicked checkout would).
    await Promise.all(
      accounts.flatMap((accountId) =>
        Array.from({ length: 10 }, async (_, i) => {
          const key = randomUUID();
          const body = { accountId, amount: 3_000 + i * 100, orderId: `o-${key.slice(0, 6)}` };
          const [a, b] = await Promise.all([
            untilAnswered(() => api.authorize(shop.apiKey, body, key)),
            untilAnswered(() => api.authorize(shop.apiKey, body, key)),
          ]);
          expect(b.body).toEqual(a.body);
          if (a.status === 201) holds.push(a.body.id);
        }),
      ),
    );
    // Round 2: captures, releases and refunds on those holds, and repayments, all retried with their keys.
    await Promise.all(
      holds.map(async (id, i) => {
        const key = randomUUID();
        if (i % 3 === 0) {
          await untilAnswered(() =>
            api.post(shop.apiKey, `/v1/authorizations/${id}/capture`, { amount: 2_000 }, key),
          );
          const refundKey = randomUUID();
          await untilAnswered(() =>
            api.post(shop.apiKey, `/v1/authorizations/${id}/refunds`, { amount: 500 }, refundKey),
          );
        } else if (i % 3 === 1) {
          await untilAnswered(() =>
            api.post(shop.apiKey, `/v1/authorizations/${id}/release`, { amount: 1_000 }, key),
          );
        } else {
          await untilAnswered(() => api.post(shop.apiKey, `/v1/authorizations/${id}/capture`, {}, key));
        }
      }),
    );
    await Promise.all(
      accounts.map(async (accountId) => {
        const key = randomUUID();
        const reply = await untilAnswered(() =>
          api.post(
            servicing.apiKey,
            `/v1/accounts/${accountId}/repayments`,
            { amount: 1_000, currency: 'CNY' },
            key,
          ),
        );
        if (reply.status === 201) repaid.set(accountId, 1_000);
      }),
    );

    const injected = proxy.stats().injected;
    proxy.setFaults({ transactionConflict: 0, throttle: 0, internalError: 0, dropResponseAfterCommit: 0 });
    expect(injected.transactionConflict).toBeGreaterThan(0);
    expect(injected.throttle).toBeGreaterThan(0);
    expect(injected.dropResponseAfterCommit).toBeGreaterThan(0);
    expect(holds.length).toBeGreaterThan(0);

    // Read again after a 503: a hold missing from these states would drop out of both sums below unnoticed.
    const states = await Promise.all(
      holds.map(async (id) => {
        const reply = await untilAnswered(() =>
          api.call('GET', `/v1/authorizations/${id}`, { key: ADMIN_KEY }),
        );
        expect(reply.status).toBe(200);
        return reply.body;
      }),
    );
    for (const accountId of accounts) {
      const mine = states.filter((h) => h.accountId === accountId);
      const account = await api.account(accountId);
      const held = mine.reduce((s, h) => s + h.amount - h.capturedAmount - h.releasedAmount, 0);
      const owed =
        mine.reduce((s, h) => s + h.capturedAmount - h.refundedAmount, 0) - (repaid.get(accountId) ?? 0);
      expect(account.reserved).toBe(held);
      expect(account.outstanding).toBe(owed);
      expect(account.available).toBe(account.totalLimit - account.reserved - account.outstanding);
      await expectReconciled(api, accountId);
    }
  });
});
