/**
 * Notices on the local stack (docs/EVENTS.md "Notices"): the events the calendar makes. A promotion staged on an
 * account gets `promotion.started` from its start run (the every-minute dispatch), once however often it runs; the
 * nightly billing run at an instant two days before an installment's due date issues that cycle's statement, the
 * installment's `installment.due_soon` and a coupon's `coupon.expiring`, each once; the notifier turns the last
 * three kinds (and the promotion's) into the customer's notifications, in their locale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DomainEvent } from '../../shared/events/model.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

const app = await startTestApp(
  { TABLE_STREAM: 'on', PROMOTION_STAGING: 'on_change', VELOCITY_MAX: '0' },
  { journalClock: 'settled' },
);
const api = new Api(app.url);
const { EventConsumer } = await import('../../local/events.js');
const { Notifier } = await import('../../shared/notifications/notifier.js');
const billing = await import('../../shared/installments/billing-run.js');
// No email on file here: the inbox is what is checked.
const consumer = new EventConsumer({ notifier: new Notifier({ quietHours: undefined }) });
consumer.start();
afterAll(async () => {
  await consumer.stop();
  await app.close();
});

const DAY_MS = 86_400_000;
const NOTICE_TYPES = ['promotion.started', 'statement.issued', 'installment.due_soon', 'coupon.expiring'];

/** Polls `read` every 100 ms until `done` holds of what it read; fails after `timeoutMs` (generous: CI is slow). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last read: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

async function eventsOf(accountId: string): Promise<DomainEvent[]> {
  const reply = await api.call('GET', `/v1/events?accountId=${accountId}&limit=100`, { key: ADMIN_KEY });
  expect(reply.status).toBe(200);
  return reply.body.data;
}
const noticesIn = (events: DomainEvent[]) => events.filter((e) => NOTICE_TYPES.includes(e.type));

let accountId: string;
let checkout: { apiKey: string };
let servicing: { apiKey: string };
beforeAll(async () => {
  checkout = await api.createClient(['checkout']);
  servicing = await api.createClient(['servicing']);
  accountId = await api.createAccount(1_000_000, { profile: strongProfile() });
  const contact = await api.call('PUT', `/v1/accounts/${accountId}/contact`, {
    key: servicing.apiKey,
    body: { locale: 'en' },
  });
  expect(contact.status).toBe(200);
});

describe('promotion.started', () => {
  it("comes from the promotion's start run, once, to the accounts it is staged on", async () => {
    const startsAt = new Date(Date.now() + 1_500).toISOString();
    const endsAt = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const created = await api.call('POST', '/v1/promotions', {
      key: ADMIN_KEY,
      body: { id: 'notice-fest', name: 'Double 12', kind: 'uplift', upliftAmount: 50_000, startsAt, endsAt },
    });
    expect(created.status).toBe(201);
    await eventually(
      () => api.account(accountId),
      (a) => a.promotions.some((p: { id: string }) => p.id === 'notice-fest'),
    );
    // Before its start: nothing to dispatch.
    expect(
      await billing.dispatchPromotionStarts(Date.parse(startsAt) - 1_000, billing.billInProcess),
    ).toEqual([]);
    await sleep(Math.max(0, Date.parse(startsAt) - Date.now()));
    expect(await billing.dispatchPromotionStarts(Date.now(), billing.billInProcess)).toEqual(['notice-fest']);
    // The next minute's dispatch finds the run done.
    expect(await billing.dispatchPromotionStarts(Date.now(), billing.billInProcess)).toEqual([]);

    const events = await eventually(
      () => eventsOf(accountId),
      (list) => list.some((e) => e.type === 'promotion.started'),
    );
    const started = events.filter((e) => e.type === 'promotion.started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      object: 'event',
      accountId,
      createdAt: startsAt,
      data: {
        id: 'notice-fest',
        name: 'Double 12',
        kind: 'uplift',
        amount: 50_000,
        startsAt,
        endsAt,
        status: 'active',
      },
    });
  });
});

describe('the nightly run: statement.issued, installment.due_soon, coupon.expiring', () => {
  it('issues each once, with the resource as the API shows it, and the customer is told', async () => {
    const hold = await api.authorize(checkout.apiKey, { accountId, amount: 300_000 });
    expect(hold.status).toBe(201);
    const captured = await api.post(checkout.apiKey, `/v1/authorizations/${hold.body.id}/capture`, {
      installments: { count: 3 },
    });
    expect(captured.status).toBe(200);
    const planId = captured.body.installmentPlanId as string;
    const plan = (await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey })).body;
    const first = plan.installments[0];
    // The run's instant: noon two days before the first installment's due date.
    const runAtMs = Date.parse(`${first.dueDate}T12:00:00.000Z`) - 2 * DAY_MS;
    const coupon = await api.call('POST', '/v1/coupons', {
      key: ADMIN_KEY,
      body: {
        accountId,
        kind: 'interest_free',
        counts: [6],
        validFrom: new Date(Date.now() - DAY_MS).toISOString(),
        validUntil: new Date(runAtMs + DAY_MS).toISOString(),
      },
    });
    expect(coupon.status).toBe(201);

    const run = await billing.runBilling(runAtMs);
    expect(run.notices).toBeGreaterThanOrEqual(3);
    // The same night again (a retried run): nothing more.
    expect((await billing.runBilling(runAtMs)).notices).toBe(0);

    const events = await eventually(
      () => eventsOf(accountId),
      (list) => noticesIn(list).length >= 4,
    );
    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(byType('statement.issued')).toHaveLength(1);
    expect(byType('installment.due_soon')).toHaveLength(1);
    expect(byType('coupon.expiring')).toHaveLength(1);
    // The statement as GET /v1/accounts/{id}/statement showed it that night: the cycle that bills installment 1.
    const issued = byType('statement.issued')[0]!.data;
    expect(String(issued['statementDate']) <= new Date(runAtMs).toISOString().slice(0, 10)).toBe(true);
    expect(issued).toMatchObject({
      object: 'statement',
      accountId,
      currency: 'CNY',
      dueDate: first.dueDate,
      items: [expect.objectContaining({ kind: 'installment', planId, sequence: 1 })],
    });
    expect(byType('installment.due_soon')[0]!.data).toMatchObject({
      object: 'installment',
      installmentPlanId: planId,
      sequence: 1,
      dueDate: first.dueDate,
      amountDue: first.principal + first.fee,
    });
    expect(byType('coupon.expiring')[0]!.data).toMatchObject({
      object: 'coupon',
      id: coupon.body.id,
      status: 'issued',
    });

    // Wait for these three kinds, not for any three: other notifications (a limit_raised) may come first.
    const expected = ['coupon_expiring', 'installment_due_soon', 'promotion_available'];
    const inbox = await eventually(
      () => api.call('GET', `/v1/accounts/${accountId}/notifications`, { key: servicing.apiKey }),
      (reply) => expected.every((kind) => reply.body.data.some((n: { kind: string }) => n.kind === kind)),
    );
    const kinds = inbox.body.data.map((n: { kind: string }) => n.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(expected));
    const dueSoon = inbox.body.data.find((n: { kind: string }) => n.kind === 'installment_due_soon');
    expect(dueSoon).toMatchObject({ locale: 'en', title: 'A payment is due soon' });
    expect(dueSoon.body).toContain(first.dueDate);
    const promotion = inbox.body.data.find((n: { kind: string }) => n.kind === 'promotion_available');
    expect(promotion.title).toBe('Double 12: extra credit for you');
  });

  it('an unknown account, or one with nothing due, gets no notice', async () => {
    const { issueNotices } = await import('../../shared/notices/repository.js');
    const { config } = await import('../../shared/config.js');
    const context = { promotionNames: new Map<string, string>(), rules: config };
    expect(await issueNotices('acc_nobody_here', Date.now(), context)).toBe(0);
    const quiet = await api.createAccount(100_000);
    expect(await issueNotices(quiet, Date.now(), context)).toBe(0);
    expect(noticesIn(await eventsOf(quiet))).toEqual([]);
  });
});
