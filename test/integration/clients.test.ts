/**
 * The API key lifecycle over HTTP, on the local stack (API.md "Clients"): listing never shows a key, a revoked key
 * fails on the very next request, a rotation keeps the old key working for its overlap and not after, bad input
 * changes nothing, and a revocation racing rotations leaves no key of the client working.
 */
import { Api, type Reply } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { tableSnapshot } from '../support/table.js';

const app = await startTestApp();
const api = new Api(app.url);
const { hashApiKey } = await import('../../shared/ids.js');
afterAll(() => app.close());

/** A route any scope may read: what a key is tried on. */
let accountId: string;
beforeAll(async () => {
  accountId = await api.createAccount(10_000);
});

const readAccount = (apiKey: string) => api.call('GET', `/v1/accounts/${accountId}`, { key: apiKey });
const revoke = (clientId: string) => api.call('DELETE', `/v1/clients/${clientId}`, { key: ADMIN_KEY });
const rotate = (clientId: string, body?: unknown) =>
  api.call('POST', `/v1/clients/${clientId}/rotate`, {
    key: ADMIN_KEY,
    ...(body === undefined ? {} : { body }),
  });
const listed = async () => (await api.call('GET', '/v1/clients', { key: ADMIN_KEY })).body;

function expectWorks(reply: Reply): void {
  expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status: 200, code: undefined });
}

function expectRefused(reply: Reply): void {
  expect(reply.status).toBe(401);
  expect(reply.body).toEqual({
    error: { type: 'authentication', code: 'invalid_api_key', message: expect.any(String) },
  });
}

/** Waits until the clock has passed `iso` (a key's expiry the service answered), with no bound on how late. */
async function waitPast(iso: string): Promise<void> {
  const waitMs = Date.parse(iso) - Date.now() + 20;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  expect(Date.now()).toBeGreaterThan(Date.parse(iso));
}

describe('GET /v1/clients', () => {
  it('lists every client with id, name, scopes and createdAt, and never a key or a key hash', async () => {
    const shop = await api.createClient(['checkout'], 'web shop');
    const rotated = (await rotate(shop.id, { overlapSeconds: 60 })).body;
    const body = await listed();
    expect(body.object).toBe('list');
    expect(body.hasMore).toBe(false);
    const entry = body.data.find((c: { id: string }) => c.id === shop.id);
    expect(entry).toEqual({
      id: shop.id,
      object: 'client',
      name: 'web shop',
      scopes: ['checkout'],
      createdAt: expect.any(String),
    });
    const ids = body.data.map((c: { id: string }) => c.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain('cli_local_admin');
    const text = JSON.stringify(body);
    for (const apiKey of [shop.apiKey, rotated.apiKey, ADMIN_KEY]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(hashApiKey(apiKey));
    }
    expect(text).not.toMatch(/apiKey|hash|"keys"/);
  });

  it('is for admins only', async () => {
    const risk = await api.createClient(['risk']);
    const reply = await api.call('GET', '/v1/clients', { key: risk.apiKey });
    expect({ status: reply.status, code: reply.body.error.code }).toEqual({
      status: 403,
      code: 'insufficient_scope',
    });
  });
});

describe('DELETE /v1/clients/{id}', () => {
  it('stops the key on the very next request, though it was just used (and cached)', async () => {
    const shop = await api.createClient(['checkout']);
    expectWorks(await readAccount(shop.apiKey));
    expectWorks(await readAccount(shop.apiKey));
    const reply = await revoke(shop.id);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: shop.id, object: 'client', revokedAt: expect.any(String) });
    expect(reply.body).not.toHaveProperty('apiKey');
    expectRefused(await readAccount(shop.apiKey));
    expectRefused(await api.authorize(shop.apiKey, { accountId, amount: 100 }));
  });

  it('answers a second revocation the same, and lists the client with its revokedAt', async () => {
    const shop = await api.createClient(['checkout']);
    const first = await revoke(shop.id);
    const second = await revoke(shop.id);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const entry = (await listed()).data.find((c: { id: string }) => c.id === shop.id);
    expect(entry).toEqual({ ...first.body });
    expectRefused(await readAccount(shop.apiKey));
  });

  it('stops every key of the client: the current one and those still in a rotation overlap', async () => {
    const shop = await api.createClient(['checkout']);
    const rotated = await rotate(shop.id, { overlapSeconds: 3_600 });
    expect(rotated.status).toBe(201);
    expectWorks(await readAccount(shop.apiKey));
    expectWorks(await readAccount(rotated.body.apiKey));
    expect((await revoke(shop.id)).status).toBe(200);
    expectRefused(await readAccount(shop.apiKey));
    expectRefused(await readAccount(rotated.body.apiKey));
  });

  it('answers an unknown client 404 client_not_found in the contract shape, and changes nothing', async () => {
    const before = await tableSnapshot(app.tableName);
    const reply = await revoke('cli_nobody');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      error: { type: 'not_found', code: 'client_not_found', message: 'No such client.' },
    });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('leaves no key working when rotations race the revocation', async () => {
    const shop = await api.createClient(['checkout']);
    const replies = await Promise.all([
      rotate(shop.id, { overlapSeconds: 3_600 }),
      revoke(shop.id),
      rotate(shop.id, { overlapSeconds: 3_600 }),
      rotate(shop.id, { overlapSeconds: 3_600 }),
    ]);
    const [first, revocation, second, third] = replies;
    const rotations = [first!, second!, third!];
    expect(revocation!.status).toBe(200);
    for (const r of rotations) expect([201, 409]).toContain(r.status);
    const made = rotations.filter((r) => r.status === 201).map((r) => r.body.apiKey as string);
    for (const apiKey of [shop.apiKey, ...made]) expectRefused(await readAccount(apiKey));
    expect((await rotate(shop.id)).body.error.code).toBe('client_revoked');
  });
});

