/**
 * The hold state machine as pure functions: table cases plus properties that must hold for any sequence.
 */
import fc from 'fast-check';
import {
  type Authorization,
  decideCapture,
  decideExpire,
  decideRelease,
  decideReviewDecline,
  heldAmount,
  totalDelta,
  withoutQuotaReturn,
} from '../../shared/authorizations/model.js';
import { holdAt } from '../support/holds.js';

const NOW = Date.parse('2026-06-18T00:00:00Z');

function hold(overrides: Partial<Authorization> = {}): Authorization {
  return holdAt(new Date(NOW).toISOString(), {
    expiresAt: new Date(NOW + 3_600_000).toISOString(),
    ...overrides,
  });
}

describe('decideCapture', () => {
  it.each([
    [
      'the whole hold by default',
      hold(),
      {},
      { status: 'captured', capturedAmount: 10_000, releasedAmount: 0 },
    ],
    [
      'part, final: the rest is released',
      hold(),
      { amount: 4_000 },
      { status: 'captured', capturedAmount: 4_000, releasedAmount: 6_000 },
    ],
    [
      'part, not final: the rest stays held',
      hold(),
      { amount: 4_000, final: false },
      { status: 'partially_captured', capturedAmount: 4_000, releasedAmount: 0 },
    ],
    [
      'all that is left of a partial capture',
      hold({ status: 'partially_captured', capturedAmount: 4_000 }),
      { final: false },
      { status: 'captured', capturedAmount: 10_000 },
    ],
  ])('captures %s', (_name, a, request, expected) => {
    const decision = decideCapture(a, request, NOW);
    expect(decision.ok).toBe(true);
    if (decision.ok) expect(decision.transition.next).toMatchObject({ ...expected, version: 2 });
  });

  it.each([
    ['a released hold', hold({ status: 'released', releasedAmount: 10_000 }), {}, 'invalid_state'],
    ['a declined hold', hold({ status: 'declined' }), {}, 'invalid_state'],
    ['an expired hold', hold({ status: 'expired' }), {}, 'invalid_state'],
    ['a hold waiting for review', hold({ status: 'pending_review' }), {}, 'invalid_state'],
    [
      'a hold past expiresAt',
      hold({ expiresAt: new Date(NOW - 1).toISOString() }),
      {},
      'authorization_expired',
    ],
    ['more than is held', hold(), { amount: 10_001 }, 'amount_exceeds_remaining'],
  ])('refuses %s', (_name, a, request, code) => {
    expect(decideCapture(a, request, NOW)).toEqual({ ok: false, code });
  });
});

describe('decideRelease', () => {
  it('releases part, keeping the status, then the rest as released', () => {
    const first = decideRelease(hold(), { amount: 3_000 }, NOW);
    if (!first.ok) throw new Error('expected ok');
    expect(first.transition.next).toMatchObject({ status: 'authorized', releasedAmount: 3_000 });
    const second = decideRelease(first.transition.next, {}, NOW);
    if (!second.ok) throw new Error('expected ok');
    expect(second.transition.next).toMatchObject({ status: 'released', releasedAmount: 10_000 });
  });

  it('a release after a partial capture leaves the hold captured', () => {
    const decision = decideRelease(hold({ status: 'partially_captured', capturedAmount: 2_500 }), {}, NOW);
    if (!decision.ok) throw new Error('expected ok');
    expect(decision.transition.next).toMatchObject({ status: 'captured', releasedAmount: 7_500 });
  });
});

describe('any sequence of captures and releases', () => {
  const step = fc.record({
    op: fc.constantFrom('capture', 'release'),
    amount: fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: undefined }),
    final: fc.option(fc.boolean(), { nil: undefined }),
  });

  it('never settles more than the hold, and the account moves by exactly what the hold recorded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(step, { maxLength: 12 }),
        (amount, steps) => {
          let a = hold({ amount });
          let reserved = amount;
          let outstanding = 0;
          for (const s of steps) {
            const d = s.op === 'capture' ? decideCapture(a, s, NOW) : decideRelease(a, s, NOW);
            if (!d.ok) continue;
            const delta = totalDelta(d.transition.movements);
            reserved += delta.reserved;
            outstanding += delta.outstanding;
            a = d.transition.next;
            expect(a.capturedAmount + a.releasedAmount).toBeLessThanOrEqual(a.amount);
          }
          expect(reserved).toBe(heldAmount(a));
          expect(outstanding).toBe(a.capturedAmount);
        },
      ),
    );
  });
});

