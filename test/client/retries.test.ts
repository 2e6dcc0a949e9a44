/**
 * The client's retry, timeout and error-mapping rules against a scripted fetch (no server): what is retried,
 * how often, how long it waits (through an injected sleep, so nothing here depends on the clock), and that a
 * money-moving call keeps one Idempotency-Key across its attempts.
 */
import {
  AuthenticationError,
  CheckoutClient,
  CheckoutConnectionError,
  CheckoutTimeoutError,
  ConflictError,
  DeclinedError,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  UnexpectedResponseError,
  type CheckoutClientOptions,
  type FetchLike,
} from '../../client/index.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from '../../client/retry-policy.js';

const BASE_URL = 'http://checkout.test';
const ORDER = { accountId: 'acc_1', amount: 20_000, currency: 'CNY', orderId: 'o-1' };
const AUTHORIZATION = {
  id: 'auth_1',
  object: 'authorization',
  accountId: 'acc_1',
  orderId: 'o-1',
  currency: 'CNY',
  amount: 20_000,
  capturedAmount: 0,
  releasedAmount: 0,
  refundedAmount: 0,
  status: 'authorized',
  expiresAt: '2026-01-08T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

type Step = () => Response | Promise<Response>;
interface Call {
  url: string;
  init: RequestInit;
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': `req_${status}`, ...headers },
    });
const error = (
  status: number,
  code: string,
  type: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => json(status, { error: { type, code, message: `${code}!` }, ...extra }, headers);
const raw =
  (status: number, text: string): Step =>
  () =>
    new Response(text, { status, headers: { 'content-type': 'text/html' } });
const networkError =
  (cause?: unknown): Step =>
  () => {
    throw new TypeError('fetch failed', cause === undefined ? undefined : { cause });
  };
/** An attempt that never answers; it ends only when its signal aborts (or never, with ignoreSignal). */
const hang =
  (options: { ignoreSignal?: boolean } = {}): ((init: RequestInit) => Promise<Response>) =>
  (init) =>
    new Promise<Response>((_resolve, reject) => {
      if (!options.ignoreSignal)
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
    });

/** A fetch that plays `steps` in order (the last one repeats) and records every call. */
function scripted(steps: Array<Step | ((init: RequestInit) => Promise<Response>)>) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)]!;
    return step(init);
  };
  return { fetch, calls };
}

