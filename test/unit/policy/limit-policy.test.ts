/**
 * The limit policy's contract as a table of cases with exact figures and reason codes (figures worked out by
 * hand from the factories' baseline), then the rules the table cannot show on its own.
 */
import {
  assessLimit,
  formatMinor,
  MAX_CREDIT_LIMIT_MINOR,
  MAX_INCREASE_STEP_MINOR,
  type PolicyInput,
  type PolicyResult,
  POLICY_VERSION,
  summarizeDryRun,
} from '../../../shared/policy/limit-policy.js';
import { MAX_AMOUNT_MINOR } from '../../../shared/money.js';
import {
  account,
  daysAgo,
  daysFromNow,
  input,
  NOW,
  profile,
  quota,
  recentlyOverdue,
  uplift,
} from './factories.js';

const ALL_CODES = [
  'score_excellent',
  'score_good',
  'score_fair',
  'score_poor',
  'income_verified',
  'income_unverified',
  'repayment_history_good',
  'overdue_recent',
  'overdue_history',
  'credit_inquiries_high',
  'tenure_long',
  'tenure_new',
  'increase_capped',
  'decrease_risk',
  'promotion_applied',
  'promotion_ended',
  'no_profile',
  'limit_unchanged',
  'requested_limit_granted',
  'requested_limit_partially_granted',
  'risk_reduction',
  'requested_limit_declined',
  'category_quota_applied',
  'category_quota_ended',
  'increase_deferred',
  'promotion_reduced',
];

const codesOf = (result: PolicyResult) => result.reasons.map((r) => r.code);
const reasonOf = (result: PolicyResult, code: string) => result.reasons.find((r) => r.code === code);

type Expected = Pick<PolicyResult, 'creditLimit' | 'promoLimit' | 'riskTier' | 'decision'> & {
  codes: string[];
};
const BASELINE_FACTORS = ['score_good', 'income_verified', 'repayment_history_good'];

