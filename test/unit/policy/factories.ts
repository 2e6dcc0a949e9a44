/**
 * Small factories for the limit-policy tests: a baseline borrower, account and promotions at a fixed clock,
 * each overridable field by field. The baseline is worked out by hand so tests can state exact figures:
 * score 720 (good, +15), verified income 10,000.00 (+10), 20 on-time repayments (+15), 12 months' tenure
 * = 40 points = tier B, target 2 x income = 20,000.00 (2,000,000 minor units); the account holds 5,000.00.
 */
import type { PolicyAccount, PolicyInput } from '../../../shared/policy/limit-policy.js';
import type { CreditProfile } from '../../../shared/profiles/model.js';
import { Promotion } from '../../../shared/promotions/model.js';

export const NOW = new Date('2026-06-10T00:00:00.000Z');
const DAY_MS = 86_400_000;
export const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY_MS).toISOString();
export const daysFromNow = (days: number): string => daysAgo(-days);

export function profile(overrides: Partial<CreditProfile> = {}): CreditProfile {
  return {
    creditScore: 720,
    monthlyIncome: 1_000_000,
    incomeVerified: true,
    onTimeRepayments: 20,
    overdueCount: 0,
    maxOverdueDays: 0,
    recentInquiries: 1,
    tenureMonths: 12,
    ...overrides,
  };
}

/** A borrower whose last payment was late 30 days ago (a serious signal). */
export const recentlyOverdue = (overrides: Partial<CreditProfile> = {}): CreditProfile =>
  profile({ overdueCount: 1, maxOverdueDays: 12, lastOverdueAt: daysAgo(30), ...overrides });

export function account(overrides: Partial<PolicyAccount> = {}): PolicyAccount {
  return {
    creditLimit: 500_000,
    promoLimit: 0,
    riskTier: 'B',
    reserved: 0,
    outstanding: 0,
    currency: 'CNY',
    limitUpdatedAt: daysAgo(30),
    status: 'active',
    ...overrides,
  };
}

export function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { profile: profile(), account: account(), promotions: [], now: NOW, ...overrides };
}

/** A 618-style percent uplift running from yesterday for ten days; validated, so a bad factory call fails. */
export function uplift(overrides: Record<string, unknown> = {}): Promotion {
  return Promotion.parse({
    id: 'p618',
    name: '618 festival',
    kind: 'uplift',
    upliftPercent: 20,
    startsAt: daysAgo(1),
    endsAt: daysFromNow(9),
    ...overrides,
  });
}

export function quota(overrides: Record<string, unknown> = {}): Promotion {
  return Promotion.parse({
    id: 'q-electronics',
    name: 'Electronics week',
    kind: 'category_quota',
    category: 'electronics',
    quotaAmount: 80_000,
    startsAt: daysAgo(1),
    endsAt: daysFromNow(6),
    ...overrides,
  });
}
