/**
 * The TypeScript client against the real local service (the Lambda handlers on DynamoDB Local): typed results,
 * typed declines, no retry of a 4xx, and exactly-once money movement when an answer is lost and the client
 * retries with the same Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import {
  CheckoutClient,
  CheckoutConnectionError,
  DeclinedError,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  type Authorization,
  type CheckoutClientOptions,
  type FetchLike,
} from '../../client/index.js';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let checkoutKey: string;

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0' });
  api = new Api(app.url);
  checkoutKey = (await api.createClient(['checkout'])).apiKey;
});
afterAll(() => app.close());

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
}

/** The real fetch, recording what is sent; `beforeAnswer` may replace the answer (e.g. lose it). */
function recordingFetch(beforeAnswer?: (sent: Sent, response: Response, index: number) => Promise<Response>) {
  const sent: Sent[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const entry = {
      method: init.method ?? 'GET',
      path: new URL(url).pathname,
      idempotencyKey: (init.headers as Record<string, string>)['idempotency-key'],
    };
    sent.push(entry);
    const response = await fetch(url, init);
    return beforeAnswer ? beforeAnswer(entry, response, sent.length - 1) : response;
  };
  return { fetch: fetchImpl, sent };
}

function checkoutClient(options: Partial<CheckoutClientOptions> = {}): CheckoutClient {
  // No real waiting between retries: these tests count requests, they do not time them.
  return new CheckoutClient({
    baseUrl: app.url,
    apiKey: checkoutKey,
    sleep: async () => undefined,
    ...options,
  });
}

const order = (accountId: string, amount: number) => ({
  accountId,
  amount,
  currency: 'CNY',
  orderId: `o-${randomUUID().slice(0, 8)}`,
});

describe('CheckoutClient: reserve and capture', () => {
  it('reserves and captures, with typed resources and the exchange beside them', async () => {
    const accountId = await api.createAccount(500_000);
    const client = checkoutClient();

    const reserved = await client.createAuthorization(order(accountId, 20_000));
    const hold: Authorization = reserved.data;
    expect(hold).toMatchObject({
      object: 'authorization',
      accountId,
      amount: 20_000,
      capturedAmount: 0,
      status: 'authorized',
    });
    expect(reserved).toMatchObject({ status: 201, replayed: false, attempts: 1 });
    expect(reserved.requestId).toBeTruthy();
    expect(reserved.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

    const captured = await client.capture(hold.id, { amount: 15_000 });
    expect(captured.data).toMatchObject({
      id: hold.id,
      status: 'captured',
      capturedAmount: 15_000,
      releasedAmount: 5_000,
    });
    expect(captured.idempotencyKey).not.toBe(reserved.idempotencyKey);

    const { data: account } = await client.getAccount(accountId);
    expect(account).toMatchObject({ reserved: 0, outstanding: 15_000, available: 485_000 });
    expect(captured.replayed).toBe(false);
    expect(Object.keys(captured.data)).not.toContain('replayed');
  });

  it('replays a call made again with the same Idempotency-Key, moving no money again', async () => {
    const accountId = await api.createAccount(100_000);
    const client = checkoutClient();
    const params = order(accountId, 30_000);
    const first = await client.createAuthorization(params, { idempotencyKey: `reserve-${params.orderId}` });
    const again = await client.createAuthorization(params, { idempotencyKey: `reserve-${params.orderId}` });
    expect(again).toMatchObject({ replayed: true, data: first.data, status: 201 });
    expect((await client.getAccount(accountId)).data.reserved).toBe(30_000);
    await expect(
      client.createAuthorization({ ...params, amount: 1 }, { idempotencyKey: `reserve-${params.orderId}` }),
    ).rejects.toBeInstanceOf(IdempotencyError);
  });
});

describe('CheckoutClient: errors', () => {
  it('surfaces a 402 as DeclinedError with insufficient_credit and the declined authorization, which GET finds', async () => {
    const accountId = await api.createAccount(10_000);
    const { fetch, sent } = recordingFetch();
    const client = checkoutClient({ fetch });
    const thrown = await client.createAuthorization(order(accountId, 10_001)).catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(DeclinedError);
    const declined = thrown as DeclinedError;
    expect(declined).toMatchObject({
      status: 402,
      type: 'declined',
      code: 'insufficient_credit',
      declineCode: 'insufficient_credit',
      replayed: false,
    });
    expect(declined.requestId).toBeTruthy();
    expect(declined.authorization).toMatchObject({
      status: 'declined',
      declineCode: 'insufficient_credit',
      accountId,
      amount: 10_001,
    });
    expect(declined.idempotencyKey).toBe(sent[0]!.idempotencyKey);
    expect(sent).toHaveLength(1);

    const { data: found } = await client.getAuthorization(declined.authorization!.id);
    expect(found.status).toBe('declined');
    expect((await client.getAccount(accountId)).data.reserved).toBe(0);
  });

  it('never retries a 4xx: one request each for 400, 404 and 409', async () => {
    const accountId = await api.createAccount(10_000);
    const { fetch, sent } = recordingFetch();
    const client = checkoutClient({ fetch, maxRetries: 3 });

    await expect(client.createAuthorization(order(accountId, 0))).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
      param: 'amount',
    });
    expect(sent).toHaveLength(1);
    await expect(client.getAuthorization('auth_does_not_exist')).rejects.toBeInstanceOf(NotFoundError);
    expect(sent).toHaveLength(2);
    const { data: hold } = await client.createAuthorization(order(accountId, 1_000));
    await client.release(hold.id);
    expect(sent).toHaveLength(4);
    await expect(client.capture(hold.id)).rejects.toMatchObject({ status: 409, code: 'invalid_state' });
    expect(sent).toHaveLength(5);
    await expect(
      client.createAuthorization({ ...order(accountId, 100), currency: 'USD' }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sent).toHaveLength(6);
  });
});

