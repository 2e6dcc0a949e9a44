/** Credit profile fixtures: a strong borrower, a risky one, built by small factories. */
export function strongProfile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    creditScore: 800,
    monthlyIncome: 3_000_000,
    incomeVerified: true,
    onTimeRepayments: 48,
    overdueCount: 0,
    maxOverdueDays: 0,
    recentInquiries: 0,
    tenureMonths: 48,
    ...overrides,
  };
}

export function riskyProfile(
  nowMs: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    creditScore: 560,
    monthlyIncome: 800_000,
    incomeVerified: false,
    onTimeRepayments: 2,
    overdueCount: 3,
    maxOverdueDays: 45,
    lastOverdueAt: new Date(nowMs - 10 * 86_400_000).toISOString(),
    recentInquiries: 9,
    tenureMonths: 3,
    ...overrides,
  };
}
