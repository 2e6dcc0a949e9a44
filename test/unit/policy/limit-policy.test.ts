/**
 * The limit policy as a table of cases (no I/O), with properties for its invariants.
 */
import fc from 'fast-check';
import {
  assessLimit,
  MAX_CREDIT_LIMIT_MINOR,
  maxIncrease,
  type PolicyInput,
  POLICY_VERSION,
  summarizeDryRun,
} from '../../../shared/policy/limit-policy.js';
import { CreditProfile } from '../../../shared/policy/profile.js';
import { Promotion } from '../../../shared/policy/promotions.js';
import { MAX_AMOUNT_MINOR } from '../../../shared/money.js';

const NOW = new Date('2026-06-10T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function profile(overrides: Partial<CreditProfile> = {}): CreditProfile {
  return {
    creditScore: 720, monthlyIncome: 1_000_000, incomeVerified: true, onTimeRepayments: 20, overdueCount: 0,
    maxOverdueDays: 0, recentInquiries: 1, tenureMonths: 12, ...overrides,
  };
}

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { profile: profile(), account: { creditLimit: 500_000, promoLimit: 0, riskTier: 'B' }, promotions: [], now: NOW, ...overrides };
}

function uplift(overrides: Record<string, unknown> = {}): Promotion {
  return Promotion.parse({
    id: 'p618', name: '618 festival', kind: 'uplift', upliftPercent: 20,
    startsAt: daysAgo(1), endsAt: daysAgo(-9), ...overrides,
  });
}

const codes = (i: PolicyInput) => assessLimit(i).reasons.map((r) => r.code);

const ALL_CODES = [
  'score_excellent', 'score_good', 'score_fair', 'score_poor', 'income_verified', 'income_unverified',
  'repayment_history_good', 'overdue_recent', 'overdue_history', 'credit_inquiries_high', 'tenure_long', 'tenure_new',
  'increase_capped', 'decrease_risk', 'promotion_applied', 'promotion_ended', 'no_profile', 'limit_unchanged',
  'requested_limit_granted', 'requested_limit_partially_granted', 'requested_limit_declined',
];

// [name, input, expected reason codes (subset), expected creditLimit or a predicate on it]
const TABLE: Array<[string, PolicyInput, string[], (limit: number) => boolean]> = [
  ['an excellent score with a long tenure rises, capped', input({ profile: profile({ creditScore: 800, tenureMonths: 36 }) }),
    ['score_excellent', 'tenure_long', 'repayment_history_good', 'income_verified', 'increase_capped'], (l) => l === 750_000],
  ['a good score rises toward its target', input(), ['score_good', 'increase_capped'], (l) => l === 750_000],
  ['a fair score with no verified income stays', input({ profile: profile({ creditScore: 640, incomeVerified: false, monthlyIncome: 400_000 }) }),
    ['score_fair', 'income_unverified', 'limit_unchanged'], (l) => l === 500_000],
  ['a poor score, new customer, without serious signals keeps the limit', input({ profile: profile({ creditScore: 560, tenureMonths: 2, onTimeRepayments: 0 }) }),
    ['score_poor', 'tenure_new', 'limit_unchanged'], (l) => l === 500_000],
  ['an overdue record under 90 days old decreases at once', input({ profile: profile({ overdueCount: 1, maxOverdueDays: 12, lastOverdueAt: daysAgo(30), monthlyIncome: 300_000 }) }),
    ['overdue_recent', 'decrease_risk'], (l) => l < 500_000],
  ['an old overdue history weighs, but is not a serious signal', input({ profile: profile({ overdueCount: 2, maxOverdueDays: 40, lastOverdueAt: daysAgo(400) }) }),
    ['overdue_history'], (l) => l >= 500_000],
  ['many new credit inquiries decrease at once', input({ profile: profile({ recentInquiries: 8, monthlyIncome: 100_000 }) }),
    ['credit_inquiries_high', 'decrease_risk'], (l) => l < 500_000],
  ['no profile keeps the limit', input({ profile: undefined }), ['no_profile'], (l) => l === 500_000],
  ['a festival uplift applies while it runs', input({ promotions: [uplift()] }), ['promotion_applied'], () => true],
  ['an ended uplift is withdrawn', input({ account: { creditLimit: 500_000, promoLimit: 100_000, riskTier: 'B' }, promotions: [uplift({ startsAt: daysAgo(20), endsAt: daysAgo(10) })] }),
    ['promotion_ended'], () => true],
  ['a request within policy is granted', input({ requestedLimit: 600_000 }), ['requested_limit_granted'], (l) => l === 600_000],
  ['a request above the cap is partly granted', input({ requestedLimit: 2_000_000 }), ['requested_limit_partially_granted'], (l) => l === 750_000],
  ['a request from a risky customer is declined without lowering the limit',
    input({ requestedLimit: 900_000, profile: profile({ lastOverdueAt: daysAgo(5), overdueCount: 1 }) }), ['requested_limit_declined'], (l) => l === 500_000],
];

