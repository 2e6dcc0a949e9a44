/**
 * Every list the API pages (an account's journal, the review queue, promotions) hands out cursors only it can
 * make: a malformed, forged, altered or foreign cursor is 400 invalid_cursor naming the `cursor` parameter, never
 * a 500 and never a silent restart from the first page, and a refused cursor changes nothing: the genuine one
 * still continues exactly where it did.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Api, type Reply } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

/** Low, so a test hold can wait for review. */
const REVIEW_THRESHOLD_MINOR = 10_000;
const YEAR_MS = 365 * 86_400_000;

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };

beforeAll(async () => {
  app = await startTestApp({ REVIEW_THRESHOLD: String(REVIEW_THRESHOLD_MINOR) }, { journalClock: 'settled' });
  api = new Api(app.url);
  [shop, risk] = [await api.createClient(['checkout']), await api.createClient(['risk'])];
});
afterAll(() => app.close());

/** Changes one character of the cursor at `index` to another base64url character. */
function flipAt(cursor: string, index: number): string {
  const replacement = cursor[index] === 'A' ? 'B' : 'A';
  return cursor.slice(0, index) + replacement + cursor.slice(index + 1);
}

/** What a client might send that the API never made for this list. */
function tampered(genuine: string, foreign: string): Array<[string, string]> {
  const dot = genuine.indexOf('.');
  const [payload] = genuine.split('.');
  return [
    ['e30 (base64url of {})', 'e30'],
    ['random base64url', randomBytes(48).toString('base64url')],
    ['one byte of the position changed', flipAt(genuine, 0)],
    ['one byte of the seal changed', flipAt(genuine, dot + 5)],
    ['the position without its seal', payload!],
    ['the position with another seal', `${payload}.${randomBytes(32).toString('base64url')}`],
    ['a seal with an extra part', `${genuine}.e30`],
    ['a cursor of another list or account', foreign],
  ];
}

/** Sends each tampered cursor; every one must be a 400 invalid_cursor and none may answer a page. */
async function expectAllRefused(
  path: (cursor: string) => string,
  key: string,
  cases: Array<[string, string]>,
): Promise<void> {
  for (const [what, cursor] of cases) {
    const reply: Reply = await api.call('GET', path(encodeURIComponent(cursor)), { key });
    expect([what, reply.status, reply.body?.error]).toEqual([
      what,
      400,
      { type: 'invalid_request', code: 'invalid_cursor', message: expect.any(String), param: 'cursor' },
    ]);
  }
}

async function journalCursorOf(accountId: string): Promise<{ page: Reply; next: Reply }> {
  const page = await api.call('GET', `/v1/accounts/${accountId}/journal?limit=1`, { key: ADMIN_KEY });
  expect(page.status).toBe(200);
  const next = await api.call(
    'GET',
    `/v1/accounts/${accountId}/journal?limit=1&cursor=${page.body.nextCursor}`,
    { key: ADMIN_KEY },
  );
  expect(next.status).toBe(200);
  return { page, next };
}

