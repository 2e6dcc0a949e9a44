/**
 * Stream record → events (shared/events/mapper.ts): which change makes which event, with what data, and ids that
 * depend only on the item's key, version and the event's type, so a record read twice maps to the same events.
 */
import fc from 'fast-check';
import type { Authorization } from '../../shared/authorizations/model.js';
import { type ChangeRecord, eventsFromChange } from '../../shared/events/mapper.js';
import { EVENT_TYPES } from '../../shared/events/model.js';

const hold = (changes: Partial<Authorization> = {}): Authorization => ({
  id: 'auth_test',
  accountId: 'acc_1',
  clientId: 'cli_1',
  orderId: 'o-1',
  currency: 'CNY',
  amount: 1_000,
  capturedAmount: 0,
  releasedAmount: 0,
  refundedAmount: 0,
  status: 'authorized',
  expiresAt: '2026-12-02T00:00:00.000Z',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  version: 1,
  ...changes,
});
const item = (a: Authorization) => ({
  pk: `REQ#${a.id}`,
  sk: 'REQ',
  itemType: 'authorization',
  kind: 'authorize',
  ...a,
});
const insert = (a: Authorization): ChangeRecord => ({ eventName: 'INSERT', newImage: item(a) });
const modify = (before: Authorization, after: Authorization): ChangeRecord => ({
  eventName: 'MODIFY',
  oldImage: item(before),
  newImage: item(after),
});
const types = (change: ChangeRecord) => eventsFromChange(change).map((e) => e.type);

describe('authorization events', () => {
  it('a new hold is created, review_required or declined, with the hold as the API shows it', () => {
    const [created] = eventsFromChange(insert(hold()));
    expect(created).toMatchObject({
      object: 'event',
      type: 'authorization.created',
      accountId: 'acc_1',
      createdAt: '2026-12-01T00:00:00.000Z',
      data: { id: 'auth_test', object: 'authorization', status: 'authorized', amount: 1_000 },
    });
    expect(created?.id).toMatch(/^evt_[A-Za-z0-9_-]{22}$/);
    expect(created?.data).not.toHaveProperty('clientId');
    expect(types(insert(hold({ status: 'pending_review' })))).toEqual(['authorization.review_required']);
    expect(types(insert(hold({ status: 'declined', declineCode: 'insufficient_credit' })))).toEqual([
      'authorization.declined',
    ]);
  });

  it('each later write says what it did', () => {
    const open = hold();
    const v = (changes: Partial<Authorization>) => hold({ version: 2, ...changes });
    expect(types(modify(open, v({ status: 'captured', capturedAmount: 1_000 })))).toEqual([
      'authorization.captured',
    ]);
    expect(types(modify(open, v({ status: 'partially_captured', capturedAmount: 400 })))).toEqual([
      'authorization.captured',
    ]);
    expect(types(modify(open, v({ status: 'released', releasedAmount: 1_000 })))).toEqual([
      'authorization.released',
    ]);
    expect(types(modify(open, v({ status: 'expired', releasedAmount: 1_000 })))).toEqual([
      'authorization.expired',
    ]);
    const captured = hold({ status: 'captured', capturedAmount: 1_000, version: 2 });
    expect(types(modify(captured, hold({ ...captured, refundedAmount: 300, version: 3 })))).toEqual([
      'authorization.refunded',
    ]);
    const review = hold({ status: 'pending_review' });
    expect(types(modify(review, v({ status: 'authorized' })))).toEqual(['authorization.created']);
    expect(types(modify(review, v({ status: 'declined', declineCode: 'risk_declined' })))).toEqual([
      'authorization.declined',
    ]);
    // A capture that settles the rest releases it too: both are said.
    expect(types(modify(open, v({ status: 'released', capturedAmount: 600, releasedAmount: 400 })))).toEqual([
      'authorization.captured',
      'authorization.released',
    ]);
    // An increment (the amount grows) is no event of the list.
    expect(types(modify(open, v({ amount: 1_500 })))).toEqual([]);
  });
});