const TABLE: Array<[string, PolicyInput, Expected]> = [
  [
    'raises a tier-B borrower toward the target by at most half the current limit, with increase_capped',
    input(),
    {
      creditLimit: 750_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'increase_capped'],
    },
  ],
  [
    'raises an excellent long-standing tier-A borrower by at most the fixed step',
    input({
      profile: profile({ creditScore: 800, tenureMonths: 36, monthlyIncome: 10_000_000 }),
      account: account({ creditLimit: 10_000_000 }),
    }),
    {
      creditLimit: 10_000_000 + MAX_INCREASE_STEP_MINOR,
      promoLimit: 0,
      riskTier: 'A',
      decision: 'increase',
      codes: [
        'score_excellent',
        'income_verified',
        'repayment_history_good',
        'tenure_long',
        'increase_capped',
      ],
    },
  ],
  [
    'reaches the target exactly when it is within the cap, without increase_capped',
    input({ account: account({ creditLimit: 1_800_000 }) }),
    { creditLimit: 2_000_000, promoLimit: 0, riskTier: 'B', decision: 'increase', codes: BASELINE_FACTORS },
  ],
  [
    'keeps the limit (limit_unchanged) when a fair score and unverified income lower the target without a serious signal',
    input({ profile: profile({ creditScore: 640, incomeVerified: false, monthlyIncome: 400_000 }) }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'unchanged',
      codes: ['score_fair', 'income_unverified', 'repayment_history_good', 'limit_unchanged'],
    },
  ],
  [
    'keeps the limit of a poor-score new customer whose tier-D target equals it',
    input({ profile: profile({ creditScore: 560, onTimeRepayments: 0, tenureMonths: 2 }) }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'unchanged',
      codes: ['score_poor', 'income_verified', 'tenure_new', 'limit_unchanged'],
    },
  ],
  [
    'decreases at once with overdue_recent and decrease_risk when an overdue record is under 90 days old',
    input({ profile: recentlyOverdue({ monthlyIncome: 300_000 }) }),
    {
      creditLimit: 150_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'decrease',
      codes: ['score_good', 'income_verified', 'overdue_recent', 'decrease_risk'],
    },
  ],
  [
    'weighs an overdue record over 90 days old as overdue_history, which alone does not lower the limit',
    input({
      profile: profile({
        overdueCount: 2,
        maxOverdueDays: 40,
        lastOverdueAt: daysAgo(400),
        monthlyIncome: 800_000,
      }),
    }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'unchanged',
      codes: ['score_good', 'income_verified', 'overdue_history', 'limit_unchanged'],
    },
  ],
  [
    'decreases at once with credit_inquiries_high when there are many new inquiries',
    input({ profile: profile({ recentInquiries: 8, monthlyIncome: 100_000 }) }),
    {
      creditLimit: 100_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: [...BASELINE_FACTORS, 'credit_inquiries_high', 'decrease_risk'],
    },
  ],
  [
    'treats tier E as a serious signal and lowers the limit to zero',
    input({
      profile: profile({
        creditScore: 560,
        incomeVerified: false,
        overdueCount: 1,
        maxOverdueDays: 45,
        lastOverdueAt: daysAgo(200),
        tenureMonths: 3,
      }),
    }),
    {
      creditLimit: 0,
      promoLimit: 0,
      riskTier: 'E',
      decision: 'decrease',
      codes: ['score_poor', 'income_unverified', 'overdue_history', 'tenure_new', 'decrease_risk'],
    },
  ],
  [
    'lowers the limit temporarily (risk_reduction) on a serious signal, however high the target',
    input({ profile: recentlyOverdue({ creditScore: 800, tenureMonths: 36 }) }),
    {
      creditLimit: 350_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: ['score_excellent', 'income_verified', 'overdue_recent', 'tenure_long', 'risk_reduction'],
    },
  ],
  [
    'lowers a 5,000.00 limit after a 45-day overdue 20 days ago, though the income target is higher',
    input({
      profile: profile({
        overdueCount: 1,
        maxOverdueDays: 45,
        lastOverdueAt: daysAgo(20),
        monthlyIncome: 5_000_000,
      }),
    }),
    {
      creditLimit: 350_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'decrease',
      codes: ['score_good', 'income_verified', 'overdue_recent', 'risk_reduction'],
    },
  ],
  [
    'lowers a 5,000.00 limit after 9 recent inquiries, though the income target is higher',
    input({ profile: profile({ recentInquiries: 9 }) }),
    {
      creditLimit: 350_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: [
        'score_good',
        'income_verified',
        'repayment_history_good',
        'credit_inquiries_high',
        'risk_reduction',
      ],
    },
  ],
  [
    'never lowers below current usage (whole units, rounded up)',
    input({
      profile: profile({ recentInquiries: 9 }),
      account: account({ reserved: 100_050, outstanding: 380_000 }),
    }),
    {
      creditLimit: 480_100,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: [
        ...['score_good', 'income_verified', 'repayment_history_good', 'credit_inquiries_high'],
        'risk_reduction',
      ],
    },
  ],
  [
    'keeps a limit already at usage while the signal persists',
    input({ profile: profile({ recentInquiries: 9 }), account: account({ outstanding: 500_000 }) }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'unchanged',
      codes: [
        'score_good',
        'income_verified',
        'repayment_history_good',
        'credit_inquiries_high',
        'limit_unchanged',
      ],
    },
  ],
  [
    'restores a reduced limit step by step once the signal has cleared (overdue older than 90 days)',
    input({
      profile: profile({
        overdueCount: 1,
        maxOverdueDays: 45,
        lastOverdueAt: daysAgo(91),
        monthlyIncome: 5_000_000,
      }),
      account: account({ creditLimit: 350_000 }),
    }),
    {
      creditLimit: 525_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'increase',
      codes: ['score_good', 'income_verified', 'overdue_history', 'increase_capped'],
    },
  ],
  [
    'keeps the current limit and tier with no_profile when there is no credit profile',
    input({ profile: undefined, account: account({ riskTier: 'unrated' }) }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'unrated',
      decision: 'unchanged',
      codes: ['no_profile'],
    },
  ],
  [
    'turns an active uplift into promoLimit, a percent of the new base limit, with promotion_applied',
    input({ promotions: [uplift()] }),
    {
      creditLimit: 750_000,
      promoLimit: 150_000,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'increase_capped', 'promotion_applied'],
    },
  ],
  [
    'defers a second increase within 20 hours with increase_deferred, the uplift a percent of the base kept',
    input({ lastIncreaseAt: new Date(NOW.getTime() - 19 * 3_600_000).toISOString(), promotions: [uplift()] }),
    {
      creditLimit: 500_000,
      promoLimit: 100_000,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'increase_deferred', 'promotion_applied'],
    },
  ],
  [
    'raises again once 20 hours have passed since the last increase',
    input({ lastIncreaseAt: new Date(NOW.getTime() - 20 * 3_600_000).toISOString() }),
    {
      creditLimit: 750_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'increase_capped'],
    },
  ],
  [
    'never defers a decrease on a serious signal, however recent the last increase',
    input({
      profile: profile({ recentInquiries: 8, monthlyIncome: 100_000 }),
      lastIncreaseAt: new Date(NOW.getTime() - 3_600_000).toISOString(),
    }),
    {
      creditLimit: 100_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: [...BASELINE_FACTORS, 'credit_inquiries_high', 'decrease_risk'],
    },
  ],
  [
    "does not defer a customer's request: it has its own once-a-day limit",
    input({ requestedLimit: 600_000, lastIncreaseAt: new Date(NOW.getTime() - 3_600_000).toISOString() }),
    {
      creditLimit: 600_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_granted'],
    },
  ],
  [
    'says promotion_reduced when one of two uplifts ends and the promotional credit falls without ending',
    input({
      account: account({ creditLimit: 2_000_000, promoLimit: 150_000 }),
      promotions: [uplift({ upliftPercent: undefined, upliftAmount: 50_000 })],
    }),
    {
      creditLimit: 2_000_000,
      promoLimit: 50_000,
      riskTier: 'B',
      decision: 'decrease',
      codes: [...BASELINE_FACTORS, 'limit_unchanged', 'promotion_applied', 'promotion_reduced'],
    },
  ],
  [
    'does not raise a frozen account, with limit_unchanged saying so',
    input({ account: account({ status: 'frozen' }) }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'limit_unchanged'],
    },
  ],
  [
    'still lowers a frozen account at once on a serious signal',
    input({
      account: account({ status: 'frozen' }),
      profile: profile({ recentInquiries: 8, monthlyIncome: 100_000 }),
    }),
    {
      creditLimit: 100_000,
      promoLimit: 0,
      riskTier: 'C',
      decision: 'decrease',
      codes: [...BASELINE_FACTORS, 'credit_inquiries_high', 'decrease_risk'],
    },
  ],
  [
    'declines any request on a frozen account',
    input({ account: account({ status: 'frozen' }), requestedLimit: 600_000 }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'requested_limit_declined'],
    },
  ],
  [
    'grants a request without an amount as far as the assessment supports now, saying the cap bit',
    input({ requestedLimit: 'max' }),
    {
      creditLimit: 750_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_granted', 'increase_capped'],
    },
  ],
  [
    'grants a zero-limit line its first step on a request without an amount',
    input({
      account: account({ creditLimit: 0 }),
      requestedLimit: 'max',
      profile: profile({ monthlyIncome: 300_000 }),
    }),
    {
      creditLimit: 600_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_granted'],
    },
  ],
  [
    'declines a request without an amount when nothing more is supported',
    input({ account: account({ creditLimit: 2_000_000 }), requestedLimit: 'max' }),
    {
      creditLimit: 2_000_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'requested_limit_declined'],
    },
  ],
  [
    'withdraws the uplift with promotion_ended once its promotion has ended',
    input({
      account: account({ creditLimit: 2_000_000, promoLimit: 100_000 }),
      promotions: [uplift({ startsAt: daysAgo(20), endsAt: daysAgo(10) })],
    }),
    {
      creditLimit: 2_000_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'decrease',
      codes: [...BASELINE_FACTORS, 'limit_unchanged', 'promotion_ended'],
    },
  ],
  [
    'grants a category quota in force with category_quota_applied, outside promoLimit',
    input({ account: account({ creditLimit: 2_000_000 }), promotions: [quota()] }),
    {
      creditLimit: 2_000_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'limit_unchanged', 'category_quota_applied'],
    },
  ],
  [
    'ends a grant whose promotion is over with category_quota_ended',
    input({
      account: account({
        creditLimit: 2_000_000,
        quotas: {
          electronics: {
            promotionId: 'q-electronics',
            unused: 30_000,
            drawn: 50_000,
            endsAt: daysAgo(1),
            ended: [],
          },
        },
      }),
      promotions: [quota({ startsAt: daysAgo(9), endsAt: daysAgo(1) })],
    }),
    {
      creditLimit: 2_000_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'limit_unchanged', 'category_quota_ended'],
    },
  ],
  [
    'grants a request within policy in full with requested_limit_granted',
    input({ requestedLimit: 600_000 }),
    {
      creditLimit: 600_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_granted'],
    },
  ],
  [
    'answers a request the current limit already covers with requested_limit_granted and no change',
    input({ requestedLimit: 400_000 }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'requested_limit_granted'],
    },
  ],
  [
    'grants a request beyond the cap in part, saying the cap bit',
    input({ requestedLimit: 2_000_000 }),
    {
      creditLimit: 750_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_partially_granted', 'increase_capped'],
    },
  ],
  [
    'grants a request beyond the target in part, up to the target, without increase_capped',
    input({ account: account({ creditLimit: 1_800_000 }), requestedLimit: 3_000_000 }),
    {
      creditLimit: 2_000_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'increase',
      codes: [...BASELINE_FACTORS, 'requested_limit_partially_granted'],
    },
  ],
  [
    'declines a request from a borrower with a serious signal without lowering the limit',
    input({ profile: recentlyOverdue({ monthlyIncome: 300_000 }), requestedLimit: 900_000 }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'D',
      decision: 'unchanged',
      codes: ['score_good', 'income_verified', 'overdue_recent', 'requested_limit_declined'],
    },
  ],
  [
    'declines a request when the target is below the current limit',
    input({ profile: profile({ monthlyIncome: 100_000 }), requestedLimit: 600_000 }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: [...BASELINE_FACTORS, 'requested_limit_declined'],
    },
  ],
  [
    'declines a request when there is no profile',
    input({ profile: undefined, requestedLimit: 600_000 }),
    {
      creditLimit: 500_000,
      promoLimit: 0,
      riskTier: 'B',
      decision: 'unchanged',
      codes: ['no_profile', 'requested_limit_declined'],
    },
  ],
];