describe('a hold that drew from a category quota', () => {
  // 10,000 held: 6,000 from the quota (the front), 4,000 general credit (the back).
  const quotaHold = (overrides: Partial<Authorization> = {}) =>
    hold({
      category: 'electronics',
      quota: { promotionId: 'q1', drawn: 6_000, captured: 0, returned: 0 },
      ...overrides,
    });

  it.each([
    [
      'a capture of 5,000 (final) takes quota first and gives the quota left back',
      { amount: 5_000 },
      { captured: 5_000, returned: 1_000 },
      [
        { type: 'capture', totalLimit: 0 },
        { type: 'release', amount: 5_000, totalLimit: -1_000 },
      ],
    ],
    [
      'a capture of 8,000 (final) takes all the quota, and the release gives none back',
      { amount: 8_000 },
      { captured: 6_000, returned: 0 },
      [
        { type: 'capture', totalLimit: 0 },
        { type: 'release', amount: 2_000, totalLimit: 0 },
      ],
    ],
    [
      'a non-final capture of 2,000 keeps the rest of the quota held',
      { amount: 2_000, final: false },
      { captured: 2_000, returned: 0 },
      [{ type: 'capture', totalLimit: 0 }],
    ],
  ])('%s', (_name, request, quota, movements) => {
    const decision = decideCapture(quotaHold(), request, NOW);
    if (!decision.ok) throw new Error(decision.code);
    expect(decision.transition.next.quota).toMatchObject(quota);
    expect(
      decision.transition.movements.map((m) => ({
        type: m.type,
        amount: m.amount,
        totalLimit: m.delta.totalLimit,
      })),
    ).toMatchObject(movements);
    const back = 0 - totalDelta(decision.transition.movements).totalLimit;
    expect(decision.transition.quotaReturn?.amount ?? 0).toBe(back);
  });

  it.each([
    ['3,000: general credit only', 3_000, 0],
    ['4,000: all the general credit', 4_000, 0],
    ['7,000: the general credit, then 3,000 of quota', 7_000, 3_000],
    ['everything: all 6,000 of quota', undefined, 6_000],
  ])('a release of %s goes back from the back of the hold', (_name, amount, quotaBack) => {
    const decision = decideRelease(quotaHold(), { amount }, NOW);
    if (!decision.ok) throw new Error(decision.code);
    expect(decision.transition.quotaReturn?.amount ?? 0).toBe(quotaBack);
    expect(decision.transition.next.quota?.returned).toBe(quotaBack);
    if (quotaBack > 0)
      expect(decision.transition.quotaReturn).toEqual({
        category: 'electronics',
        promotionId: 'q1',
        amount: quotaBack,
      });
  });

  it('gives all its quota back when it expires or its review is declined', () => {
    const expired = decideExpire(quotaHold({ expiresAt: new Date(NOW - 1).toISOString() }), NOW);
    const declined = decideReviewDecline(quotaHold({ status: 'pending_review' }), NOW);
    for (const d of [expired, declined]) {
      if (!d.ok) throw new Error(d.code);
      expect(d.transition.quotaReturn?.amount).toBe(6_000);
      expect(totalDelta(d.transition.movements)).toEqual({
        reserved: -10_000,
        outstanding: 0,
        totalLimit: -6_000,
      });
    }
  });

  it('settles as plain credit when its grant has ended: nothing leaves totalLimit again', () => {
    const decision = decideRelease(quotaHold(), {}, NOW);
    if (!decision.ok) throw new Error(decision.code);
    const plain = withoutQuotaReturn(decision.transition);
    expect(plain.quotaReturn).toBeUndefined();
    expect(totalDelta(plain.movements)).toEqual({ reserved: -10_000, outstanding: 0, totalLimit: 0 });
    expect(plain.next).toEqual(decision.transition.next);
  });

  it('for any sequence of captures and releases never gives back or captures more quota than it drew, quota first', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('capture' as const),
        amount: fc.integer({ min: 1, max: 4_000 }),
        final: fc.boolean(),
      }),
      fc.record({ op: fc.constant('release' as const), amount: fc.integer({ min: 1, max: 4_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(step, { maxLength: 8 }), (drawn, steps) => {
        let a = quotaHold({ quota: { promotionId: 'q1', drawn, captured: 0, returned: 0 } });
        let backToGrant = 0;
        for (const s of steps) {
          const d =
            s.op === 'capture'
              ? decideCapture(a, { amount: s.amount, final: s.final }, NOW)
              : decideRelease(a, { amount: s.amount }, NOW);
          if (!d.ok) continue;
          const heldQuotaBefore = a.quota!.drawn - a.quota!.captured - a.quota!.returned;
          const generalBefore = heldAmount(a) - heldQuotaBefore;
          backToGrant += d.transition.quotaReturn?.amount ?? 0;
          expect(0 - totalDelta(d.transition.movements).totalLimit).toBe(
            d.transition.quotaReturn?.amount ?? 0,
          );
          const q = d.transition.next.quota!;
          // Captures take quota first; releases give general credit back first.
          if (s.op === 'capture')
            expect(q.captured - a.quota!.captured).toBe(Math.min(s.amount, heldQuotaBefore));
          if (s.op === 'release')
            expect(q.returned - a.quota!.returned).toBe(Math.max(0, s.amount - generalBefore));
          a = d.transition.next;
        }
        const q = a.quota!;
        expect(q.captured + q.returned).toBeLessThanOrEqual(q.drawn);
        expect(q.captured).toBeLessThanOrEqual(a.capturedAmount);
        expect(q.returned).toBe(backToGrant);
        if (heldAmount(a) === 0) expect(q.captured + q.returned).toBe(q.drawn);
      }),
    );
  });
});