describe('assessLimit', () => {
  it.each(TABLE)('%s', (_name, i, expected, limitOk) => {
    const result = assessLimit(i);
    expect(result.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(expected));
    expect(limitOk(result.creditLimit)).toBe(true);
    expect(result.policyVersion).toBe(POLICY_VERSION);
    for (const r of result.reasons) expect(r.message.length).toBeGreaterThan(0);
  });

  it('the table covers every reason code', () => {
    const seen = new Set(TABLE.flatMap(([, i]) => codes(i)));
    expect([...seen].sort()).toEqual(expect.arrayContaining([...ALL_CODES].sort()));
    expect(ALL_CODES.every((c) => seen.has(c))).toBe(true);
  });

  it('lowers below current usage when a serious signal says so (no clamp to usage)', () => {
    const result = assessLimit(input({ profile: profile({ lastOverdueAt: daysAgo(3), overdueCount: 1, monthlyIncome: 50_000 }) }));
    expect(result.creditLimit).toBeLessThan(100_000);
    expect(result.decision).toBe('decrease');
  });

  it('gives uplifts only to eligible tiers, capped by maxUpliftAmount', () => {
    const onlyA = uplift({ eligibleTiers: ['A'] });
    expect(codes(input({ promotions: [onlyA] }))).not.toContain('promotion_applied');
    const capped = assessLimit(input({ promotions: [uplift({ upliftPercent: 100, maxUpliftAmount: 30_000 })] }));
    expect(capped.promoLimit).toBe(30_000);
    const fixed = assessLimit(input({ promotions: [uplift({ upliftPercent: undefined, upliftAmount: 12_300 })] }));
    expect(fixed.promoLimit).toBe(12_300);
  });

  it('turns an active category quota into categoryQuotas', () => {
    const quota = Promotion.parse({
      id: 'q1', name: 'electronics', kind: 'category_quota', category: 'electronics', quotaAmount: 80_000,
      startsAt: daysAgo(1), endsAt: daysAgo(-1),
    });
    expect(assessLimit(input({ promotions: [quota] })).categoryQuotas).toEqual({ electronics: 80_000 });
  });

  it('summarizes a dry run', () => {
    expect(summarizeDryRun([
      { before: { totalLimit: 100 }, after: { totalLimit: 150 } },
      { before: { totalLimit: 100 }, after: { totalLimit: 40 } },
      { before: { totalLimit: 100 }, after: { totalLimit: 100 } },
    ])).toEqual({ rise: 1, fall: 1, unchanged: 1, totalIncrease: 50, totalDecrease: 60 });
  });
});

describe('the profile and promotion schemas', () => {
  it.each([
    [{ creditScore: 900 }, 'creditScore'],
    [{ monthlyIncome: 1.5 }, 'monthlyIncome'],
    [{ recentInquiries: -1 }, 'recentInquiries'],
    [{ lastOverdueAt: 'yesterday' }, 'lastOverdueAt'],
  ])('rejects %j', (bad, path) => {
    const result = CreditProfile.safeParse(profile(bad as Partial<CreditProfile>));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual([path]);
  });

  it('rejects unknown profile fields', () => {
    expect(CreditProfile.safeParse({ ...profile(), favouriteColour: 'red' }).success).toBe(false);
  });

  it('rejects a promotion that ends before it starts, or has both or neither uplift form', () => {
    expect(() => uplift({ endsAt: daysAgo(5) })).toThrow();
    expect(() => uplift({ upliftAmount: 100 })).toThrow();
    expect(() => uplift({ upliftPercent: undefined })).toThrow();
  });
});

describe('properties', () => {
  const arbProfile = fc.record({
    creditScore: fc.integer({ min: 300, max: 850 }),
    monthlyIncome: fc.integer({ min: 0, max: 100_000_000 }),
    incomeVerified: fc.boolean(),
    onTimeRepayments: fc.integer({ min: 0, max: 200 }),
    overdueCount: fc.integer({ min: 0, max: 20 }),
    maxOverdueDays: fc.integer({ min: 0, max: 365 }),
    lastOverdueAt: fc.option(fc.integer({ min: 0, max: 1_000 }).map(daysAgo), { nil: undefined }),
    recentInquiries: fc.integer({ min: 0, max: 30 }),
    tenureMonths: fc.integer({ min: 0, max: 240 }),
  }).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as CreditProfile);
  const arbAccount = fc.record({ creditLimit: fc.integer({ min: 0, max: MAX_CREDIT_LIMIT_MINOR }), promoLimit: fc.constant(0), riskTier: fc.constant('B') });

  it('results are integers in bounds; an increase never exceeds the cap; the same input gives the same output', () => {
    fc.assert(
      fc.property(arbProfile, arbAccount, (p, account) => {
        const i = input({ profile: p, account });
        const result = assessLimit(i);
        expect(Number.isSafeInteger(result.creditLimit) && result.creditLimit >= 0 && result.creditLimit <= MAX_AMOUNT_MINOR).toBe(true);
        expect(result.creditLimit - account.creditLimit).toBeLessThanOrEqual(maxIncrease(account.creditLimit));
        expect(assessLimit(i)).toEqual(result);
      }),
    );
  });

  it('a limit request never lowers the limit', () => {
    fc.assert(
      fc.property(arbProfile, arbAccount, fc.integer({ min: 0, max: MAX_CREDIT_LIMIT_MINOR }), (p, account, requested) => {
        expect(assessLimit(input({ profile: p, account, requestedLimit: requested })).creditLimit).toBeGreaterThanOrEqual(account.creditLimit);
      }),
    );
  });
});
