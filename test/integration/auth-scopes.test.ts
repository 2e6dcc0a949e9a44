/**
 * Authentication and scopes: 401 without a valid key, 403 without the scope, 404 for another client's hold.
 */
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let shopA: { id: string; apiKey: string };
let shopB: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };
let accountId: string;

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  shopA = await api.createClient(['checkout'], 'shop A');
  shopB = await api.createClient(['checkout'], 'shop B');
  servicing = await api.createClient(['servicing'], 'repayments');
  accountId = await api.createAccount(100_000);
});
afterAll(() => app.close());

describe('authentication', () => {
  it('answers 401 missing_api_key without an Authorization header', async () => {
    const reply = await api.call('GET', `/v1/accounts/${accountId}`);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatchObject({ type: 'authentication', code: 'missing_api_key' });
  });

  it('answers 401 invalid_api_key for an unknown key', async () => {
    const reply = await api.call('GET', `/v1/accounts/${accountId}`, { key: 'sk_not_a_real_key' });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatchObject({ type: 'authentication', code: 'invalid_api_key' });
  });

  it('answers 401 invalid_api_key for a malformed Authorization header', async () => {
    const response = await fetch(`${app.url}/v1/accounts/${accountId}`, {
      headers: { authorization: 'Basic abc' },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('invalid_api_key');
  });

  it("shows a new client's key once and stores only its hash", async () => {
    const { apiKey, id } = await api.createClient(['checkout']);
    expect(apiKey).toMatch(/^sk_/);
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = (await documentClient.send(new ScanCommand({ TableName: app.tableName }))).Items ?? [];
    const stored = items.find((item) => item['id'] === id)!;
    expect(stored).toBeDefined();
    expect(JSON.stringify(items)).not.toContain(apiKey);
  });
});

describe('scopes', () => {
  it('answers 403 insufficient_scope when a servicing key tries to authorize', async () => {
    const reply = await api.authorize(servicing.apiKey, { accountId, amount: 100 });
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ type: 'permission', code: 'insufficient_scope' });
    expect((await api.account(accountId)).reserved).toBe(0);
  });

  it('answers 403 when a checkout key tries to create an account or a client', async () => {
    const account = await api.call('POST', '/v1/accounts', {
      key: shopA.apiKey,
      body: { id: 'acc_x', currency: 'CNY', creditLimit: 1 },
    });
    const client = await api.call('POST', '/v1/clients', {
      key: shopA.apiKey,
      body: { name: 'x', scopes: ['admin'] },
    });
    expect([account.status, client.status]).toEqual([403, 403]);
  });

  it('lets checkout and servicing keys read accounts', async () => {
    expect((await api.call('GET', `/v1/accounts/${accountId}`, { key: shopA.apiKey })).status).toBe(200);
    expect((await api.call('GET', `/v1/accounts/${accountId}`, { key: servicing.apiKey })).status).toBe(200);
  });
});

describe('client isolation', () => {
  it("answers 404 (never 403) when another client reads, captures or releases a shop's authorization", async () => {
    const hold = await api.authorize(shopA.apiKey, { accountId, amount: 5_000 });
    const id = hold.body.id as string;
    const read = await api.call('GET', `/v1/authorizations/${id}`, { key: shopB.apiKey });
    const capture = await api.post(shopB.apiKey, `/v1/authorizations/${id}/capture`);
    const release = await api.post(shopB.apiKey, `/v1/authorizations/${id}/release`);
    for (const reply of [read, capture, release]) {
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe('authorization_not_found');
    }
    expect(await api.account(accountId)).toMatchObject({ reserved: 5_000, outstanding: 0 });
    expect((await api.call('GET', `/v1/authorizations/${id}`, { key: shopA.apiKey })).status).toBe(200);
    expect((await api.call('GET', `/v1/authorizations/${id}`, { key: ADMIN_KEY })).status).toBe(200);
  });
});
