/**
 * Bad input always gets a clear 4xx in the contract's shape and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { RouteDefinition } from '../../functions/routes.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { tableSnapshot } from '../support/table.js';

// At the top, before the route list loads: the route modules read the service's configuration when they load,
// and the tests below are made from that list.
const app = await startTestApp();
const { ROUTES } = await import('../../functions/routes.js');
let api: Api;
let checkout: { id: string; apiKey: string };
let accountId: string;
let holdId: string;

beforeAll(async () => {
  api = new Api(app.url);
  checkout = await api.createClient(['checkout']);
  accountId = await api.createAccount(100_000);
  const hold = await api.authorize(checkout.apiKey, { accountId, amount: 10_000 });
  holdId = hold.body.id;
});
afterAll(() => app.close());

function expectContractError(
  reply: { status: number; body: any },
  status: number,
  code: string,
  param?: string,
): void {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(reply.body.error).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
  if (param !== undefined) expect(reply.body.error.param).toBe(param);
  expect(JSON.stringify(reply.body)).not.toMatch(/Exception|stack|node_modules|at \//);
}

const valid = () => ({ accountId, amount: 1_000, currency: 'CNY', orderId: 'o-bad' });

describe('POST /v1/authorizations with malformed input', () => {
  const cases: Array<[string, (v: Record<string, unknown>) => Record<string, unknown>, string, string?]> = [
    ['a float amount', (v) => ({ ...v, amount: 10.5 }), 'validation_failed', 'amount'],
    ['a string amount', (v) => ({ ...v, amount: '1000' }), 'validation_failed', 'amount'],
    ['a negative amount', (v) => ({ ...v, amount: -1 }), 'validation_failed', 'amount'],
    ['a zero amount', (v) => ({ ...v, amount: 0 }), 'validation_failed', 'amount'],
    ['an amount above 10^12', (v) => ({ ...v, amount: 1_000_000_000_001 }), 'validation_failed', 'amount'],
    ['an unsafe huge amount', (v) => ({ ...v, amount: 1e300 }), 'validation_failed', 'amount'],
    ['a missing amount', ({ amount: _a, ...v }) => v, 'validation_failed', 'amount'],
    ['a lower-case currency', (v) => ({ ...v, currency: 'cny' }), 'validation_failed', 'currency'],
    ['an account id with a slash', (v) => ({ ...v, accountId: 'a/b' }), 'validation_failed', 'accountId'],
    [
      'an order id of 65 characters',
      (v) => ({ ...v, orderId: 'o'.repeat(65) }),
      'validation_failed',
      'orderId',
    ],
    ['an unknown field', (v) => ({ ...v, amout: 5 }), 'unknown_field', 'amout'],
    [
      'metadata with a number value',
      (v) => ({ ...v, metadata: { a: 1 } }),
      'validation_failed',
      'metadata.a',
    ],
  ];

  it.each(cases)('rejects %s with 400 and holds nothing', async (_name, mutate, code, param) => {
    const before = await api.account(accountId);
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: randomUUID(),
      body: mutate(valid()),
    });
    expectContractError(reply, 400, code, param);
    expect(await api.account(accountId)).toEqual(before);
  });

  it('rejects a body that is not JSON with 400 invalid_json', async () => {
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: randomUUID(),
      rawBody: '{"amount": 1',
    });
    expectContractError(reply, 400, 'invalid_json');
  });

  it('rejects a JSON array body with 400 validation_failed', async () => {
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: randomUUID(),
      rawBody: '[1,2]',
    });
    expectContractError(reply, 400, 'validation_failed');
  });

  it('rejects a non-JSON content type with 415 unsupported_media_type', async () => {
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: randomUUID(),
      rawBody: 'amount=5',
      contentType: 'application/x-www-form-urlencoded',
    });
    expectContractError(reply, 415, 'unsupported_media_type');
  });

  it('rejects a body over 64 KiB with 413 body_too_large', async () => {
    const before = await api.account(accountId);
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: randomUUID(),
      body: { ...valid(), metadata: { pad: 'x'.repeat(70 * 1024) } },
    });
    expectContractError(reply, 413, 'body_too_large');
    expect(await api.account(accountId)).toEqual(before);
  });

  it('rejects a missing Idempotency-Key with 400 missing_idempotency_key', async () => {
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, body: valid() });
    expectContractError(reply, 400, 'missing_idempotency_key');
  });

  it('rejects an Idempotency-Key over 255 characters', async () => {
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey,
      idempotencyKey: 'k'.repeat(256),
      body: valid(),
    });
    expectContractError(reply, 400, 'missing_idempotency_key');
  });
});

describe('capture and release with malformed input', () => {
  it.each([
    ['capture', { amount: 1.5 }, 'validation_failed', 'amount'],
    ['capture', { amount: 100, final: 'yes' }, 'validation_failed', 'final'],
    ['capture', { amount: 100, extra: true }, 'unknown_field', 'extra'],
    ['release', { amount: -5 }, 'validation_failed', 'amount'],
    ['release', { amount: 0 }, 'validation_failed', 'amount'],
  ] as const)('%s with %j answers 400 %s and changes nothing', async (action, body, code, param) => {
    const before = await api.account(accountId);
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${holdId}/${action}`, body);
    expectContractError(reply, 400, code, param);
    expect(await api.account(accountId)).toEqual(before);
  });

  it('answers 404 authorization_not_found for an id that is not ours', async () => {
    const reply = await api.post(checkout.apiKey, '/v1/authorizations/auth_nope/capture');
    expectContractError(reply, 404, 'authorization_not_found');
  });
});

describe('POST /v1/accounts with malformed input', () => {
  it.each([
    [{ id: 'acc_bad1', currency: 'CNY', creditLimit: -1 }, 'validation_failed', 'creditLimit'],
    [{ id: 'acc_bad2', currency: 'CNY', creditLimit: 1.25 }, 'validation_failed', 'creditLimit'],
    [{ id: 'acc bad', currency: 'CNY', creditLimit: 100 }, 'validation_failed', 'id'],
    [{ id: 'acc_bad3', currency: 'RMB1', creditLimit: 100 }, 'validation_failed', 'currency'],
    [{ id: 'acc_bad4', currency: 'CNY', creditLimit: 100, color: 'red' }, 'unknown_field', 'color'],
  ])('rejects %j', async (body, code, param) => {
    const reply = await api.call('POST', '/v1/accounts', { key: 'test-admin-key', body });
    expectContractError(reply, 400, code, param);
  });

  it('answers 409 account_exists for a second account with the same id', async () => {
    const reply = await api.call('POST', '/v1/accounts', {
      key: 'test-admin-key',
      body: { id: accountId, currency: 'CNY', creditLimit: 5 },
    });
    expectContractError(reply, 409, 'account_exists');
    expect((await api.account(accountId)).totalLimit).toBe(100_000);
  });
});

describe('routing', () => {
  it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    expectContractError(
      await api.call('GET', '/v1/nothing', { key: checkout.apiKey }),
      404,
      'route_not_found',
    );
    expectContractError(
      await api.call('DELETE', '/v1/authorizations', { key: checkout.apiKey }),
      405,
      'method_not_allowed',
    );
  });
});

/** Every route with a path parameter, straight from the routes table: a new route is covered automatically. */
const PARAM_ROUTES = ROUTES.filter((route) => route.path.includes('{')).map(
  (route) => [`${route.method} ${route.path}`, route] as const,
);

