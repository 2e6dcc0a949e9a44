/**
 * Bad input always gets a clear 4xx in the contract's shape and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let checkout: { id: string; apiKey: string };
let accountId: string;
let holdId: string;

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  checkout = await api.createClient(['checkout']);
  accountId = await api.createAccount(100_000);
  const hold = await api.authorize(checkout.apiKey, { accountId, amount: 10_000 });
  holdId = hold.body.id;
});
afterAll(() => app.close());

function expectContractError(reply: { status: number; body: any }, status: number, code: string, param?: string): void {
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
    ['an order id of 65 characters', (v) => ({ ...v, orderId: 'o'.repeat(65) }), 'validation_failed', 'orderId'],
    ['an unknown field', (v) => ({ ...v, amout: 5 }), 'unknown_field', 'amout'],
    ['metadata with a number value', (v) => ({ ...v, metadata: { a: 1 } }), 'validation_failed', 'metadata.a'],
  ];

  it.each(cases)('rejects %s with 400 and holds nothing', async (_name, mutate, code, param) => {
    const before = await api.account(accountId);
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, idempotencyKey: randomUUID(), body: mutate(valid()) });
    expectContractError(reply, 400, code, param);
    expect(await api.account(accountId)).toEqual(before);
  });

  it('rejects a body that is not JSON with 400 invalid_json', async () => {
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, idempotencyKey: randomUUID(), rawBody: '{"amount": 1' });
    expectContractError(reply, 400, 'invalid_json');
  });

  it('rejects a JSON array body with 400 validation_failed', async () => {
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, idempotencyKey: randomUUID(), rawBody: '[1,2]' });
    expectContractError(reply, 400, 'validation_failed');
  });

  it('rejects a non-JSON content type with 415 unsupported_media_type', async () => {
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey, idempotencyKey: randomUUID(), rawBody: 'amount=5', contentType: 'application/x-www-form-urlencoded',
    });
    expectContractError(reply, 415, 'unsupported_media_type');
  });

  it('rejects a body over 64 KiB with 413 body_too_large', async () => {
    const before = await api.account(accountId);
    const reply = await api.call('POST', '/v1/authorizations', {
      key: checkout.apiKey, idempotencyKey: randomUUID(), body: { ...valid(), metadata: { pad: 'x'.repeat(70 * 1024) } },
    });
    expectContractError(reply, 413, 'body_too_large');
    expect(await api.account(accountId)).toEqual(before);
  });

  it('rejects a missing Idempotency-Key with 400 missing_idempotency_key', async () => {
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, body: valid() });
    expectContractError(reply, 400, 'missing_idempotency_key');
  });

  it('rejects an Idempotency-Key over 255 characters', async () => {
    const reply = await api.call('POST', '/v1/authorizations', { key: checkout.apiKey, idempotencyKey: 'k'.repeat(256), body: valid() });
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
    const reply = await api.call('POST', '/v1/accounts', { key: 'test-admin-key', body: { id: accountId, currency: 'CNY', creditLimit: 5 } });
    expectContractError(reply, 409, 'account_exists');
    expect((await api.account(accountId)).totalLimit).toBe(100_000);
  });
});

describe('routing', () => {
  it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    expectContractError(await api.call('GET', '/v1/nothing', { key: checkout.apiKey }), 404, 'route_not_found');
    expectContractError(await api.call('DELETE', '/v1/authorizations', { key: checkout.apiKey }), 405, 'method_not_allowed');
  });
});