function clientWith(fetch: FetchLike, options: Partial<CheckoutClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new CheckoutClient({
    baseUrl: BASE_URL,
    apiKey: 'sk_test',
    fetch,
    // Records the waits instead of waiting: the test asserts counts and computed delays, never durations.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, sleeps };
}

const keyOf = (call: Call) => (call.init.headers as Record<string, string>)['idempotency-key'];

describe('retries on 5xx and 429', () => {
  it('retries 503 until it succeeds, waiting capped full-jitter backoff, with one Idempotency-Key throughout', async () => {
    const { fetch, calls } = scripted([
      error(503, 'unavailable', 'internal'),
      error(503, 'unavailable', 'internal'),
      json(201, AUTHORIZATION),
    ]);
    const { client, sleeps } = clientWith(fetch);
    const result = await client.createAuthorization(ORDER);
    expect(result).toMatchObject({
      data: AUTHORIZATION,
      status: 201,
      attempts: 3,
      replayed: false,
      requestId: 'req_201',
    });
    expect(calls).toHaveLength(3);
    // random() = 0.5 of the ceilings 100 ms, 200 ms.
    expect(sleeps).toEqual([50, 100]);
    expect(new Set(calls.map(keyOf))).toEqual(new Set([result.idempotencyKey]));
    expect(result.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stops after maxRetries and throws the last answer as a ServerError', async () => {
    const { fetch, calls } = scripted([error(500, 'internal_error', 'internal')]);
    const { client, sleeps } = clientWith(fetch, { maxRetries: 2 });
    const thrown = await client.capture('auth_1').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ServerError);
    expect(thrown).toMatchObject({
      status: 500,
      type: 'internal',
      code: 'internal_error',
      requestId: 'req_500',
    });
    expect((thrown as ServerError).idempotencyKey).toBe(keyOf(calls[0]!));
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('makes no retry at all with maxRetries: 0', async () => {
    const { fetch, calls } = scripted([error(503, 'unavailable', 'internal')]);
    const { client } = clientWith(fetch, { maxRetries: 0 });
    await expect(client.getAccount('acc_1')).rejects.toBeInstanceOf(ServerError);
    expect(calls).toHaveLength(1);
  });

  it('waits what Retry-After says on 429', async () => {
    const { fetch, calls } = scripted([
      error(429, 'too_many_requests', 'rate_limited', {}, { 'retry-after': '2' }),
      json(200, AUTHORIZATION),
    ]);
    const { client, sleeps } = clientWith(fetch);
    await client.getAuthorization('auth_1');
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  it('backs off on 429 without Retry-After', async () => {
    const { fetch } = scripted([error(429, 'too_many_requests', 'rate_limited'), json(200, AUTHORIZATION)]);
    const { client, sleeps } = clientWith(fetch);
    await client.getAuthorization('auth_1');
    expect(sleeps).toEqual([50]);
  });

  it('does not wait out a Retry-After longer than maxRetryAfterMs: the RateLimitError goes to the caller', async () => {
    const { fetch, calls } = scripted([
      error(429, 'too_many_requests', 'rate_limited', {}, { 'retry-after': '3600' }),
    ]);
    const { client, sleeps } = clientWith(fetch);
    const thrown = await client.getAuthorization('auth_1').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RateLimitError);
    expect((thrown as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("retries a 502 whose body is not the contract's, and reports it as unexpected_response", async () => {
    const { fetch, calls } = scripted([raw(502, '<html>Bad Gateway</html>')]);
    const { client } = clientWith(fetch, { maxRetries: 1 });
    const thrown = await client.getAccount('acc_1').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ServerError);
    expect(thrown).toMatchObject({ status: 502, type: 'internal', code: 'unexpected_response' });
    expect(calls).toHaveLength(2);
  });
});

describe('never retries other 4xx', () => {
  it.each([
    [400, 'validation_failed', 'invalid_request', InvalidRequestError],
    [401, 'invalid_api_key', 'authentication', AuthenticationError],
    [402, 'insufficient_credit', 'declined', DeclinedError],
    [403, 'insufficient_scope', 'permission', PermissionError],
    [404, 'authorization_not_found', 'not_found', NotFoundError],
    [409, 'invalid_state', 'conflict', ConflictError],
    [409, 'idempotency_key_reused', 'conflict', IdempotencyError],
    [413, 'body_too_large', 'invalid_request', InvalidRequestError],
    [415, 'unsupported_media_type', 'invalid_request', InvalidRequestError],
  ])('%i %s: one request, thrown as its class', async (status, code, type, errorClass) => {
    const { fetch, calls } = scripted([error(status, code, type, {}, { 'idempotent-replayed': 'true' })]);
    const { client, sleeps } = clientWith(fetch);
    const thrown = await client.capture('auth_1', { amount: 1 }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(errorClass);
    expect(thrown).toMatchObject({
      status,
      code,
      type,
      message: `${code}!`,
      requestId: `req_${status}`,
      replayed: true,
    });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('carries the declined authorization and the param of a validation error', async () => {
    const declined = { ...AUTHORIZATION, status: 'declined', declineCode: 'insufficient_credit' };
    const { fetch } = scripted([error(402, 'insufficient_credit', 'declined', { authorization: declined })]);
    const thrown = (await clientWith(fetch)
      .client.createAuthorization(ORDER)
      .catch((e: unknown) => e)) as DeclinedError;
    expect(thrown.authorization).toEqual(declined);
    expect(thrown.declineCode).toBe('insufficient_credit');

    const invalid = scripted([
      json(400, {
        error: {
          type: 'invalid_request',
          code: 'validation_failed',
          message: 'amount: too small',
          param: 'amount',
        },
      }),
    ]);
    await expect(clientWith(invalid.fetch).client.createAuthorization(ORDER)).rejects.toMatchObject({
      param: 'amount',
    });
  });
});

describe('network errors and timeouts', () => {
  it('retries network errors with the same key, then throws CheckoutConnectionError carrying it', async () => {
    const { fetch, calls } = scripted([networkError()]);
    const { client, sleeps } = clientWith(fetch);
    const thrown = await client
      .refund('auth_1', { amount: 100 }, { idempotencyKey: 'refund-o-1' })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CheckoutConnectionError);
    expect(thrown).toMatchObject({ attempts: 4, idempotencyKey: 'refund-o-1' });
    expect(calls.map(keyOf)).toEqual(['refund-o-1', 'refund-o-1', 'refund-o-1', 'refund-o-1']);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('aborts an attempt at timeoutMs and retries it', async () => {
    const { fetch, calls } = scripted([hang(), json(200, AUTHORIZATION)]);
    const { client } = clientWith(fetch, { timeoutMs: 50 });
    const result = await client.capture('auth_1');
    expect(result.attempts).toBe(2);
    expect(calls[0]!.init.signal?.aborted).toBe(true);
    expect(keyOf(calls[1]!)).toBe(keyOf(calls[0]!));
  });

  it('times out even when fetch ignores the abort signal, and reports CheckoutTimeoutError', async () => {
    const { fetch, calls } = scripted([hang({ ignoreSignal: true })]);
    const { client } = clientWith(fetch, { timeoutMs: 50, maxRetries: 1 });
    const thrown = await client.getAccount('acc_1').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(CheckoutTimeoutError);
    expect(thrown).toMatchObject({ timeoutMs: 50, attempts: 2 });
    expect(calls).toHaveLength(2);
  });

  it("stops at once when the caller's signal aborts, even while backing off", async () => {
    const { fetch, calls } = scripted([error(503, 'unavailable', 'internal')]);
    const controller = new AbortController();
    const client = new CheckoutClient({
      baseUrl: BASE_URL,
      apiKey: 'sk_test',
      fetch,
      sleep: async (_ms, signal) => {
        controller.abort(new Error('checkout cancelled'));
        signal?.throwIfAborted();
      },
    });
    await expect(client.getAccount('acc_1', { signal: controller.signal })).rejects.toThrow(
      'checkout cancelled',
    );
    expect(calls).toHaveLength(1);
  });
});

describe('calls that could act twice', () => {
  const created = json(201, {
    id: 'cli_1',
    object: 'client',
    name: 'n',
    scopes: ['checkout'],
    apiKey: 'k',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

  it.each([
    ['a 500', [error(500, 'internal_error', 'internal'), created], 1],
    ['a network error after sending', [networkError(), created], 1],
    ['a timeout', [hang(), created], 1],
    ['a 503', [error(503, 'unavailable', 'internal'), created], 2],
    ['a 429', [error(429, 'too_many_requests', 'rate_limited'), created], 2],
    ['a refused connection', [networkError(refused), created], 2],
  ] as const)('after %s: retried only if nothing can have happened', async (_what, steps, expectedCalls) => {
    const { fetch, calls } = scripted([...steps]);
    const { client } = clientWith(fetch, { timeoutMs: 50 });
    const outcome = await client.createClient({ name: 'n', scopes: ['checkout'] }).then(
      () => 'ok',
      (e: unknown) => e,
    );
    expect(calls).toHaveLength(expectedCalls);
    if (expectedCalls === 2) expect(outcome).toBe('ok');
    expect(keyOf(calls[0]!)).toBeUndefined();
  });
});

describe('requests and answers', () => {
  it('sends the key, JSON body, encoded path and query, and reads replayed from idempotent-replayed', async () => {
    const { fetch, calls } = scripted([
      json(201, AUTHORIZATION, { 'idempotent-replayed': 'true' }),
      json(200, { object: 'list', data: [], nextCursor: null }),
    ]);
    const { client } = clientWith(fetch);
    const result = await client.createAuthorization(ORDER, { idempotencyKey: 'order-o-1' });
    expect(result).toMatchObject({ replayed: true, idempotencyKey: 'order-o-1', attempts: 1 });
    expect(calls[0]!.url).toBe(`${BASE_URL}/v1/authorizations`);
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toMatchObject({
      authorization: 'Bearer sk_test',
      'content-type': 'application/json',
      'idempotency-key': 'order-o-1',
    });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual(ORDER);

    await client.listJournal('acc/1 x', { limit: 10, cursor: 'c+/=' });
    expect(calls[1]!.url).toBe(`${BASE_URL}/v1/accounts/acc%2F1%20x/journal?limit=10&cursor=c%2B%2F%3D`);
    expect(calls[1]!.init.body).toBeUndefined();
    expect(keyOf(calls[1]!)).toBeUndefined();
  });

  it('throws UnexpectedResponseError for a 2xx that is not JSON, without retrying', async () => {
    const { fetch, calls } = scripted([raw(200, 'OK')]);
    await expect(clientWith(fetch).client.getAccount('acc_1')).rejects.toBeInstanceOf(
      UnexpectedResponseError,
    );
    expect(calls).toHaveLength(1);
  });

  it('rejects bad arguments before sending anything', async () => {
    const { fetch, calls } = scripted([json(200, AUTHORIZATION)]);
    const { client } = clientWith(fetch);
    await expect(client.capture('auth_1', {}, { idempotencyKey: '' })).rejects.toBeInstanceOf(TypeError);
    await expect(client.capture('auth_1', {}, { idempotencyKey: 'k\u00e9y' })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(client.getAuthorization('')).rejects.toBeInstanceOf(TypeError);
    await expect(client.getAccount('acc_1', { maxRetries: 11 })).rejects.toBeInstanceOf(RangeError);
    expect(calls).toHaveLength(0);
    expect(() => new CheckoutClient({ baseUrl: BASE_URL, apiKey: 'k', timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new CheckoutClient({ baseUrl: 'not a url', apiKey: 'k' })).toThrow(TypeError);
    expect(() => new CheckoutClient({ baseUrl: BASE_URL, apiKey: '' })).toThrow(TypeError);
  });
});

describe('retry policy', () => {
  it.each([
    [0, 0.999, 99],
    [1, 0.999, 199],
    [4, 0.999, 1_598],
    [5, 0.999, 1_998], // capped at 2 s
    [30, 0.999, 1_998],
    [3, 0, 0],
  ])('backoff before retry %i with random %f is %i ms', (retry, random, expected) => {
    expect(backoffDelayMs(retry, () => random)).toBe(expected);
  });

  it.each([
    ['5', 5_000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Thu, 01 Jan 2025 00:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('Retry-After %p is %p ms', (header, expected) => {
    expect(parseRetryAfterMs(header, Date.parse('2026-01-01T00:00:00Z'))).toBe(expected);
  });

  it.each([
    [429, true, true],
    [503, true, true],
    [500, true, false],
    [502, true, false],
    [504, true, false],
    [501, false, false],
    [400, false, false],
    [404, false, false],
    [409, false, false],
  ])('status %i: retried when always %p, when unprocessed_only %p', (status, always, unprocessedOnly) => {
    expect([isRetryableStatus(status, 'always'), isRetryableStatus(status, 'unprocessed_only')]).toEqual([
      always,
      unprocessedOnly,
    ]);
  });
});
