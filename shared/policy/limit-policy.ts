/**
 * The limit policy: a transparent scorecard from a credit profile (plus promotions) to a limit, a risk tier
 * and the reasons for both. Pure and versioned: the same input always gives the same output, and every
 * journaled limit change names the POLICY_VERSION that decided it.
 *
 * Each factor adds or removes points and, when it moved the result, becomes a reason `{code, message}` (as
 * consumer-credit rules expect of adverse-action notices). Points give the tier; tier and income give a target
 * base limit. Increases move toward the target at most a capped step per refresh; decreases apply at once, but
 * only on a serious risk signal (recent overdue, many new inquiries, tier E): without one, a lower target is not
 * a reason to take credit away from a customer who is repaying (the target follows income, which fluctuates).
 */
import type { Account } from '../accounts/model.js';
import type { Reason } from '../journal/model.js';
import { MAX_AMOUNT_MINOR } from '../money.js';
import type { CreditProfile } from './profile.js';
import { activePromotions, type Promotion } from './promotions.js';

export const POLICY_VERSION = 'limit-policy/2026-11-25.1';

/** Largest base limit the policy grants (500,000.00). */
export const MAX_CREDIT_LIMIT_MINOR = 50_000_000;
/** An increase per refresh is at most half the current limit and at most this step (20,000.00). */
export const MAX_INCREASE_PERCENT = 50;
export const MAX_INCREASE_STEP_MINOR = 2_000_000;
/** Limits are whole currency units (100 minor units). */
const LIMIT_GRANULARITY_MINOR = 100;
/** An overdue record this recent is a serious signal. */
const RECENT_OVERDUE_DAYS = 90;
/** This many hard inquiries in 90 days is a serious signal (credit seeking). */
const HIGH_INQUIRIES = 6;
/** Unverified income counts for half. */
const UNVERIFIED_INCOME_PERCENT = 50;

export type Tier = 'A' | 'B' | 'C' | 'D' | 'E';
/** Points at or above each threshold give the tier. */
const TIER_THRESHOLDS: ReadonlyArray<[Tier, number]> = [['A', 60], ['B', 35], ['C', 10], ['D', -20]];
/** Target base limit as a multiple of (counted) monthly income, in percent. */
const INCOME_MULTIPLE_PERCENT: Record<Tier, number> = { A: 300, B: 200, C: 100, D: 50, E: 0 };

export interface PolicyInput {
  profile: CreditProfile | undefined;
  account: Pick<Account, 'creditLimit' | 'promoLimit' | 'riskTier'>;
  promotions: Promotion[];
  now: Date;
  /** A customer's limit-increase request (the policy never lowers a limit because of one). */
  requestedLimit?: number;
}

export interface PolicyResult {
  creditLimit: number;
  promoLimit: number;
  riskTier: string;
  reasons: Reason[];
  decision: 'increase' | 'decrease' | 'unchanged';
  categoryQuotas: Record<string, number>;
  policyVersion: string;
}

interface Factor {
  points: number;
  reason: Reason;
  serious?: boolean;
}

const DAY_MS = 86_400_000;