describe('POST /v1/clients/{id}/rotate', () => {
  it('gives a new key that works at once, and keeps the old one working through the overlap', async () => {
    const shop = await api.createClient(['checkout'], 'shop');
    const startedMs = Date.now();
    const reply = await rotate(shop.id);
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: shop.id,
      object: 'client',
      name: 'shop',
      scopes: ['checkout'],
      createdAt: expect.any(String),
      apiKey: expect.stringMatching(/^sk_/),
      previousKeyExpiresAt: expect.any(String),
    });
    expect(reply.body.apiKey).not.toBe(shop.apiKey);
    // The default overlap: an hour from the rotation.
    const overlapMs = Date.parse(reply.body.previousKeyExpiresAt) - startedMs;
    expect(overlapMs).toBeGreaterThanOrEqual(3_600_000);
    expect(overlapMs).toBeLessThanOrEqual(3_600_000 + (Date.now() - startedMs));
    expectWorks(await readAccount(reply.body.apiKey));
    expectWorks(await readAccount(shop.apiKey));
  });

  it('stops the old key once its overlap has passed, and the new key goes on working', async () => {
    const shop = await api.createClient(['checkout']);
    expectWorks(await readAccount(shop.apiKey)); // cached locally: the cache must not outlive the overlap
    const reply = await rotate(shop.id, { overlapSeconds: 1 });
    expect(reply.status).toBe(201);
    await waitPast(reply.body.previousKeyExpiresAt);
    expectRefused(await readAccount(shop.apiKey));
    expectWorks(await readAccount(reply.body.apiKey));
  }, 60_000);

  it('ends, with a shorter overlap, the keys an earlier rotation left working, and never extends one', async () => {
    const shop = await api.createClient(['checkout']);
    const first = (await rotate(shop.id, { overlapSeconds: 3_600 })).body;
    const second = (await rotate(shop.id, { overlapSeconds: 1 })).body;
    expect(Date.parse(second.previousKeyExpiresAt)).toBeLessThan(Date.parse(first.previousKeyExpiresAt));
    await waitPast(second.previousKeyExpiresAt);
    expectRefused(await readAccount(shop.apiKey));
    expectRefused(await readAccount(first.apiKey));
    expectWorks(await readAccount(second.apiKey));
    // A longer overlap now does not bring an ended key back.
    const third = (await rotate(shop.id, { overlapSeconds: 604_800 })).body;
    expectRefused(await readAccount(shop.apiKey));
    expectWorks(await readAccount(second.apiKey));
    expectWorks(await readAccount(third.apiKey));
  }, 60_000);

  it.each([
    ['0', { overlapSeconds: 0 }, 'validation_failed', 'overlapSeconds'],
    ['more than 7 days', { overlapSeconds: 604_801 }, 'validation_failed', 'overlapSeconds'],
    ['not an integer', { overlapSeconds: 1.5 }, 'validation_failed', 'overlapSeconds'],
    ['a string', { overlapSeconds: '60' }, 'validation_failed', 'overlapSeconds'],
    ['negative', { overlapSeconds: -1 }, 'validation_failed', 'overlapSeconds'],
    ['null', { overlapSeconds: null }, 'validation_failed', 'overlapSeconds'],
    ['an unknown field', { overlap: 60 }, 'unknown_field', 'overlap'],
  ])('answers overlapSeconds %s with 400 and changes nothing', async (_name, body, code, param) => {
    const shop = await api.createClient(['checkout']);
    const before = await tableSnapshot(app.tableName);
    const reply = await rotate(shop.id, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ type: 'invalid_request', code, param });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    expectWorks(await readAccount(shop.apiKey));
  });

  it('answers an unknown client 404 client_not_found, and a revoked one 409 client_revoked, changing nothing', async () => {
    const shop = await api.createClient(['checkout']);
    await revoke(shop.id);
    const before = await tableSnapshot(app.tableName);
    const unknown = await rotate('cli_nobody');
    expect({ status: unknown.status, code: unknown.body.error.code }).toEqual({
      status: 404,
      code: 'client_not_found',
    });
    const revoked = await rotate(shop.id);
    expect(revoked.body.error).toMatchObject({ type: 'conflict', code: 'client_revoked' });
    expect(revoked.status).toBe(409);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('refuses a rotation past the keys a client may hold at once (409 too_many_api_keys), changing nothing', async () => {
    const { MAX_KEYS_PER_CLIENT } = await import('../../shared/clients/keys.js');
    const shop = await api.createClient(['checkout']);
    const keys = [shop.apiKey];
    for (let i = 1; i < MAX_KEYS_PER_CLIENT; i += 1) keys.push((await rotate(shop.id)).body.apiKey);
    const before = await tableSnapshot(app.tableName);
    const reply = await rotate(shop.id);
    expect({ status: reply.status, code: reply.body.error.code }).toEqual({
      status: 409,
      code: 'too_many_api_keys',
    });
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    for (const apiKey of keys) expectWorks(await readAccount(apiKey));
  });
});