describe('assessLimit: the table', () => {
  it.each(TABLE)('%s', (_contract, i, expected) => {
    const result = assessLimit(i);
    expect({ ...result, codes: codesOf(result) }).toMatchObject(expected);
    expect(codesOf(result)).toEqual(expected.codes);
    expect(result.policyVersion).toBe(POLICY_VERSION);
  });

  it('produces exactly the documented reason codes across the table, every one of them', () => {
    const seen = new Set(TABLE.flatMap(([, i]) => codesOf(assessLimit(i))));
    expect([...seen].sort()).toEqual([...ALL_CODES].sort());
  });

  it('gives every reason a short human sentence', () => {
    for (const [, i] of TABLE) {
      for (const reason of assessLimit(i).reasons) expect(reason.message).toMatch(/^[A-Z0-9].{5,160}\.$/);
    }
  });
});

describe('assessLimit: increases', () => {
  it('gives a zero limit (a line before its first assessment) at most the fixed step', () => {
    expect(assessLimit(input({ account: account({ creditLimit: 0 }) })).creditLimit).toBe(
      MAX_INCREASE_STEP_MINOR,
    );
    expect(
      assessLimit(
        input({ account: account({ creditLimit: 0 }), profile: profile({ monthlyIncome: 300_000 }) }),
      ).creditLimit,
    ).toBe(600_000);
  });

  it('never grants more than the hard maximum base limit', () => {
    const rich = profile({ creditScore: 820, tenureMonths: 60, monthlyIncome: 900_000_000 });
    const result = assessLimit(
      input({ profile: rich, account: account({ creditLimit: MAX_CREDIT_LIMIT_MINOR - 100 }) }),
    );
    expect(result.creditLimit).toBe(MAX_CREDIT_LIMIT_MINOR);
    expect(codesOf(result)).not.toContain('increase_capped');
  });

  it('rounds targets down to whole currency units', () => {
    const odd = profile({ monthlyIncome: 123_457 }); // tier B: 2 x 1,234.57 = 2,469.14, so 2,469.00
    expect(assessLimit(input({ profile: odd, account: account({ creditLimit: 200_000 }) })).creditLimit).toBe(
      246_900,
    );
  });

  it('counts unverified income for half', () => {
    const unverified = profile({ incomeVerified: false, creditScore: 800, tenureMonths: 36 }); // 30-5+15+10 = 50: tier B
    const result = assessLimit(input({ profile: unverified, account: account({ creditLimit: 800_000 }) }));
    expect(result).toMatchObject({ riskTier: 'B', creditLimit: 1_000_000 });
  });

  it('states the capped step in currency units', () => {
    expect(reasonOf(assessLimit(input()), 'increase_capped')?.message).toContain('CNY 2,500.00');
  });
});