describe('journal events', () => {
  const entry = (type: string, extra: Record<string, unknown> = {}): ChangeRecord => ({
    eventName: 'INSERT',
    newImage: {
      pk: 'ACCOUNT#acc_1',
      sk: `JOURNAL#2026-12-01T00:00:00.000Z#00#jrn_${type}`,
      itemType: 'journal',
      id: `jrn_${type}`,
      accountId: 'acc_1',
      type,
      amount: 0,
      delta: { totalLimit: 0, reserved: 0, outstanding: 0 },
      createdAt: '2026-12-01T00:00:00.000Z',
      ...extra,
    },
  });

  it('limit changes (with their reasons), freezes, repayments and overdue installments', () => {
    const reasons = [{ code: 'score_up', message: 'Your credit score rose.' }];
    const [changed] = eventsFromChange(
      entry('limit_change', {
        amount: 5_000,
        delta: { totalLimit: 5_000, reserved: 0, outstanding: 0 },
        reasons,
      }),
    );
    expect(changed).toMatchObject({
      type: 'account.limit_changed',
      accountId: 'acc_1',
      data: { object: 'journal_entry', reasons, delta: { totalLimit: 5_000, available: 5_000 } },
    });
    expect(types(entry('freeze'))).toEqual(['account.frozen']);
    expect(types(entry('unfreeze'))).toEqual(['account.unfrozen']);
    expect(types(entry('repayment'))).toEqual(['repayment.received']);
    expect(types(entry('installment_overdue'))).toEqual(['installment.overdue']);
  });

  it('money movements of holds come from the hold, not its journal entry; other items and removals map to nothing', () => {
    for (const type of ['reserve', 'capture', 'release', 'expire', 'refund', 'increment'])
      expect(types(entry(type))).toEqual([]);
    expect(
      types({ eventName: 'INSERT', newImage: { pk: 'ACCOUNT#acc_1', sk: 'ACCOUNT', available: 1 } }),
    ).toEqual([]);
    expect(types({ eventName: 'REMOVE', oldImage: item(hold()) })).toEqual([]);
  });
});

describe('near-limit events (the account item)', () => {
  const accountItem = (
    figures: { totalLimit: number; reserved: number; outstanding?: number },
    at: string,
  ) => {
    const outstanding = figures.outstanding ?? 0;
    return {
      pk: 'ACCOUNT#acc_1',
      sk: 'ACCOUNT',
      itemType: 'account',
      id: 'acc_1',
      currency: 'CNY',
      status: 'active',
      creditLimit: figures.totalLimit,
      promoLimit: 0,
      totalLimit: figures.totalLimit,
      reserved: figures.reserved,
      outstanding,
      available: figures.totalLimit - figures.reserved - outstanding,
      riskTier: 'B',
      limitUpdatedAt: '2026-11-01T00:00:00.000Z',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: at,
      promotions: [],
    };
  };
  const write = (
    before: { totalLimit: number; reserved: number; outstanding?: number },
    after: { totalLimit: number; reserved: number; outstanding?: number },
    at = '2026-12-01T01:00:00.000Z',
  ): ChangeRecord => ({
    eventName: 'MODIFY',
    oldImage: accountItem(before, '2026-12-01T00:00:00.000Z'),
    newImage: accountItem(after, at),
  });

  it('one write that takes usage from below 80% of the limit to 80% or more: account.near_limit with the account', () => {
    const [near] = eventsFromChange(
      write({ totalLimit: 100_000, reserved: 79_999 }, { totalLimit: 100_000, reserved: 80_000 }),
    );
    expect(near).toMatchObject({
      object: 'event',
      type: 'account.near_limit',
      accountId: 'acc_1',
      createdAt: '2026-12-01T01:00:00.000Z',
      data: { id: 'acc_1', object: 'account', totalLimit: 100_000, reserved: 80_000, available: 20_000 },
    });
    expect(near?.id).toMatch(/^evt_[A-Za-z0-9_-]{22}$/);
    // Usage is what holds and purchases use: a capture moving reserved into outstanding crosses nothing.
    expect(
      types(
        write(
          { totalLimit: 100_000, reserved: 50_000 },
          { totalLimit: 100_000, reserved: 10_000, outstanding: 75_000 },
        ),
      ),
    ).toEqual(['account.near_limit']);
    expect(
      types(
        write(
          { totalLimit: 100_000, reserved: 85_000 },
          { totalLimit: 100_000, reserved: 0, outstanding: 85_000 },
        ),
      ),
    ).toEqual([]);
    // A lower limit can cross it too.
    expect(
      types(write({ totalLimit: 100_000, reserved: 60_000 }, { totalLimit: 70_000, reserved: 60_000 })),
    ).toEqual(['account.near_limit']);
  });

  it('nothing below the line, nothing while already above it, nothing on the way down, nothing for a new or zero limit', () => {
    expect(
      types(write({ totalLimit: 100_000, reserved: 10_000 }, { totalLimit: 100_000, reserved: 79_999 })),
    ).toEqual([]);
    expect(
      types(write({ totalLimit: 100_000, reserved: 80_000 }, { totalLimit: 100_000, reserved: 95_000 })),
    ).toEqual([]);
    expect(
      types(write({ totalLimit: 100_000, reserved: 95_000 }, { totalLimit: 100_000, reserved: 10_000 })),
    ).toEqual([]);
    expect(types(write({ totalLimit: 0, reserved: 0 }, { totalLimit: 0, reserved: 0 }))).toEqual([]);
    expect(
      types({
        eventName: 'INSERT',
        newImage: accountItem({ totalLimit: 100, reserved: 90 }, '2026-12-01T00:00:00.000Z'),
      }),
    ).toEqual([]);
  });

  it('its id is the same each time the record is read, and differs for a later crossing at the same instant', () => {
    const first = write({ totalLimit: 100_000, reserved: 70_000 }, { totalLimit: 100_000, reserved: 90_000 });
    expect(eventsFromChange(first)).toEqual(eventsFromChange(first));
    const again = write({ totalLimit: 100_000, reserved: 75_000 }, { totalLimit: 100_000, reserved: 90_000 });
    expect(eventsFromChange(again)[0]?.id).not.toBe(eventsFromChange(first)[0]?.id);
  });
});

