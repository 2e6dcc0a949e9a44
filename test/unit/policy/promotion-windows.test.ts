/** Staging promotions on an account (shared/policy/promotion-windows.ts): windows and the promotions shown. */
import { figuresAt, newAccount, promotionStatus } from '../../../shared/accounts/model.js';
import { OPEN_END, planWindows, stagedPromotions } from '../../../shared/policy/promotion-windows.js';
import { daysAgo, daysFromNow, NOW, quota, uplift } from './factories.js';

const staging = (promotions: ReturnType<typeof uplift>[], creditLimit = 100_000) => ({
  promotions,
  tier: 'A',
  creditLimit,
  now: NOW,
});
const fixed = (id: string, amount: number, startsAt: string, endsAt: string) =>
  uplift({ id, upliftPercent: undefined, upliftAmount: amount, startsAt, endsAt });

describe('planWindows', () => {
  it('stages an uplift still to come as one window of its amount, ending where it ends', () => {
    expect(planWindows(staging([fixed('u1', 50_000, daysFromNow(1), daysFromNow(3))]))).toEqual([
      { slot: 0, startsAt: daysFromNow(1), endsAt: daysFromNow(3), promoDeltaMinor: 50_000 },
    ]);
  });

  it('stages the end of an uplift in force as an open-ended window taking it away', () => {
    expect(planWindows(staging([fixed('u1', 50_000, daysAgo(1), daysFromNow(3))]))).toEqual([
      { slot: 0, startsAt: daysFromNow(3), endsAt: OPEN_END, promoDeltaMinor: -50_000 },
    ]);
  });

  it('stacks overlapping uplifts, merges equal neighbours and keeps at most two windows', () => {
    const windows = planWindows(
      staging([
        fixed('u1', 10_000, daysFromNow(1), daysFromNow(4)),
        fixed('u2', 5_000, daysFromNow(2), daysFromNow(3)),
        fixed('u3', 7_000, daysFromNow(5), daysFromNow(6)),
      ]),
    );
    expect(windows).toEqual([
      { slot: 0, startsAt: daysFromNow(1), endsAt: daysFromNow(2), promoDeltaMinor: 10_000 },
      { slot: 1, startsAt: daysFromNow(2), endsAt: daysFromNow(3), promoDeltaMinor: 15_000 },
    ]);
    const back = planWindows(
      staging([
        fixed('u1', 10_000, daysFromNow(1), daysFromNow(2)),
        fixed('u2', 10_000, daysFromNow(2), daysFromNow(3)),
      ]),
    );
    expect(back).toEqual([
      { slot: 0, startsAt: daysFromNow(1), endsAt: daysFromNow(3), promoDeltaMinor: 10_000 },
    ]);
  });

  it('stages nothing for quotas, promotions another tier gets, or nothing to come', () => {
    expect(planWindows(staging([quota({ startsAt: daysFromNow(1) })]))).toEqual([]);
    expect(planWindows(staging([uplift({ startsAt: daysFromNow(1), eligibleTiers: ['E'] })]))).toEqual([]);
    expect(planWindows(staging([]))).toEqual([]);
  });
});

describe('the figures at an instant', () => {
  it('move promoLimit, totalLimit and available by the window in force, on [startsAt, endsAt) exactly', () => {
    const account = {
      ...newAccount({ id: 'a', currency: 'CNY', creditLimit: 100_000, riskTier: 'A', now: daysAgo(9) }),
      windows: [{ slot: 0, startsAt: daysFromNow(1), endsAt: daysFromNow(3), promoDeltaMinor: 50_000 }],
    };
    const at = (iso: string) => figuresAt(account, iso);
    expect(at(new Date(Date.parse(daysFromNow(1)) - 1).toISOString()).available).toBe(100_000);
    expect(at(daysFromNow(1))).toMatchObject({ promoLimit: 50_000, totalLimit: 150_000, available: 150_000 });
    expect(at(daysFromNow(3)).available).toBe(100_000);
    expect(promotionStatus({ startsAt: daysFromNow(1), endsAt: daysFromNow(3) }, daysFromNow(3))).toBe(
      'ended',
    );
  });
});

describe('stagedPromotions', () => {
  it('shows eligible uplifts with their amount for this account, grants, and an ended one it showed before', () => {
    const percent = uplift({
      id: 'pct',
      upliftPercent: 10,
      startsAt: daysFromNow(1),
      endsAt: daysFromNow(2),
    });
    const shown = stagedPromotions(
      staging([percent]),
      { books: { promotionId: 'q1', amount: 3_000, startsAt: daysFromNow(1), endsAt: daysFromNow(4) } },
      [{ id: 'old', kind: 'uplift', amount: 1, startsAt: daysAgo(3), endsAt: daysFromNow(9) }],
    );
    expect(shown).toEqual([
      { id: 'old', kind: 'uplift', amount: 1, startsAt: daysAgo(3), endsAt: NOW.toISOString() },
      { id: 'pct', kind: 'uplift', amount: 10_000, startsAt: daysFromNow(1), endsAt: daysFromNow(2) },
      {
        id: 'q1',
        kind: 'category_quota',
        amount: 3_000,
        category: 'books',
        startsAt: daysFromNow(1),
        endsAt: daysFromNow(4),
      },
    ]);
  });
});