/** The scorecard: every factor that applies, with its points and its reason. */
export function scoreFactors(p: CreditProfile, now: Date): Factor[] {
  const factors: Factor[] = [];
  const add = (points: number, code: string, message: string, serious = false) =>
    factors.push({ points, reason: { code, message }, serious });
  if (p.creditScore >= 750) add(30, 'score_excellent', `Credit score ${p.creditScore} is excellent.`);
  else if (p.creditScore >= 680) add(15, 'score_good', `Credit score ${p.creditScore} is good.`);
  else if (p.creditScore >= 600) add(0, 'score_fair', `Credit score ${p.creditScore} is fair.`);
  else add(-25, 'score_poor', `Credit score ${p.creditScore} is below 600.`);

  if (p.incomeVerified) add(10, 'income_verified', 'Income is verified.');
  else add(-5, 'income_unverified', 'Income is not verified; it counts for half.');

  const recentOverdue = p.lastOverdueAt !== undefined && now.getTime() - Date.parse(p.lastOverdueAt) < RECENT_OVERDUE_DAYS * DAY_MS;
  if (recentOverdue) add(-40, 'overdue_recent', `A payment was overdue within the last ${RECENT_OVERDUE_DAYS} days.`, true);
  else if (p.overdueCount > 0) add(p.maxOverdueDays > 30 ? -25 : -15, 'overdue_history', `${p.overdueCount} overdue record(s) in the history.`);
  else if (p.onTimeRepayments >= 12) add(15, 'repayment_history_good', `${p.onTimeRepayments} repayments on time and none overdue.`);

  if (p.recentInquiries >= HIGH_INQUIRIES) {
    add(-20, 'credit_inquiries_high', `${p.recentInquiries} credit inquiries in the last 90 days.`, true);
  }
  if (p.tenureMonths >= 24) add(10, 'tenure_long', `Customer for ${p.tenureMonths} months.`);
  else if (p.tenureMonths < 6) add(-5, 'tenure_new', `Customer for ${p.tenureMonths} months only.`);
  return factors;
}

export function tierFor(points: number): Tier {
  return TIER_THRESHOLDS.find(([, min]) => points >= min)?.[0] ?? 'E';
}

const floorToUnit = (minor: number) => Math.floor(minor / LIMIT_GRANULARITY_MINOR) * LIMIT_GRANULARITY_MINOR;

export function targetLimit(p: CreditProfile, tier: Tier): number {
  const countedIncome = p.incomeVerified ? p.monthlyIncome : (p.monthlyIncome * UNVERIFIED_INCOME_PERCENT) / 100;
  return Math.min(MAX_CREDIT_LIMIT_MINOR, floorToUnit((countedIncome * INCOME_MULTIPLE_PERCENT[tier]) / 100));
}

export function maxIncrease(current: number): number {
  if (current === 0) return MAX_INCREASE_STEP_MINOR;
  return Math.min(floorToUnit((current * MAX_INCREASE_PERCENT) / 100), MAX_INCREASE_STEP_MINOR);
}

/** The new base limit and the reasons for the move (or the absence of one). */
function baseLimit(current: number, target: number, serious: boolean, requested: number | undefined): { limit: number; reasons: Reason[] } {
  const cappedUp = Math.min(target, current + maxIncrease(current));
  const capNote: Reason = { code: 'increase_capped', message: 'The increase is capped for this assessment.' };
  if (requested !== undefined) {
    if (requested <= current) return { limit: current, reasons: [{ code: 'requested_limit_granted', message: 'The limit already covers the request.' }] };
    const granted = serious ? current : Math.max(current, Math.min(requested, cappedUp));
    if (granted >= requested) return { limit: requested, reasons: [{ code: 'requested_limit_granted', message: `Limit raised to ${requested}.` }] };
    if (granted > current) {
      return { limit: granted, reasons: [{ code: 'requested_limit_partially_granted', message: `Limit raised to ${granted} of ${requested} asked.` }, ...(cappedUp < target ? [capNote] : [])] };
    }
    return { limit: current, reasons: [{ code: 'requested_limit_declined', message: 'The assessment does not support a higher limit now.' }] };
  }
  if (target > current) return { limit: cappedUp, reasons: cappedUp < target ? [capNote] : [] };
  if (target < current && serious) return { limit: target, reasons: [{ code: 'decrease_risk', message: 'The limit is lowered because of a serious risk signal.' }] };
  return { limit: current, reasons: [{ code: 'limit_unchanged', message: 'The base limit stays as it is.' }] };
}

