/** Budgets as data (shared/budgets/model.ts): the split, adjustments over slices, the status at an instant. */
import fc from 'fast-check';
import { budgetStatus, planAdjustment, splitAmount } from '../../shared/budgets/model.js';

describe('splitAmount', () => {
  it('splits into integer parts that sum exactly, differing by at most one', () => {
    expect(splitAmount(10, 3)).toEqual([4, 3, 3]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 256 }), (amount, parts) => {
        const split = splitAmount(amount, parts);
        expect(split).toHaveLength(parts);
        expect(split.reduce((a, b) => a + b, 0)).toBe(amount);
        expect(Math.max(...split) - Math.min(...split)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('planAdjustment', () => {
  it('spreads a rise, takes a fall from the largest remainders, and refuses one below what is drawn', () => {
    expect(planAdjustment([5, 0, 9], 4)).toEqual([2, 1, 1]);
    expect(planAdjustment([5, 0, 9], -12)).toEqual([-3, 0, -9]);
    expect(planAdjustment([5, 0, 9], -15)).toBeUndefined();
  });

  it('never takes a slice below zero, and moves exactly the difference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 64 }),
        fc.integer({ min: -1e10, max: 1e10 }),
        (remaining, delta) => {
          const moves = planAdjustment(remaining, delta);
          const total = remaining.reduce((a, b) => a + b, 0);
          if (moves === undefined) {
            expect(total + delta).toBeLessThan(0);
            return;
          }
          expect(moves.reduce((a, b) => a + b, 0)).toBe(delta);
          expect(moves.every((m, k) => (remaining[k] ?? 0) + m >= 0)).toBe(true);
        },
      ),
    );
  });
});

describe('budgetStatus', () => {
  const window = { startsAt: '2027-06-17T16:00:00.000Z', endsAt: '2027-06-18T16:00:00.000Z' };
  it('is scheduled before startsAt, active on [startsAt, endsAt), ended from endsAt or when ended before its start', () => {
    expect(budgetStatus(window, '2027-06-17T15:59:59.999Z')).toBe('scheduled');
    expect(budgetStatus(window, window.startsAt)).toBe('active');
    expect(budgetStatus(window, window.endsAt)).toBe('ended');
    expect(budgetStatus({ ...window, endsAt: window.startsAt }, '2027-01-01T00:00:00.000Z')).toBe('ended');
  });
});
