/**
 * Creating or ending a promotion stages it at once (PROMOTION_STAGING=on_change, the deployed default): the
 * creation starts a refresh run that writes the promotion's window on every eligible account, well before its
 * start, and ending it starts one that folds it out, with no nightly refresh in between.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;

beforeAll(async () => {
  app = await startTestApp({ PROMOTION_STAGING: 'on_change' });
  api = new Api(app.url);
});
afterAll(() => app.close());

const DAY_MS = 86_400_000;
/** Polls of the account while the background run writes it (each waits POLL_MS): minutes on a busy machine. */
const MAX_POLLS = 600;
const POLL_MS = 200;

/** The account once `done` holds for it; fails after MAX_POLLS reads. */
async function accountWhen(id: string, done: (account: any) => boolean): Promise<any> {
  for (let poll = 0; poll < MAX_POLLS; poll += 1) {
    const account = await api.account(id);
    if (done(account)) return account;
    await sleep(POLL_MS);
  }
  throw new Error(`account ${id} never reached the awaited state`);
}

describe('POST /v1/promotions and POST /v1/promotions/{id}/end', () => {
  it('stage the promotion on every account at once, and fold it out when it is ended', async () => {
    const ids = [await api.createAccount(100_000), await api.createAccount(200_000)];
    const startsAt = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const endsAt = new Date(Date.now() + 3 * DAY_MS).toISOString();
    const created = await api.call('POST', '/v1/promotions', {
      key: ADMIN_KEY,
      body: { id: 'staged-at-once', name: 'Staged', kind: 'uplift', upliftAmount: 30_000, startsAt, endsAt },
    });
    expect(created.status).toBe(201);
    for (const id of ids) {
      const account = await accountWhen(id, (a) => a.promotions.length > 0);
      expect(account.promotions).toEqual([
        { id: 'staged-at-once', kind: 'uplift', amount: 30_000, startsAt, endsAt, status: 'scheduled' },
      ]);
    }
    const { getAccount } = await import('../../shared/accounts/repository.js');
    expect((await getAccount(ids[0] ?? ''))?.windows).toEqual([
      { slot: 0, startsAt, endsAt, promoDeltaMinor: 30_000 },
    ]);
    // Ended before it starts: it never applies, and the account shows it ended with no window left.
    expect((await api.call('POST', '/v1/promotions/staged-at-once/end', { key: ADMIN_KEY })).status).toBe(
      200,
    );
    for (const id of ids) {
      const account = await accountWhen(id, (a) => a.promotions[0]?.status === 'ended');
      expect(account).toMatchObject({ promoLimit: 0, totalLimit: account.creditLimit });
      expect((await getAccount(id))?.windows).toEqual([]);
    }
  });
});
