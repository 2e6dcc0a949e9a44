/**
 * The hold state machine as pure functions: table cases plus properties that must hold for any sequence.
 */
import fc from 'fast-check';
import {
  type Authorization,
  decideCapture,
  decideRelease,
  heldAmount,
  totalDelta,
} from '../../shared/authorizations/model.js';

const NOW = Date.parse('2026-06-18T00:00:00Z');

function hold(overrides: Partial<Authorization> = {}): Authorization {
  return {
    id: 'auth_AAAAAAAAAAAAAAAAAAAAAA', accountId: 'acc_1', clientId: 'cli_1', orderId: 'o-1', currency: 'CNY',
    amount: 10_000, capturedAmount: 0, releasedAmount: 0, refundedAmount: 0, status: 'authorized',
    expiresAt: new Date(NOW + 3_600_000).toISOString(), createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(), version: 1, ...overrides,
  };
}

describe('decideCapture', () => {
  it.each([
    ['the whole hold by default', hold(), {}, { status: 'captured', capturedAmount: 10_000, releasedAmount: 0 }],
    ['part, final: the rest is released', hold(), { amount: 4_000 }, { status: 'captured', capturedAmount: 4_000, releasedAmount: 6_000 }],
    ['part, not final: the rest stays held', hold(), { amount: 4_000, final: false }, { status: 'partially_captured', capturedAmount: 4_000, releasedAmount: 0 }],
    ['all that is left of a partial capture', hold({ status: 'partially_captured', capturedAmount: 4_000 }), { final: false }, { status: 'captured', capturedAmount: 10_000 }],
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
    ['a hold past expiresAt', hold({ expiresAt: new Date(NOW - 1).toISOString() }), {}, 'authorization_expired'],
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
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.array(step, { maxLength: 12 }), (amount, steps) => {
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
      }),
    );
  });
});