const paramNames = (route: RouteDefinition): string[] =>
  [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** The route with every path parameter replaced by `value` (already in URL form). */
const pathWith = (route: RouteDefinition, value: string): string => route.path.replace(/\{\w+\}/g, value);

/** Calls a route as an admin (who passes every scope check) with what a write needs: a key and a JSON body. */
const callRoute = (route: RouteDefinition, path: string) =>
  api.call(route.method, path, {
    key: ADMIN_KEY,
    idempotencyKey: randomUUID(),
    ...(route.method === 'GET' ? {} : { body: {} }),
  });

/** What an id that cannot exist is answered with, by the collection it would belong to. */
const NOT_FOUND_BY_COLLECTION: Record<string, string> = {
  accounts: 'account_not_found',
  authorizations: 'authorization_not_found',
  reviews: 'authorization_not_found',
  jobs: 'job_not_found',
  promotions: 'promotion_not_found',
  clients: 'client_not_found',
};

function expectIdCannotExist(route: RouteDefinition, reply: { status: number; body: any }): void {
  const collection = route.path.split('/')[2] ?? '';
  const code = NOT_FOUND_BY_COLLECTION[collection];
  if (code) expectContractError(reply, 404, code);
  // A collection this test does not know yet: still a contract 4xx, never a 500.
  else if (reply.status === 404) expectContractError(reply, 404, expect.stringMatching(/_not_found$/));
  else expectContractError(reply, 400, 'validation_failed', paramNames(route)[0]);
}

describe('path parameters that cannot be an id', () => {
  const impossibleIds: Array<[string, string]> = [
    ['65 characters (one over the id bound)', 'a'.repeat(65)],
    ['1100 characters', 'a'.repeat(1100)],
    ['2100 characters', 'b'.repeat(2100)],
    ['an existing-looking prefix and 1500 characters', `auth_${'c'.repeat(1500)}`],
    ['700 non-ASCII characters (over 1 KiB as UTF-8)', encodeURIComponent('é'.repeat(700))],
    ['a space', encodeURIComponent('acc 1')],
  ];

  it.each(PARAM_ROUTES)(
    '%s answers 404 <resource>_not_found for them and changes nothing',
    async (_name, route) => {
      const before = await tableSnapshot(app.tableName);
      for (const [label, id] of impossibleIds) {
        const reply = await callRoute(route, pathWith(route, id));
        try {
          expectIdCannotExist(route, reply);
        } catch (error) {
          throw new Error(
            `${route.method} ${route.path} with ${label}: ${reply.status} ${JSON.stringify(reply.body)}\n${String(error)}`,
          );
        }
        expect(reply.headers.get('x-request-id')).toBeTruthy();
      }
      expect(await tableSnapshot(app.tableName)).toEqual(before);
    },
  );

  it.each(PARAM_ROUTES)(
    '%s answers 400 validation_failed naming the parameter for malformed percent-encoding',
    async (_name, route) => {
      const before = await tableSnapshot(app.tableName);
      for (const raw of ['%E0%A4%A', '%', '%zz', 'acc_1%E0']) {
        const reply = await callRoute(route, pathWith(route, raw));
        expectContractError(reply, 400, 'validation_failed', paramNames(route)[0]);
        expect(reply.headers.get('x-request-id')).toBeTruthy();
      }
      expect(await tableSnapshot(app.tableName)).toEqual(before);
    },
  );

  it('answers GET /v1/jobs/%E0%A4%A with 400 validation_failed (param id), not a 500', async () => {
    const reply = await api.call('GET', '/v1/jobs/%E0%A4%A', { key: ADMIN_KEY });
    expectContractError(reply, 400, 'validation_failed', 'id');
  });

  it('keeps every id that can be created reachable: 64 characters of the whole id alphabet', async () => {
    const longest = `acc.${'Z9_-:'.repeat(12)}`;
    expect(longest).toHaveLength(64);
    await api.createAccount(5_000, { id: longest });
    const reply = await api.call('GET', `/v1/accounts/${longest}`, { key: ADMIN_KEY });
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(longest);
    // Percent-encoded, the same id is the same account.
    const encoded = await api.call('GET', `/v1/accounts/${longest.replaceAll(':', '%3A')}`, {
      key: ADMIN_KEY,
    });
    expect(encoded.body.id).toBe(longest);
  });

  it('keeps server-made ids reachable: the hold and a limit-refresh job', async () => {
    expect((await api.call('GET', `/v1/authorizations/${holdId}`, { key: ADMIN_KEY })).status).toBe(200);
    const job = await api.call('POST', '/v1/jobs/limit-refresh', { key: ADMIN_KEY, body: { dryRun: true } });
    expect(job.status).toBe(202);
    // Wait for the (in-process) dry run to finish, so nothing runs on after the app closes.
    let status = job.body.status as string;
    for (let i = 0; i < 100 && status === 'running'; i++) {
      const read = await api.call('GET', `/v1/jobs/${job.body.id}`, { key: ADMIN_KEY });
      expect(read.status).toBe(200);
      status = read.body.status;
      if (status === 'running') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).not.toBe('running');
  });

  it('still answers 401 before anything else for an impossible id without a key', async () => {
    const reply = await api.call('GET', `/v1/accounts/${'a'.repeat(1100)}`);
    expectContractError(reply, 401, 'missing_api_key');
  });
});

describe('the shared path-parameter check (httpHandler), for routes the table does not have yet', () => {
  /** A handler as a route file would build it, invoked with the API Gateway event of `resource`. */
  async function invoke(
    resource: string,
    pathParameters: Record<string, string>,
    notFound?: 'job_not_found',
  ) {
    const { httpHandler } = await import('../../shared/http/handler.js');
    const { jsonResponse } = await import('../../shared/http/middleware.js');
    let reached = false;
    const handler = httpHandler({ scopes: ['risk'], ...(notFound ? { notFound } : {}) }, async () => {
      reached = true;
      return jsonResponse(200, {});
    });
    const event = {
      resource,
      path: resource,
      httpMethod: 'GET',
      headers: {},
      pathParameters,
      body: null,
      isBase64Encoded: false,
      requestContext: { requestId: randomUUID(), authorizer: { clientId: 'cli_test', scopes: 'risk' } },
    };
    // A Lambda context: the handler runs within the time its invocation has left.
    const result = await handler(event as never, { getRemainingTimeInMillis: () => 6_000 } as never);
    return { reply: { status: result.statusCode, body: JSON.parse(result.body) }, reached };
  }

  it('answers 400 validation_failed with param when the route names no 404 code', async () => {
    const { reply, reached } = await invoke('/v1/widgets/{widgetKey}', { widgetKey: 'w'.repeat(1100) });
    expectContractError(reply, 400, 'validation_failed', 'widgetKey');
    expect(reached).toBe(false);
  });

  it('uses the 404 the route path names, or the one the handler declares', async () => {
    expectContractError(
      (await invoke('/v1/things/{jobId}/parts', { jobId: 'x'.repeat(65) })).reply,
      404,
      'job_not_found',
    );
    expectContractError(
      (await invoke('/v1/widgets/{id}', { id: 'x y' }, 'job_not_found')).reply,
      404,
      'job_not_found',
    );
  });

  it('lets a valid id through to the handler', async () => {
    const { reply, reached } = await invoke('/v1/widgets/{id}', { id: 'wid_1.a:b-c' });
    expect(reply.status).toBe(200);
    expect(reached).toBe(true);
  });
});
