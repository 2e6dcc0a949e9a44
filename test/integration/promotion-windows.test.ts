/**
 * Promotions in force to the second (contract v1.1), against DynamoDB Local with the service's clock injected:
 * a refresh stages a promotion ahead of its start, and from then on a hold one second after `startsAt` may use
 * it, one second after `endsAt` may not, however many race at either instant, with no job running at either;
 * holds made under it stay valid, and every hold is still one call.
 *
 * Promotions apply to every account of this file's table, so each describe lives in its own year (2027, 2028,
 * 2029): a refresh in one year sees the earlier years' promotions ended and the later ones not created yet.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let authorize: typeof import('../../shared/authorizations/service.js').authorize;
let runRefresh: typeof import('../../shared/limits/job.js').runRefreshJobInProcess;
let accounts: typeof import('../../shared/accounts/repository.js');
let model: typeof import('../../shared/accounts/model.js');
const sent: string[] = [];

const RULES = {
  reviewThresholdMinor: 1e12,
  holdTtlSeconds: 3_600,
  velocityMax: 0,
  velocityWindowSeconds: 60,
};
const SECOND_MS = 1_000;
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0' }, { journalClock: 'settled' });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  ({ authorize } = await import('../../shared/authorizations/service.js'));
  ({ runRefreshJobInProcess: runRefresh } = await import('../../shared/limits/job.js'));
  accounts = await import('../../shared/accounts/repository.js');
  model = await import('../../shared/accounts/model.js');
  const { dynamoClient } = await import('../../shared/storage/dynamo-client.js');
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'promotionWindowCalls' },
  );
});
afterAll(() => app.close());

interface Hold {
  /** 'authorized', or the decline's code. */
  outcome: string;
  id: string | undefined;
}