/** Uplifts the tier is eligible for (each capped), and category quotas, from the promotions in force. */
function applyPromotions(promotions: Promotion[], now: Date, tier: string, creditLimit: number, hadPromo: boolean) {
  const reasons: Reason[] = [];
  const categoryQuotas: Record<string, number> = {};
  let promoLimit = 0;
  for (const p of activePromotions(promotions, now)) {
    if (p.eligibleTiers && !p.eligibleTiers.includes(tier as Tier)) continue;
    if (p.kind === 'category_quota') {
      categoryQuotas[p.category] = (categoryQuotas[p.category] ?? 0) + p.quotaAmount;
      continue;
    }
    const raw = p.upliftAmount ?? floorToUnit((creditLimit * (p.upliftPercent ?? 0)) / 100);
    const uplift = Math.min(raw, p.maxUpliftAmount ?? raw);
    if (uplift <= 0) continue;
    promoLimit += uplift;
    reasons.push({ code: 'promotion_applied', message: `${p.name}: +${uplift} until ${p.endsAt}.` });
  }
  if (promoLimit === 0 && hadPromo) reasons.push({ code: 'promotion_ended', message: 'The promotional uplift has ended and is withdrawn.' });
  return { promoLimit: Math.min(promoLimit, MAX_AMOUNT_MINOR), categoryQuotas, reasons };
}

export function assessLimit(input: PolicyInput): PolicyResult {
  const { account, profile, now } = input;
  let creditLimit: number;
  let riskTier: string;
  let reasons: Reason[];
  if (!profile) {
    creditLimit = account.creditLimit;
    riskTier = account.riskTier;
    reasons = [{ code: 'no_profile', message: 'No credit profile: the base limit is kept.' }];
    if (input.requestedLimit !== undefined && input.requestedLimit > account.creditLimit) {
      reasons.push({ code: 'requested_limit_declined', message: 'A limit increase needs a credit profile.' });
    }
  } else {
    const factors = scoreFactors(profile, now);
    const points = factors.reduce((sum, f) => sum + f.points, 0);
    const tier = tierFor(points);
    const serious = tier === 'E' || factors.some((f) => f.serious);
    const base = baseLimit(account.creditLimit, targetLimit(profile, tier), serious, input.requestedLimit);
    creditLimit = base.limit;
    riskTier = tier;
    reasons = [...factors.map((f) => f.reason), ...base.reasons];
  }
  const promo = applyPromotions(input.promotions, now, riskTier, creditLimit, account.promoLimit > 0);
  const before = account.creditLimit + account.promoLimit;
  const after = creditLimit + promo.promoLimit;
  for (const value of [creditLimit, promo.promoLimit]) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_AMOUNT_MINOR) throw new Error(`invariant: limit ${value} out of bounds`);
  }
  return {
    creditLimit,
    promoLimit: promo.promoLimit,
    riskTier,
    reasons: [...reasons, ...promo.reasons],
    decision: after > before ? 'increase' : after < before ? 'decrease' : 'unchanged',
    categoryQuotas: promo.categoryQuotas,
    policyVersion: POLICY_VERSION,
  };
}

export interface DryRunTotals {
  rise: number;
  fall: number;
  unchanged: number;
  totalIncrease: number;
  totalDecrease: number;
}

export const emptyTotals = (): DryRunTotals => ({ rise: 0, fall: 0, unchanged: 0, totalIncrease: 0, totalDecrease: 0 });

/** Counts one account's move (new total limit minus old) into the totals. */
export function tally(totals: DryRunTotals, deltaMinor: number): void {
  if (deltaMinor > 0) (totals.rise += 1), (totals.totalIncrease += deltaMinor);
  else if (deltaMinor < 0) (totals.fall += 1), (totals.totalDecrease -= deltaMinor);
  else totals.unchanged += 1;
}

export function summarizeDryRun(results: ReadonlyArray<{ before: { totalLimit: number }; after: { totalLimit: number } }>): DryRunTotals {
  const totals = emptyTotals();
  for (const { before, after } of results) tally(totals, after.totalLimit - before.totalLimit);
  return totals;
}
