/**
 * GET /v1/accounts/{id}/journal as an incremental reader uses it (the repayment system polls with its cursor):
 * no committed entry is ever skipped, not even one stamped before an entry that committed ahead of it and that
 * the reader already passed; the running balances stay those of the account; every page carries a cursor to
 * poll on, and says when the reader has caught up.
 *
 * Writers run on the real clock; the reader's clock is the test's (startTestApp `journalClock`), so the
 * settling lag passes when the test says, without sleeping through it. A commit is made late for real by
 * holding the service's own TransactWriteItems in the fault proxy while a later checkout commits past it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api, type Reply } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

type JournalEntry = import('../../shared/journal/model.js').JournalEntry;

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
/** A few local round trips and one held request; far above any honest run, so only a hang reaches it. */
const TEST_TIMEOUT_MS = 60_000;
/** Sleeps so that two stamps cannot share a millisecond (ordering, not timing, is what the tests check). */
const NEXT_MS = 3;

let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };
let settleMs: number;
let listAllJournal: (accountId: string) => Promise<JournalEntry[]>;
/** The reader's clock: the real one unless a test sets it. */
let readerNowMs: number | undefined;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint });
  app = await startTestApp(
    { VELOCITY_MAX: '0' },
    { endpoint: proxy.endpoint, journalClock: () => readerNowMs ?? Date.now() },
  );
  api = new Api(app.url);
  [shop, servicing] = [await api.createClient(['checkout']), await api.createClient(['servicing'])];
  ({ journalSettleMs: settleMs } = (await import('../../shared/config.js')).config);
  ({ listAllJournal } = await import('../../shared/journal/repository.js'));
});
afterEach(() => {
  readerNowMs = undefined;
});
afterAll(async () => {
  await app.close();
  await proxy.close();
});

const journalPage = (accountId: string, limit: number, cursor?: string): Promise<Reply> =>
  api.call(
    'GET',
    `/v1/accounts/${accountId}/journal?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    { key: servicing.apiKey },
  );

/** One poll: pages from `cursor` while the service says more settled entries follow. */
async function poll(
  accountId: string,
  limit: number,
  cursor?: string,
): Promise<{ entries: any[]; cursor: string; last: any }> {
  const entries: any[] = [];
  let page: Reply;
  do {
    page = await journalPage(accountId, limit, cursor);
    expect(page.status).toBe(200);
    entries.push(...page.body.data);
    cursor = page.body.nextCursor;
  } while (page.body.hasMore === true);
  return { entries, cursor: cursor!, last: page.body };
}

/** The balances after each entry, replayed from the stored journal in its order. */
function runningBalances(entries: readonly JournalEntry[]) {
  let b = { totalLimit: 0, reserved: 0, outstanding: 0, available: 0 };
  return entries.map((e) => {
    b = {
      totalLimit: b.totalLimit + e.delta.totalLimit,
      reserved: b.reserved + e.delta.reserved,
      outstanding: b.outstanding + e.delta.outstanding,
      available: b.available + e.delta.totalLimit - e.delta.reserved - e.delta.outstanding,
    };
    return b;
  });
}

describe('GET /v1/accounts/{id}/journal, read incrementally', () => {
  it(
    'never skips an entry that commits after a later-stamped one the reader has passed; balances stay right',
    async () => {
      const accountId = await api.createAccount(100_000);
      expect((await api.authorize(shop.apiKey, { accountId, amount: 10_000 })).status).toBe(201);
      const beforeSlow = Date.now();
      await sleep(NEXT_MS);

      // A checkout stamps its entry, then its transaction is held on the way to DynamoDB...
      const held = proxy.holdNext('TransactWriteItems');
      const slow = api.authorize(shop.apiKey, { accountId, amount: 7_000 });
      await held.caught;
      await sleep(NEXT_MS);
      // ...while a later checkout stamps after it and commits first.
      expect((await api.authorize(shop.apiKey, { accountId, amount: 5_000 })).status).toBe(201);

      // The reader polls now, on a clock by which everything stamped before the held checkout has settled.
      readerNowMs = beforeSlow + settleMs;
      const first = await poll(accountId, 3);
      expect(first.entries.length).toBeGreaterThan(0);

      // The held checkout commits, stamped before the entry that committed ahead of it.
      held.release();
      expect((await slow).status).toBe(201);

      // The reader polls again from its cursor once the lag has passed for everything.
      readerNowMs = Date.now() + settleMs;
      const second = await poll(accountId, 3, first.cursor);

      const stored = await listAllJournal(accountId);
      expect(stored.map((e) => e.amount)).toEqual([100_000, 10_000, 7_000, 5_000]);
      const read = [...first.entries, ...second.entries];
      expect(read.map((e) => e.id)).toEqual(stored.map((e) => e.id));
      expect(read.map((e) => e.balances)).toEqual(runningBalances(stored));
      const account = await api.account(accountId);
      expect(read.at(-1).balances).toEqual({
        totalLimit: account.totalLimit,
        reserved: account.reserved,
        outstanding: account.outstanding,
        available: account.available,
      });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'serves an entry only once it has settled, and always hands back a cursor to poll on',
    async () => {
      const accountId = await api.createAccount(50_000);
      expect((await api.authorize(shop.apiKey, { accountId, amount: 2_000 })).status).toBe(201);

      // On the real clock nothing written a moment ago has settled: an empty page, still with a cursor.
      const now = Date.now();
      const fresh = await journalPage(accountId, 10);
      expect(fresh.status).toBe(200);
      expect(fresh.body).toMatchObject({
        object: 'list',
        data: [],
        hasMore: false,
        nextCursor: expect.any(String),
      });
      expect(Date.parse(fresh.body.settledThrough)).toBeLessThanOrEqual(Date.now() - settleMs);
      expect(Date.parse(fresh.body.settledThrough)).toBeGreaterThanOrEqual(now - settleMs);

      // Once settled, the cursor of that empty page continues from the start.
      readerNowMs = Date.now() + settleMs;
      const caughtUp = await poll(accountId, 1, fresh.body.nextCursor);
      expect(caughtUp.entries.map((e) => e.type)).toEqual(['limit_change', 'reserve']);
      expect(caughtUp.last).toMatchObject({
        hasMore: false,
        settledThrough: new Date(readerNowMs - settleMs).toISOString(),
      });

      // Caught up: polling again finds nothing and keeps the reader where it is.
      const idle = await journalPage(accountId, 10, caughtUp.cursor);
      expect(idle.body).toMatchObject({ data: [], hasMore: false, nextCursor: caughtUp.cursor });

      // A new movement shows up on the next poll from that same cursor, after the entries already read.
      const capture = await api.post(
        shop.apiKey,
        `/v1/authorizations/${(await listAllJournal(accountId))[1]!.authorizationId}/capture`,
        {},
      );
      expect(capture.status).toBe(200);
      readerNowMs = Date.now() + settleMs;
      const next = await poll(accountId, 10, caughtUp.cursor);
      expect(next.entries.map((e) => e.type)).toEqual(['capture']);
      expect(next.entries[0].balances).toEqual({
        totalLimit: 50_000,
        reserved: 0,
        outstanding: 2_000,
        available: 48_000,
      });
    },
    TEST_TIMEOUT_MS,
  );
});