/** One hold decided at `atMs` (the service's clock), resent on a 503 as the payment flow would. */
async function holdAt(accountId: string, atMs: number, amount: number, category?: string): Promise<Hold> {
  const key = randomUUID();
  const send = () =>
    authorize(
      { clientId: shop.id, idempotencyKey: key, fingerprint: key, actsForAnyClient: false },
      { accountId, amount, currency: 'CNY', orderId: key, ...(category ? { category } : {}) },
      RULES,
      () => atMs,
    );
  let result: Awaited<ReturnType<typeof send>> | undefined;
  for (let attempt = 1; result === undefined; attempt += 1) {
    try {
      result = await send();
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  if (result.kind === 'error') return { outcome: result.code, id: undefined };
  const body = JSON.parse(result.response.body) as { id: string; status: string; error?: { code: string } };
  return body.error ? { outcome: body.error.code, id: undefined } : { outcome: body.status, id: body.id };
}

const race = (n: number, hold: () => Promise<Hold>): Promise<Hold[]> =>
  Promise.all(Array.from({ length: n }, hold));
const count = (holds: readonly Hold[], outcome: string) => holds.filter((h) => h.outcome === outcome).length;

async function createPromotion(body: Record<string, unknown>): Promise<void> {
  const reply = await api.call('POST', '/v1/promotions', {
    key: ADMIN_KEY,
    body: { name: `promotion ${String(body['id'])}`, ...body },
  });
  expect(reply.status).toBe(201);
}

async function release(id: string | undefined): Promise<void> {
  const reply = await api.post(shop.apiKey, `/v1/authorizations/${String(id)}/release`);
  expect(reply.status).toBe(200);
}

/** The account as GET /v1/accounts/{id} would show it at `atMs`. */
async function resourceAt(accountId: string, atMs: number) {
  const stored = await accounts.getAccount(accountId);
  return model.toAccountResource(stored as NonNullable<typeof stored>, new Date(atMs).toISOString());
}

describe('an uplift staged ahead of its start', () => {
  /** The 618 sale opens at 00:00 China time, 16:00 UTC. */
  const STARTS_MS = Date.parse('2027-06-17T16:00:00.000Z');
  const ENDS_MS = Date.parse('2027-06-20T16:00:00.000Z');
  const ids = { before: '', atStart: '', calls: '' };

  beforeAll(async () => {
    for (const name of Object.keys(ids) as Array<keyof typeof ids>)
      ids[name] = await api.createAccount(100_000);
    await createPromotion({
      id: 'uplift-2027',
      kind: 'uplift',
      upliftAmount: 50_000,
      startsAt: new Date(STARTS_MS).toISOString(),
      endsAt: new Date(ENDS_MS).toISOString(),
    });
    // The last refresh before the sale, an hour ahead: nothing runs at 16:00.
    const job = await runRefresh({ dryRun: false, nowMs: STARTS_MS - HOUR_MS });
    expect(job.status).toBe('succeeded');
  });

  it('shows the promotion scheduled, then active with the uplift in the figures, then ended without it', async () => {
    const before = await resourceAt(ids.before, STARTS_MS - SECOND_MS);
    expect(before).toMatchObject({ totalLimit: 100_000, promoLimit: 0, available: 100_000 });
    expect(before.promotions).toEqual([
      {
        id: 'uplift-2027',
        kind: 'uplift',
        amount: 50_000,
        startsAt: new Date(STARTS_MS).toISOString(),
        endsAt: new Date(ENDS_MS).toISOString(),
        status: 'scheduled',
      },
    ]);
    const during = await resourceAt(ids.before, STARTS_MS + SECOND_MS);
    expect(during).toMatchObject({ totalLimit: 150_000, promoLimit: 50_000, available: 150_000 });
    expect(during.promotions[0]?.status).toBe('active');
    const after = await resourceAt(ids.before, ENDS_MS);
    expect(after).toMatchObject({ totalLimit: 100_000, promoLimit: 0, available: 100_000 });
    expect(after.promotions[0]?.status).toBe('ended');
    // The journal replays to the figures at each instant: the staging entry carries its window.
    const { listAllJournal } = await import('../../shared/journal/repository.js');
    const { reconcile } = await import('../../shared/journal/model.js');
    const journal = await listAllJournal(ids.before);
    for (const [atMs, figures] of [
      [STARTS_MS - SECOND_MS, before],
      [STARTS_MS + SECOND_MS, during],
      [ENDS_MS, after],
    ] as const)
      expect(reconcile(figures, journal, new Date(atMs).toISOString()).ok).toBe(true);
    expect(reconcile(during, journal).ok).toBe(false);
    // GET /v1/accounts/{id} answers the same shape now (before the sale): scheduled.
    const now = await api.account(ids.before);
    expect(now.promotions).toEqual([expect.objectContaining({ id: 'uplift-2027', status: 'scheduled' })]);
  });

  it('one second before startsAt holds use the limit only; one second after, the uplift too', async () => {
    const early = await race(14, () => holdAt(ids.before, STARTS_MS - SECOND_MS, 10_000));
    expect([count(early, 'authorized'), count(early, 'insufficient_credit')]).toEqual([10, 4]);
    const late = await race(7, () => holdAt(ids.before, STARTS_MS + SECOND_MS, 10_000));
    expect([count(late, 'authorized'), count(late, 'insufficient_credit')]).toEqual([5, 2]);
    expect(await api.account(ids.before)).toMatchObject({ reserved: 150_000, available: -50_000 });
    await expectReconciled(api, ids.before);
  });

  it('racing holds at the instant of startsAt get the uplift, exactly; at endsAt they do not, and earlier holds stay valid', async () => {
    const id = ids.atStart;
    const opened = await race(20, () => holdAt(id, STARTS_MS, 10_000));
    expect([count(opened, 'authorized'), count(opened, 'insufficient_credit')]).toEqual([15, 5]);
    // One millisecond before the end everything is still held; at the end even a tiny hold is declined.
    expect((await holdAt(id, ENDS_MS - 1, 100)).outcome).toBe('insufficient_credit');
    const released = opened.find((h) => h.outcome === 'authorized')?.id;
    await release(released);
    const lastMs = await race(3, () => holdAt(id, ENDS_MS - 1, 10_000));
    expect(count(lastMs, 'authorized')).toBe(1);
    const ended = await race(5, () => holdAt(id, ENDS_MS, 100));
    expect(count(ended, 'insufficient_credit')).toBe(5);
    // Holds made under the promotion stay valid; releases bring the account back under its limit.
    const held = [...opened, ...lastMs].filter((h) => h.outcome === 'authorized' && h.id !== released);
    for (const h of held.slice(0, 6)) await release(h.id);
    expect(await api.account(id)).toMatchObject({ reserved: 90_000 });
    const afterEnd = await race(3, () => holdAt(id, ENDS_MS + SECOND_MS, 10_000));
    expect([count(afterEnd, 'authorized'), count(afterEnd, 'insufficient_credit')]).toEqual([1, 2]);
    await expectReconciled(api, id);
  });

  it('every hold is one call, before, inside and after the window', async () => {
    const perHold: number[] = [];
    for (const atMs of [STARTS_MS - SECOND_MS, STARTS_MS, STARTS_MS + SECOND_MS, ENDS_MS + SECOND_MS]) {
      sent.length = 0;
      expect((await holdAt(ids.calls, atMs, 1_000)).outcome).toBe('authorized');
      perHold.push(sent.length);
    }
    expect(perHold).toEqual([1, 1, 1, 1]);
  });
});

describe('an uplift already in the stored figures', () => {
  const STARTS_MS = Date.parse('2028-06-17T16:00:00.000Z');
  const ENDS_MS = Date.parse('2028-06-18T16:00:00.000Z');

  it('ends exactly at endsAt with no job running, and a refresh after it folds the end in', async () => {
    const id = await api.createAccount(100_000);
    await createPromotion({
      id: 'uplift-2028',
      kind: 'uplift',
      upliftAmount: 40_000,
      startsAt: new Date(STARTS_MS).toISOString(),
      endsAt: new Date(ENDS_MS).toISOString(),
    });
    // A refresh during the sale puts the uplift in the stored figures and stages its end.
    await runRefresh({ dryRun: false, nowMs: STARTS_MS + HOUR_MS });
    const stored = await accounts.getAccount(id);
    expect(stored).toMatchObject({ promoLimit: 40_000, totalLimit: 140_000 });
    expect(stored?.windows).toEqual([
      {
        slot: 0,
        startsAt: new Date(ENDS_MS).toISOString(),
        endsAt: expect.any(String),
        promoDeltaMinor: -40_000,
      },
    ]);
    const lastSecond = await race(15, () => holdAt(id, ENDS_MS - SECOND_MS, 10_000));
    expect([count(lastSecond, 'authorized'), count(lastSecond, 'insufficient_credit')]).toEqual([14, 1]);
    expect((await holdAt(id, ENDS_MS + SECOND_MS, 100)).outcome).toBe('insufficient_credit');
    expect(await resourceAt(id, ENDS_MS + SECOND_MS)).toMatchObject({
      totalLimit: 100_000,
      promoLimit: 0,
      reserved: 140_000,
      available: -40_000,
    });
    for (const h of lastSecond.filter((x) => x.outcome === 'authorized').slice(0, 5)) await release(h.id);
    const after = await race(3, () => holdAt(id, ENDS_MS + SECOND_MS, 10_000));
    expect(count(after, 'authorized')).toBe(1);
    // The refresh after the end folds it: the stored figures drop the uplift and no window is left.
    await runRefresh({ dryRun: false, nowMs: ENDS_MS + HOUR_MS });
    const folded = await accounts.getAccount(id);
    expect(folded).toMatchObject({ promoLimit: 0, totalLimit: 100_000, reserved: 100_000, windows: [] });
    expect(folded?.promotions).toEqual([expect.objectContaining({ id: 'uplift-2028' })]);
    expect((await holdAt(id, ENDS_MS + 2 * HOUR_MS, 100)).outcome).toBe('insufficient_credit');
    await expectReconciled(api, id);
  });
});

describe('a category quota staged ahead of its start', () => {
  const STARTS_MS = Date.parse('2029-06-17T16:00:00.000Z');
  const ENDS_MS = Date.parse('2029-06-18T16:00:00.000Z');

  it('is drawable from startsAt to endsAt exactly, however many race at either instant', async () => {
    const id = await api.createAccount(10_000);
    await createPromotion({
      id: 'quota-2029',
      kind: 'category_quota',
      category: 'electronics',
      quotaAmount: 30_000,
      startsAt: new Date(STARTS_MS).toISOString(),
      endsAt: new Date(ENDS_MS).toISOString(),
    });
    await runRefresh({ dryRun: false, nowMs: STARTS_MS - HOUR_MS });
    expect((await api.account(id)).promotions).toEqual([
      expect.objectContaining({
        id: 'quota-2029',
        kind: 'category_quota',
        amount: 30_000,
        status: 'scheduled',
      }),
    ]);
    const early = await race(3, () => holdAt(id, STARTS_MS - SECOND_MS, 20_000, 'electronics'));
    expect(count(early, 'insufficient_credit')).toBe(3);
    const opened = await race(6, () => holdAt(id, STARTS_MS, 10_000, 'electronics'));
    expect([count(opened, 'authorized'), count(opened, 'insufficient_credit')]).toEqual([4, 2]);
    const atEnd = await race(3, () => holdAt(id, ENDS_MS, 10_000, 'electronics'));
    expect(count(atEnd, 'insufficient_credit')).toBe(3);
    // A release gives its part back: one more fits 1 ms before the end.
    await release(opened.find((h) => h.outcome === 'authorized')?.id);
    const lastMs = await race(3, () => holdAt(id, ENDS_MS - 1, 10_000, 'electronics'));
    expect(count(lastMs, 'authorized')).toBe(1);
    const account = await api.account(id);
    expect(account).toMatchObject({ reserved: 40_000, available: 0 });
    await expectReconciled(api, id);
  });
});