describe('assessLimit: decreases', () => {
  it('lowers the limit below current usage without clamping to it, and says new purchases pause', () => {
    const inUse = account({ reserved: 300_000, outstanding: 100_000 });
    const result = assessLimit(
      input({ profile: recentlyOverdue({ monthlyIncome: 300_000 }), account: inUse }),
    );
    expect(result.creditLimit).toBe(150_000);
    expect(result.creditLimit).toBeLessThan(inUse.reserved + inUse.outstanding);
    expect(result.decision).toBe('decrease');
    expect(reasonOf(result, 'decrease_risk')?.message).toMatch(/pause/);
  });

  it('treats an overdue record exactly 90 days old as history, one a millisecond younger as recent', () => {
    const at = (iso: string) =>
      codesOf(
        assessLimit(input({ profile: profile({ overdueCount: 1, maxOverdueDays: 5, lastOverdueAt: iso }) })),
      );
    expect(at(daysAgo(90))).toContain('overdue_history');
    expect(at(new Date(NOW.getTime() - 90 * 86_400_000 + 1).toISOString())).toContain('overdue_recent');
  });

  it('counts six inquiries in 90 days as many, five as not', () => {
    expect(codesOf(assessLimit(input({ profile: profile({ recentInquiries: 6 }) })))).toContain(
      'credit_inquiries_high',
    );
    expect(codesOf(assessLimit(input({ profile: profile({ recentInquiries: 5 }) })))).not.toContain(
      'credit_inquiries_high',
    );
  });

  it('compares the new total limit with the old one: a raised base with a withdrawn uplift is a decrease', () => {
    const result = assessLimit(input({ account: account({ promoLimit: 300_000 }) }));
    expect(result).toMatchObject({ creditLimit: 750_000, promoLimit: 0, decision: 'decrease' });
  });
});