describe('coupon events', () => {
  it('a coupon item written is a coupon issued, with the coupon as the API shows it; nothing when it changes', () => {
    const coupon = {
      pk: 'COUPON#cpn_1',
      sk: 'COUPON',
      itemType: 'coupon',
      id: 'cpn_1',
      accountId: 'acc_1',
      kind: 'interest_free',
      counts: [3, 6],
      validFrom: '2026-12-01T00:00:00.000Z',
      validUntil: '2027-01-01T00:00:00.000Z',
      status: 'issued',
      stateOnAccount: true,
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
    const [issued, ...more] = eventsFromChange({ eventName: 'INSERT', newImage: coupon });
    expect(more).toEqual([]);
    expect(issued).toMatchObject({
      type: 'coupon.issued',
      accountId: 'acc_1',
      createdAt: '2026-12-01T00:00:00.000Z',
      data: { id: 'cpn_1', object: 'coupon', status: 'issued' },
    });
    expect(issued?.data).not.toHaveProperty('stateOnAccount');
    expect(eventsFromChange({ eventName: 'INSERT', newImage: coupon })).toEqual([issued]);
    expect(
      types({ eventName: 'MODIFY', oldImage: coupon, newImage: { ...coupon, status: 'redeemed' } }),
    ).toEqual([]);
  });
});

describe('notice events', () => {
  it('a notice item written is its event, with its data and instant; nothing when it changes or has no known type', () => {
    const notice = {
      pk: 'NOTICES#acc_1',
      sk: 'installment.due_soon#plan_1#2',
      itemType: 'notice',
      accountId: 'acc_1',
      type: 'installment.due_soon',
      subject: 'plan_1#2',
      createdAt: '2026-12-01T01:00:00.000Z',
      data: { object: 'installment', installmentPlanId: 'plan_1', sequence: 2, amountDue: 10_330 },
      ttl: 1_900_000_000,
    };
    const [due, ...more] = eventsFromChange({ eventName: 'INSERT', newImage: notice });
    expect(more).toEqual([]);
    expect(due).toEqual({
      id: expect.stringMatching(/^evt_/),
      object: 'event',
      type: 'installment.due_soon',
      createdAt: '2026-12-01T01:00:00.000Z',
      accountId: 'acc_1',
      data: notice.data,
    });
    expect(eventsFromChange({ eventName: 'INSERT', newImage: notice })).toEqual([due]);
    expect(eventsFromChange({ eventName: 'MODIFY', oldImage: notice, newImage: notice })).toEqual([]);
    expect(
      eventsFromChange({ eventName: 'INSERT', newImage: { ...notice, type: 'statement.lost' } }),
    ).toEqual([]);
    const other = eventsFromChange({
      eventName: 'INSERT',
      newImage: { ...notice, sk: 'installment.due_soon#plan_1#3' },
    });
    expect(other[0]?.id).not.toBe(due?.id);
  });
});

describe('event ids', () => {
  const transition = fc.record({
    version: fc.integer({ min: 1, max: 1_000 }),
    captured: fc.integer({ min: 0, max: 1_000 }),
    id: fc.stringMatching(/^auth_[A-Za-z0-9]{4,12}$/),
  });

  it('are the same each time a record is read, and differ between versions of an item', () => {
    fc.assert(
      fc.property(transition, ({ version, captured, id }) => {
        const before = hold({ id, version });
        const after = hold({
          id,
          version: version + 1,
          capturedAmount: captured,
          status: captured === 0 ? 'released' : captured === 1_000 ? 'captured' : 'partially_captured',
          releasedAmount: captured === 0 ? 1_000 : 0,
        });
        const once = eventsFromChange(modify(before, after));
        expect(eventsFromChange(modify(before, after))).toEqual(once);
        const earlier = eventsFromChange(insert(before)).map((e) => e.id);
        for (const event of once) expect(earlier).not.toContain(event.id);
        expect(new Set(once.map((e) => e.id)).size).toBe(once.length);
      }),
    );
  });

  it('every type a mapper makes is one an endpoint can subscribe to', () => {
    const made = [insert(hold()), insert(hold({ status: 'pending_review' }))].flatMap(eventsFromChange);
    for (const event of made) expect(EVENT_TYPES).toContain(event.type);
  });
});
