/**
 * Deadlines from the time an invocation has left (issue 12, item 6). The fault proxy stalls DynamoDB: it
 * forwards a request (a write commits) and holds the answer longer than any function's timeout. The service
 * must cut those calls in time to answer `503 unavailable` in the contract's shape (the local server ends a
 * function at its configured timeout, as Lambda does, and answers 500 then: these tests must never see it),
 * and a retry with the same Idempotency-Key must converge once DynamoDB answers again, moving money once.
 * Last, the storage layer's deadline scope on its own, against the same stalled DynamoDB.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { errorBody } from '../../shared/http/errors.js';
import { Api, type Reply } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
/** Each test waits out a few cut attempts (under a second each); far more than that is a hang. */
const TEST_TIMEOUT_MS = 30_000;
let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint, seed: 12 });
  app = await startTestApp({}, { endpoint: proxy.endpoint });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
});
afterEach(() => proxy.setFaults({ stall: 0 }));
afterAll(async () => {
  await app.close();
  await proxy.close();
});

/** The key resolved once (the authorizer caches it, as API Gateway does), so a stall then hits only the route. */
async function accountKnownTo(apiKey: string): Promise<string> {
  const accountId = await api.createAccount(100_000);
  expect((await api.call('GET', `/v1/accounts/${accountId}`, { key: apiKey })).status).toBe(200);
  return accountId;
}

/** The contract's 503, which also says when to retry (Retry-After: a second, as every 503 by default). */
function expectUnavailable(reply: Reply): void {
  expect(reply.status).toBe(503);
  expect(reply.body).toEqual(errorBody('unavailable'));
  expect(reply.headers.get('retry-after')).toBe('1');
}

/** Waits for something the proxy notices asynchronously (a closed connection), failing after `limitMs`. */
async function until(condition: () => boolean, limitMs = 5_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= limitMs) throw new Error('condition not met');
    await sleep(10);
  }
}

/**
 * The service cut every stalled call itself (the proxy saw it close the connection), well before the proxy's
 * 10 s hold would have answered it: nothing is left waiting on DynamoDB once the function has answered.
 */
async function expectEveryStallCut(): Promise<void> {
  const stalled = proxy.stats().injected.stall;
  expect(stalled).toBeGreaterThan(0);
  await until(() => proxy.stats().abandoned === stalled);
}

describe('when DynamoDB stalls', () => {
  it(
    'a hold is answered 503 unavailable in time, and the same key then converges: money moved once',
    async () => {
      const accountId = await accountKnownTo(shop.apiKey);
      const key = randomUUID();
      const body = { accountId, amount: 2_500, orderId: 'o-stalled' };
      proxy.setFaults({ stall: 1 });
      expectUnavailable(await api.authorize(shop.apiKey, body, key));
      proxy.setFaults({ stall: 0 });
      await expectEveryStallCut();

      // The stall held the answer, not the write: the hold exists, and the retry replays it.
      const retried = await api.authorize(shop.apiKey, body, key);
      expect(retried.status).toBe(201);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      const account = await api.account(accountId);
      expect(account.reserved).toBe(2_500);
      await expectReconciled(api, accountId);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a capture whose snapshot read stalls is answered 503, and the same key then captures once',
    async () => {
      const accountId = await accountKnownTo(shop.apiKey);
      const hold = await api.authorize(shop.apiKey, { accountId, amount: 4_000 });
      expect(hold.status).toBe(201);
      const key = randomUUID();
      const capture = () =>
        api.post(shop.apiKey, `/v1/authorizations/${hold.body.id}/capture`, { amount: 3_000 }, key);
      proxy.setFaults({ stall: 1 });
      expectUnavailable(await capture());
      proxy.setFaults({ stall: 0 });
      await expectEveryStallCut();
      expect((await capture()).status).toBe(200);
      expect((await capture()).headers.get('idempotent-replayed')).toBe('true');
      const account = await api.account(accountId);
      expect(account).toMatchObject({ reserved: 0, outstanding: 3_000 });
      await expectReconciled(api, accountId);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a new key whose lookup stalls is answered 503, and works as soon as DynamoDB answers (nothing cached)',
    async () => {
      const accountId = await api.createAccount(100_000);
      const fresh = await api.createClient(['checkout']);
      proxy.setFaults({ stall: 1 });
      expectUnavailable(await api.call('GET', `/v1/accounts/${accountId}`, { key: fresh.apiKey }));
      proxy.setFaults({ stall: 0 });
      await expectEveryStallCut();
      expect((await api.call('GET', `/v1/accounts/${accountId}`, { key: fresh.apiKey })).status).toBe(200);
    },
    TEST_TIMEOUT_MS,
  );
});

describe("the storage layer's deadline scope", () => {
  const anyKey = { pk: 'NOTHING', sk: 'NOTHING' };

  it(
    'cuts a call at the deadline of its scope: DeadlineExceededError, and the stalled request abandoned',
    async () => {
      const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
      const { DeadlineExceededError, withDeadline } = await import('../../shared/storage/deadline.js');
      proxy.setFaults({ stall: 1 });
      // Far shorter than a call's own cap (SDK_CALL_MAX_MS): only the scope's deadline can end this call.
      const read = withDeadline(Date.now() + 200, () =>
        documentClient.send(new GetCommand({ TableName: tableName, Key: anyKey })),
      );
      await expect(read).rejects.toBeInstanceOf(DeadlineExceededError);
      await expectEveryStallCut();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'does not send a call once the deadline has passed',
    async () => {
      const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
      const { DeadlineExceededError, withDeadline } = await import('../../shared/storage/deadline.js');
      const requests = proxy.stats().requests;
      const read = withDeadline(Date.now() - 1, () =>
        documentClient.send(new GetCommand({ TableName: tableName, Key: anyKey })),
      );
      await expect(read).rejects.toBeInstanceOf(DeadlineExceededError);
      expect(proxy.stats().requests).toBe(requests);
    },
    TEST_TIMEOUT_MS,
  );
});