describe('assessLimit: promotions', () => {
  it('applies an uplift from its start instant and not a millisecond before', () => {
    const promotion = uplift({ startsAt: NOW.toISOString(), endsAt: daysFromNow(5) });
    const before = new Date(NOW.getTime() - 1);
    expect(assessLimit(input({ promotions: [promotion] })).promoLimit).toBe(150_000);
    expect(assessLimit(input({ promotions: [promotion], now: before })).promoLimit).toBe(0);
  });

  it('stops an uplift at its end instant', () => {
    const promotion = uplift({ startsAt: daysAgo(5), endsAt: NOW.toISOString() });
    const result = assessLimit(input({ promotions: [promotion], account: account({ promoLimit: 100_000 }) }));
    expect(result.promoLimit).toBe(0);
    expect(codesOf(result)).toContain('promotion_ended');
  });

  it('gives an uplift only to eligible tiers, judged on the newly assessed tier', () => {
    const onlyA = uplift({ eligibleTiers: ['A'] });
    const result = assessLimit(input({ promotions: [onlyA], account: account({ riskTier: 'A' }) }));
    expect(result.riskTier).toBe('B');
    expect(result.promoLimit).toBe(0);
    expect(assessLimit(input({ promotions: [uplift({ eligibleTiers: ['B', 'C'] })] })).promoLimit).toBe(
      150_000,
    );
  });

  it('withdraws the uplift with promotion_ended when the account drops out of the eligible tiers', () => {
    const forB = uplift({ eligibleTiers: ['B'] });
    const result = assessLimit(
      input({ promotions: [forB], account: account({ promoLimit: 100_000 }), profile: recentlyOverdue() }),
    );
    expect(result).toMatchObject({ riskTier: 'D', promoLimit: 0 });
    expect(codesOf(result)).toContain('promotion_ended');
  });

  it('gives an account without a profile only the promotions open to every tier', () => {
    const noProfile = input({ profile: undefined, account: account({ riskTier: 'unrated' }) });
    expect(
      assessLimit({ ...noProfile, promotions: [uplift({ eligibleTiers: ['A', 'B', 'C', 'D', 'E'] })] })
        .promoLimit,
    ).toBe(0);
    expect(assessLimit({ ...noProfile, promotions: [uplift()] }).promoLimit).toBe(100_000);
  });

  it('caps a percent uplift by maxUpliftAmount and takes a fixed uplift as given', () => {
    expect(
      assessLimit(input({ promotions: [uplift({ upliftPercent: 100, maxUpliftAmount: 30_000 })] }))
        .promoLimit,
    ).toBe(30_000);
    expect(
      assessLimit(input({ promotions: [uplift({ upliftPercent: undefined, upliftAmount: 12_300 })] }))
        .promoLimit,
    ).toBe(12_300);
  });

  it('sums several uplifts, one promotion_applied reason each, naming the promotion (in id order)', () => {
    const festival = uplift();
    const bonus = uplift({
      id: 'bonus',
      name: 'Members bonus',
      upliftPercent: undefined,
      upliftAmount: 50_000,
    });
    const result = assessLimit(input({ promotions: [festival, bonus] }));
    expect(result.promoLimit).toBe(200_000);
    expect(result.reasons.filter((r) => r.code === 'promotion_applied').map((r) => r.message)).toEqual([
      expect.stringContaining('Members bonus: +CNY 500.00'),
      expect.stringContaining('618 festival: +CNY 1,500.00'),
    ]);
  });

  it('keeps the total limit within the money bound however large the uplifts', () => {
    const huge = [1, 2, 3].map((n) =>
      uplift({ id: `huge-${n}`, upliftPercent: undefined, upliftAmount: MAX_AMOUNT_MINOR }),
    );
    const result = assessLimit(input({ promotions: huge }));
    expect(result.creditLimit + result.promoLimit).toBe(MAX_AMOUNT_MINOR);
  });

  it('turns an active category quota into categoryQuotas without touching promoLimit', () => {
    const result = assessLimit(input({ promotions: [quota()] }));
    expect(result.categoryQuotas).toEqual({
      electronics: {
        promotionId: 'q-electronics',
        amount: 80_000,
        startsAt: daysAgo(1),
        endsAt: daysFromNow(6),
      },
    });
    expect(result.promoLimit).toBe(0);
    expect(reasonOf(result, 'category_quota_applied')?.message).toBe(
      `Electronics week: CNY 800.00 for electronics purchases until ${daysFromNow(6)}.`,
    );
  });

  it('keeps the grant the account holds while its promotion is in force, with its own amount, a larger campaign notwithstanding', () => {
    const held = { promotionId: 'q-small', unused: 0, drawn: 20_000, endsAt: daysFromNow(6), ended: [] };
    const promotions = [
      quota({ id: 'q-small', quotaAmount: 20_000 }),
      quota({ id: 'q-large', quotaAmount: 90_000, endsAt: daysFromNow(3) }),
    ];
    const result = assessLimit(input({ account: account({ quotas: { electronics: held } }), promotions }));
    expect(result.categoryQuotas['electronics']).toEqual({
      promotionId: 'q-small',
      amount: 20_000,
      startsAt: daysAgo(1),
      endsAt: daysFromNow(6),
    });
    expect(codesOf(result)).not.toContain('category_quota_ended');
  });

  it('never grants again a promotion whose grant on this account has ended', () => {
    const held = { unused: 0, drawn: 0, endsAt: daysAgo(1), ended: ['q-electronics'] };
    const result = assessLimit(
      input({ account: account({ quotas: { electronics: held } }), promotions: [quota()] }),
    );
    expect(result.categoryQuotas).toEqual({});
    expect(codesOf(result)).not.toContain('category_quota_applied');
  });

  it('replaces a grant whose promotion ended by the largest one still running, saying both', () => {
    const held = { promotionId: 'q-old', unused: 10_000, drawn: 5_000, endsAt: daysAgo(1), ended: [] };
    const result = assessLimit(
      input({
        account: account({ quotas: { electronics: held } }),
        promotions: [quota({ id: 'q-new', quotaAmount: 50_000 })],
      }),
    );
    expect(result.categoryQuotas['electronics']).toMatchObject({ promotionId: 'q-new', amount: 50_000 });
    expect(codesOf(result)).toEqual(
      expect.arrayContaining(['category_quota_applied', 'category_quota_ended']),
    );
  });

  it('ignores category quotas that are not in force or not open to the tier, and takes the largest of overlapping ones', () => {
    const promotions = [
      quota({ id: 'q-ended', category: 'travel', startsAt: daysAgo(9), endsAt: daysAgo(2) }),
      quota({ id: 'q-tier-a', category: 'luxury', eligibleTiers: ['A'] }),
      quota({ id: 'q-small', quotaAmount: 20_000 }),
      quota({ id: 'q-large', quotaAmount: 90_000 }),
    ];
    expect(assessLimit(input({ promotions })).categoryQuotas).toEqual({
      electronics: { promotionId: 'q-large', amount: 90_000, startsAt: daysAgo(1), endsAt: daysFromNow(6) },
    });
  });

  it('stages a quota still to come from its start, and prefers a quota in force to one still to come', () => {
    const later = quota({ id: 'q-later', quotaAmount: 99_000, startsAt: daysFromNow(2) });
    const staged = assessLimit(input({ promotions: [later] }));
    expect(staged.categoryQuotas).toEqual({
      electronics: {
        promotionId: 'q-later',
        amount: 99_000,
        startsAt: daysFromNow(2),
        endsAt: daysFromNow(6),
      },
    });
    expect(reasonOf(staged, 'category_quota_scheduled')?.message).toBe(
      `Electronics week: CNY 990.00 for electronics purchases from ${daysFromNow(2)} until ${daysFromNow(6)}.`,
    );
    const both = assessLimit(input({ promotions: [later, quota({ quotaAmount: 10_000 })] }));
    expect(both.categoryQuotas['electronics']).toMatchObject({
      promotionId: 'q-electronics',
      amount: 10_000,
    });
  });
});