describe('CheckoutClient: a lost answer', () => {
  it('retries after a dropped response with the same key: the hold is made once and the retry is a replay', async () => {
    const accountId = await api.createAccount(100_000);
    // The service commits and answers, but the answer never reaches the caller (the first time only).
    const { fetch, sent } = recordingFetch(async (_entry, response, index) => {
      if (index === 0) {
        await response.body?.cancel();
        throw new TypeError('fetch failed: socket hang up');
      }
      return response;
    });
    const client = checkoutClient({ fetch });

    const result = await client.createAuthorization(order(accountId, 25_000));

    expect(sent).toHaveLength(2);
    expect(sent[1]!.idempotencyKey).toBe(sent[0]!.idempotencyKey);
    expect(result).toMatchObject({
      replayed: true,
      attempts: 2,
      status: 201,
      idempotencyKey: sent[0]!.idempotencyKey,
    });
    expect(result.data).toMatchObject({ status: 'authorized', amount: 25_000 });
    expect((await client.getAccount(accountId)).data).toMatchObject({ reserved: 25_000, available: 75_000 });
  });

  it('after the retries run out, the key on the error lets the caller learn the outcome later without moving money twice', async () => {
    const accountId = await api.createAccount(100_000);
    const params = order(accountId, 40_000);
    const { fetch: losingFetch, sent } = recordingFetch(async (_entry, response) => {
      await response.body?.cancel();
      throw new TypeError('fetch failed: connection reset');
    });
    const thrown = await checkoutClient({ fetch: losingFetch, maxRetries: 2 })
      .createAuthorization(params)
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CheckoutConnectionError);
    const { idempotencyKey, attempts } = thrown as CheckoutConnectionError;
    expect(attempts).toBe(3);
    expect(sent.map((s) => s.idempotencyKey)).toEqual([idempotencyKey, idempotencyKey, idempotencyKey]);

    // The network is back: the same key answers with what the first attempt did.
    const client = checkoutClient();
    const recovered = await client.createAuthorization(params, { idempotencyKey: idempotencyKey! });
    expect(recovered.replayed).toBe(true);
    expect((await client.getAccount(accountId)).data.reserved).toBe(40_000);
  });

  it('times out an attempt that gets no answer and retries it with the same key', async () => {
    const accountId = await api.createAccount(100_000);
    const attempts: Array<{ signal: AbortSignal; idempotencyKey: string | undefined }> = [];
    const stalling: FetchLike = (url, init) => {
      attempts.push({
        signal: init.signal!,
        idempotencyKey: (init.headers as Record<string, string>)['idempotency-key'],
      });
      // The first attempt never reaches the service and never answers, until the client gives up on it.
      if (attempts.length === 1)
        return new Promise((_resolve, reject) =>
          init.signal!.addEventListener('abort', () => reject(init.signal!.reason)),
        );
      return fetch(url, init);
    };
    // Small enough to keep the test quick; a slow machine may time out a real attempt too, which only adds
    // attempts with the same key: the hold is still made exactly once, which is what is asserted.
    const result = await checkoutClient({ fetch: stalling, timeoutMs: 200 }).createAuthorization(
      order(accountId, 5_000),
    );
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(result.attempts).toBe(attempts.length);
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((a) => a.idempotencyKey))).toEqual(new Set([result.idempotencyKey]));
    expect((await api.account(accountId)).reserved).toBe(5_000);
  });
});
