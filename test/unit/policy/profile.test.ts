/**
 * The credit-profile schema: bounded fields, unknown keys rejected, contradictory overdue records rejected.
 */
import { MAX_AMOUNT_MINOR } from '../../../shared/money.js';
import { CreditProfile } from '../../../shared/profiles/model.js';
import { daysAgo, profile } from './factories.js';

const firstIssuePath = (value: unknown) => {
  const result = CreditProfile.safeParse(value);
  if (result.success) throw new Error('expected the profile to be rejected');
  return result.error.issues[0]?.path;
};

describe('CreditProfile', () => {
  it('accepts a complete profile, optional fields included, unchanged', () => {
    const full = profile({
      overdueCount: 1,
      maxOverdueDays: 3,
      lastOverdueAt: daysAgo(100),
      monthlySpend: 250_000,
    });
    expect(CreditProfile.parse(full)).toEqual(full);
    expect(CreditProfile.parse(profile())).toEqual(profile());
  });

  it('accepts the bounds themselves', () => {
    expect(
      CreditProfile.safeParse(profile({ creditScore: 300, monthlyIncome: 0, tenureMonths: 0 })).success,
    ).toBe(true);
    expect(
      CreditProfile.safeParse(
        profile({ creditScore: 850, monthlyIncome: MAX_AMOUNT_MINOR, onTimeRepayments: 10_000 }),
      ).success,
    ).toBe(true);
  });

  it('rejects unknown fields', () => {
    expect(firstIssuePath({ ...profile(), favouriteColour: 'red' })).toEqual([]);
  });

  it.each([
    ['creditScore', 299],
    ['creditScore', 851],
    ['creditScore', 700.5],
    ['monthlyIncome', -1],
    ['monthlyIncome', 1.5],
    ['monthlyIncome', MAX_AMOUNT_MINOR + 1],
    ['incomeVerified', 'yes'],
    ['onTimeRepayments', 10_001],
    ['overdueCount', -1],
    ['maxOverdueDays', 3_651],
    ['lastOverdueAt', 'yesterday'],
    ['recentInquiries', -1],
    ['recentInquiries', 2.5],
    ['tenureMonths', 1_201],
    ['monthlySpend', -1],
  ])('rejects %s = %j', (field, value) => {
    expect(firstIssuePath({ ...profile({ overdueCount: 1 }), [field]: value })).toEqual([field]);
  });

  it('rejects a profile missing a required field', () => {
    const { creditScore: _omitted, ...rest } = profile();
    expect(firstIssuePath(rest)).toEqual(['creditScore']);
  });

  it('rejects overdue days or an overdue date without any overdue record', () => {
    expect(firstIssuePath(profile({ overdueCount: 0, lastOverdueAt: daysAgo(10) }))).toEqual([
      'overdueCount',
    ]);
    expect(firstIssuePath(profile({ overdueCount: 0, maxOverdueDays: 5 }))).toEqual(['overdueCount']);
  });
});