describe('assessLimit: determinism and invariants', () => {
  it('gives the same output for the same input', () => {
    const i = input({ promotions: [uplift(), quota()], requestedLimit: 700_000 });
    expect(assessLimit(i)).toEqual(assessLimit(structuredClone(i)));
  });

  it('does not depend on the order promotions are listed in', () => {
    const promotions = [uplift(), uplift({ id: 'bonus', upliftPercent: 5 }), quota()];
    expect(assessLimit(input({ promotions }))).toEqual(
      assessLimit(input({ promotions: [...promotions].reverse() })),
    );
  });

  it('does not mutate its input', () => {
    const i = input({ promotions: [uplift({ id: 'z' }), uplift({ id: 'a' })] });
    const copy = structuredClone(i);
    assessLimit(i);
    expect(i).toEqual(copy);
  });

  it.each([
    ['a fractional request', input({ requestedLimit: 600_000.5 })],
    ['a negative request', input({ requestedLimit: -1 })],
    ['a fractional current limit', input({ account: account({ creditLimit: 10.5 }) })],
    ['a promoLimit above the money bound', input({ account: account({ promoLimit: MAX_AMOUNT_MINOR + 1 }) })],
    ['an invalid clock', input({ now: new Date('not a date') })],
  ])('throws on %s rather than deciding on it', (_name, i) => {
    expect(() => assessLimit(i)).toThrow(/invariant/);
  });
});

describe('formatMinor', () => {
  it.each([
    [0, 'CNY 0.00'],
    [5, 'CNY 0.05'],
    [123_456_789, 'CNY 1,234,567.89'],
  ])('formats %d minor units as %s', (minor, text) => {
    expect(formatMinor(minor, 'CNY')).toBe(text);
  });
});

describe('summarizeDryRun', () => {
  it('counts rises, falls and unchanged accounts, and sums the moves in minor units', () => {
    expect(
      summarizeDryRun([
        { before: { totalLimit: 100 }, after: { totalLimit: 150 } },
        { before: { totalLimit: 100 }, after: { totalLimit: 40 } },
        { before: { totalLimit: 300 }, after: { totalLimit: 200 } },
        { before: { totalLimit: 100 }, after: { totalLimit: 100 } },
      ]),
    ).toEqual({ rise: 1, fall: 2, unchanged: 1, totalIncrease: 50, totalDecrease: 160 });
  });

  it('summarizes an empty run as zeros', () => {
    expect(summarizeDryRun([])).toEqual({
      rise: 0,
      fall: 0,
      unchanged: 0,
      totalIncrease: 0,
      totalDecrease: 0,
    });
  });
});