describe('authentication caching', () => {
  it('inside Lambda caches nothing, so only API Gateway bounds how long a revoked key works', async () => {
    const { authenticate } = await import('../../shared/clients/authenticate.js');
    const { revokeClient } = await import('../../shared/clients/repository.js');
    const shop = await api.createClient(['checkout']);
    const header = `Bearer ${shop.apiKey}`;
    expect(await authenticate(header, true)).toMatchObject({ ok: true });
    // Revoked in storage only (no cache told, as when another Lambda function revokes it).
    await revokeClient(shop.id, new Date());
    expect(await authenticate(header, false)).toEqual({ ok: false, code: 'invalid_api_key' });
    // The local cache, standing in for API Gateway's, still answers until it is told (the routes tell it).
    expect(await authenticate(header, true)).toMatchObject({ ok: true });
    const { forgetClient } = await import('../../shared/clients/authenticate.js');
    forgetClient(shop.id);
    expect(await authenticate(header, true)).toEqual({ ok: false, code: 'invalid_api_key' });
  });

  it('the local server asks the cache first (as API Gateway does): it holds answers to keys that work, and only them', async () => {
    const { cachedAuthentication, forgetClient } = await import('../../shared/clients/authenticate.js');
    const shop = await api.createClient(['checkout']);
    const header = `Bearer ${shop.apiKey}`;
    expect(cachedAuthentication(header)).toBeUndefined();
    expectWorks(await readAccount(shop.apiKey));
    expect(cachedAuthentication(header)).toEqual({
      ok: true,
      principal: { clientId: shop.id, scopes: ['checkout'] },
    });
    expect(cachedAuthentication(` ${header} `)).toMatchObject({ ok: true });
    for (const other of [undefined, '', shop.apiKey, `Basic ${shop.apiKey}`, 'Bearer sk_not_a_key'])
      expect(cachedAuthentication(other)).toBeUndefined();
    expectRefused(await readAccount('sk_not_a_key'));
    expect(cachedAuthentication('Bearer sk_not_a_key')).toBeUndefined();
    forgetClient(shop.id);
    expect(cachedAuthentication(header)).toBeUndefined();
    // A miss: the authorizer looks the key up again, and its answer is cached again.
    expectWorks(await readAccount(shop.apiKey));
    expect(cachedAuthentication(header)).toMatchObject({ ok: true });
  });
});