describe('GET /v1/accounts/{id}/journal cursors', () => {
  it("refuses malformed, forged, altered and other accounts' cursors with 400 invalid_cursor; the genuine one still continues", async () => {
    const accountId = await api.createAccount(100_000);
    const other = await api.createAccount(100_000);
    for (const amount of [1_000, 2_000])
      expect((await api.authorize(shop.apiKey, { accountId, amount })).status).toBe(201);
    const before = await api.account(accountId);
    const { page, next } = await journalCursorOf(accountId);
    const foreign = (await journalCursorOf(other)).page.body.nextCursor;
    // The unsigned layout this API used to hand out, with balances of one's choosing.
    const unsigned = Buffer.from(JSON.stringify({ sk: 'JOURNAL#', b: [9_999_999, 0, 0] })).toString(
      'base64url',
    );

    await expectAllRefused((c) => `/v1/accounts/${accountId}/journal?limit=1&cursor=${c}`, ADMIN_KEY, [
      ...tampered(page.body.nextCursor, foreign),
      ['the old unsigned layout', unsigned],
    ]);

    const again = await api.call(
      'GET',
      `/v1/accounts/${accountId}/journal?limit=1&cursor=${page.body.nextCursor}`,
      { key: ADMIN_KEY },
    );
    // The same page (only the horizon, the reader's clock, has moved on).
    expect({ ...again.body, settledThrough: undefined }).toEqual({ ...next.body, settledThrough: undefined });
    expect(await api.account(accountId)).toEqual(before);
  });

  it('pages the whole journal with a valid cursor, one entry at a time, with the running balances', async () => {
    const accountId = await api.createAccount(100_000);
    const hold = await api.authorize(shop.apiKey, { accountId, amount: 4_000 });
    expect(
      (await api.post(shop.apiKey, `/v1/authorizations/${hold.body.id}/capture`, { amount: 3_000 })).status,
    ).toBe(200);
    const entries: any[] = [];
    let cursor: string | undefined;
    let body: any;
    do {
      body = (
        await api.call(
          'GET',
          `/v1/accounts/${accountId}/journal?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          { key: ADMIN_KEY },
        )
      ).body;
      entries.push(...body.data);
      cursor = body.nextCursor;
    } while (body.hasMore);
    expect(entries.map((e) => [e.type, e.balances.available])).toEqual([
      ['limit_change', 100_000],
      ['reserve', 96_000],
      ['capture', 96_000],
      ['release', 97_000],
    ]);
    expect(entries.at(-1).balances).toMatchObject({ reserved: 0, outstanding: 3_000 });
  });
});

describe('GET /v1/reviews cursors', () => {
  it("refuses e30 (a 500 before), forged, altered and other lists' cursors with 400 invalid_cursor", async () => {
    const accountId = await api.createAccount(1_000_000);
    for (let i = 0; i < 3; i += 1) {
      const reply = await api.authorize(shop.apiKey, { accountId, amount: REVIEW_THRESHOLD_MINOR + i });
      expect(reply.body.status).toBe('pending_review');
    }
    const page = await api.call('GET', '/v1/reviews?limit=1', { key: risk.apiKey });
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await api.call('GET', `/v1/reviews?limit=1&cursor=${page.body.nextCursor}`, {
      key: risk.apiKey,
    });
    expect(next.status).toBe(200);
    const foreign = (await journalCursorOf(accountId)).page.body.nextCursor;

    await expectAllRefused(
      (c) => `/v1/reviews?limit=1&cursor=${c}`,
      risk.apiKey,
      tampered(page.body.nextCursor, foreign),
    );

    expect(
      (await api.call('GET', `/v1/reviews?limit=1&cursor=${page.body.nextCursor}`, { key: risk.apiKey }))
        .body,
    ).toEqual(next.body);
    // The genuine cursors page through the whole queue, each hold once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply = await api.call('GET', `/v1/reviews?limit=1${cursor ? `&cursor=${cursor}` : ''}`, {
        key: risk.apiKey,
      });
      seen.push(...reply.body.data.map((a: { id: string }) => a.id));
      cursor = reply.body.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(3);
  });
});

describe('GET /v1/promotions cursors', () => {
  it("refuses forged, altered and other lists' cursors with 400 invalid_cursor; the genuine one still continues", async () => {
    const start = Date.now() + YEAR_MS;
    for (let i = 0; i < 2; i += 1) {
      const id = `promo_${randomUUID().slice(0, 8)}`;
      const body = {
        id,
        name: id,
        kind: 'uplift',
        upliftAmount: 1_000,
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 86_400_000).toISOString(),
      };
      expect((await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body })).status).toBe(201);
    }
    const page = await api.call('GET', '/v1/promotions?limit=1', { key: risk.apiKey });
    const next = await api.call('GET', `/v1/promotions?limit=1&cursor=${page.body.nextCursor}`, {
      key: risk.apiKey,
    });
    expect(next.status).toBe(200);
    const reviews = await api.call('GET', '/v1/reviews?limit=1', { key: risk.apiKey });
    const foreign =
      reviews.body.nextCursor ?? (await journalCursorOf(await api.createAccount(1_000))).page.body.nextCursor;
    // The unsigned layout this API used to hand out.
    const unsigned = Buffer.from(JSON.stringify({ after: page.body.data[0].id })).toString('base64url');

    await expectAllRefused((c) => `/v1/promotions?limit=1&cursor=${c}`, risk.apiKey, [
      ...tampered(page.body.nextCursor, foreign),
      ['the old unsigned layout', unsigned],
    ]);

    expect(
      (await api.call('GET', `/v1/promotions?limit=1&cursor=${page.body.nextCursor}`, { key: risk.apiKey }))
        .body,
    ).toEqual(next.body);
  });
});
