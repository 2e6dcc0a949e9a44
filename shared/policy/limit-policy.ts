/**
 * The limit policy: a transparent scorecard from a credit profile (plus promotions) to a limit, a risk tier
 * and the reasons for both. Pure and versioned: no I/O and no clock (`now` is an input), the same input always
 * gives the same output, and every journaled limit change names the POLICY_VERSION that decided it.
 *
 * Each factor adds or removes points and becomes a reason `{code, message}` (consumer-credit rules expect
 * adverse-action reasons). Points give the tier; tier and income give a target base limit. Increases move
 * toward the target by at most a capped step per refresh; decreases apply at once, but only on a serious risk
 * signal (recent overdue, many new inquiries, tier E).
 */
import type { Account, CategoryQuota } from '../accounts/model.js';
import { assert } from '../assert.js';
import type { Reason } from '../journal/model.js';
import { MAX_AMOUNT_MINOR } from '../money.js';
import type { CreditProfile } from '../profiles/model.js';
import {
  activePromotions,
  isActive,
  isEligible,
  type Promotion,
  type RiskTier,
} from '../promotions/model.js';

export const POLICY_VERSION = 'limit-policy/2026-11-30.1';

/** Largest base limit the policy grants (500,000.00). */
export const MAX_CREDIT_LIMIT_MINOR = 50_000_000;
/** An increase per refresh is at most this share of the current limit and at most this step (20,000.00). */
export const MAX_INCREASE_PERCENT = 50;
export const MAX_INCREASE_STEP_MINOR = 2_000_000;
/** Targets are whole currency units (100 minor units), so customers see round limits. */
export const LIMIT_UNIT_MINOR = 100;
/** An overdue record this recent is a serious signal. */
export const RECENT_OVERDUE_DAYS = 90;
/** This many hard inquiries in 90 days is a serious signal (the customer is seeking credit everywhere). */
export const HIGH_INQUIRIES = 6;
/**
 * A temporary risk reduction (临时降额): while a serious signal persists, each refresh lowers the limit by this
 * share of itself, however high the income-based target, but never below what the customer already uses (whole
 * units, rounded up): a new overdue or a burst of inquiries stops new credit growing within a few refreshes. Once
 * the signal has stayed clean for its period (RECENT_OVERDUE_DAYS, or inquiries below HIGH_INQUIRIES), ordinary
 * increases restore the limit step by step (at most the per-refresh cap, once per INCREASE_COOLDOWN_MS).
 */
export const RISK_REDUCTION_PERCENT = 30;
/** Unverified income counts for this share only: it is the customer's word. */
export const UNVERIFIED_INCOME_PERCENT = 50;

/** Kept for callers that name the tier type after the policy. */
export type Tier = RiskTier;
/** Points at or above each threshold give the tier; below the last one is E. */
const TIER_THRESHOLDS: ReadonlyArray<readonly [RiskTier, number]> = [
  ['A', 60],
  ['B', 35],
  ['C', 10],
  ['D', -20],
];
/** Target base limit as a multiple of counted monthly income, in percent. Tier E gets no credit. */
const INCOME_MULTIPLE_PERCENT: Readonly<Record<RiskTier, number>> = { A: 300, B: 200, C: 100, D: 50, E: 0 };

const DAY_MS = 86_400_000;

/**
 * `promoLimit` here is the festival-uplift part only (the caller takes drawn quota out of it). `quotas`: the
 * account's grants, so a grant in force is kept (its draws carry on) and an ended one is never granted again.
 */
export type PolicyAccount = Pick<
  Account,
  | 'creditLimit'
  | 'promoLimit'
  | 'riskTier'
  | 'limitUpdatedAt'
  | 'reserved'
  | 'outstanding'
  | 'currency'
  | 'status'
> & { quotas?: Readonly<Record<string, CategoryQuota>> };

/** A category quota the account should hold: granted by `promotionId`, `amount` in all, drawable until `endsAt`. */
export interface QuotaGrant {
  promotionId: string;
  amount: number;
  endsAt: string;
  /** Draws begin here (a grant staged ahead of its promotion's start). */
  startsAt?: string;
}

export interface PolicyInput {
  profile: CreditProfile | undefined;
  account: PolicyAccount;
  promotions: Promotion[];
  now: Date;
  /**
   * A customer's limit-increase request in minor units, or `'max'` for a request without an amount (as much as
   * the assessment supports now). The policy never lowers a limit because of one.
   */
  requestedLimit?: number | 'max';
  /**
   * When the base limit last rose. A refresh raises it at most once per INCREASE_COOLDOWN_MS, so a second run the
   * same day (a promotion starting makes one) cannot compound the per-refresh cap (`increase_deferred`).
   */
  lastIncreaseAt?: string;
}

/** A refresh raises a base limit at most once in this long; decreases and promotion changes are never deferred. */
export const INCREASE_COOLDOWN_MS = 20 * 3_600_000;

export interface PolicyResult {
  creditLimit: number;
  promoLimit: number;
  riskTier: string;
  reasons: Reason[];
  decision: 'increase' | 'decrease' | 'unchanged';
  categoryQuotas: Record<string, QuotaGrant>;
  policyVersion: string;
}

export interface Factor {
  points: number;
  reason: Reason;
  /** A serious signal allows an immediate decrease and rules out any increase. */
  serious: boolean;
}

/** "CNY 1,234.00": messages are read by customers, who think in currency units, not fen. */
export function formatMinor(minor: number, currency: string): string {
  const units = Math.floor(minor / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${units}.${String(minor % 100).padStart(2, '0')}`;
}

const floorToUnit = (minor: number) => Math.floor(minor / LIMIT_UNIT_MINOR) * LIMIT_UNIT_MINOR;

function scoreFactor(p: CreditProfile): Factor {
  const s = p.creditScore;
  if (s >= 750) return factor(30, 'score_excellent', `Credit score ${s} is excellent.`);
  if (s >= 680) return factor(15, 'score_good', `Credit score ${s} is good.`);
  if (s >= 600) return factor(0, 'score_fair', `Credit score ${s} is fair.`);
  return factor(-25, 'score_poor', `Credit score ${s} is below 600.`);
}

/** Repayment record: a recent overdue outweighs everything, an old one still counts, a clean one earns points. */
function repaymentFactor(p: CreditProfile, now: Date): Factor | undefined {
  // A lastOverdueAt in the future is a data error; treating it as recent is the cautious reading.
  const recent =
    p.lastOverdueAt !== undefined &&
    now.getTime() - Date.parse(p.lastOverdueAt) < RECENT_OVERDUE_DAYS * DAY_MS;
  if (recent)
    return factor(
      -40,
      'overdue_recent',
      `A payment was overdue within the last ${RECENT_OVERDUE_DAYS} days.`,
      true,
    );
  if (p.overdueCount > 0) {
    return factor(
      p.maxOverdueDays > 30 ? -25 : -15,
      'overdue_history',
      `${p.overdueCount} overdue payment(s) on record, up to ${p.maxOverdueDays} days late.`,
    );
  }
  if (p.onTimeRepayments >= 12)
    return factor(15, 'repayment_history_good', `${p.onTimeRepayments} repayments on time and none overdue.`);
  return undefined;
}

function tenureFactor(p: CreditProfile): Factor | undefined {
  if (p.tenureMonths >= 24) return factor(10, 'tenure_long', `Customer for ${p.tenureMonths} months.`);
  if (p.tenureMonths < 6) return factor(-5, 'tenure_new', `Customer for only ${p.tenureMonths} months.`);
  return undefined;
}

function factor(points: number, code: string, message: string, serious = false): Factor {
  return { points, reason: { code, message }, serious };
}

/** The scorecard: every factor that applies, in a fixed order, with its points and its reason. */
export function scoreFactors(p: CreditProfile, now: Date): Factor[] {
  const income = p.incomeVerified
    ? factor(10, 'income_verified', 'Income is verified.')
    : factor(-5, 'income_unverified', `Income is not verified; it counts for ${UNVERIFIED_INCOME_PERCENT}%.`);
  const inquiries =
    p.recentInquiries >= HIGH_INQUIRIES
      ? factor(
          -20,
          'credit_inquiries_high',
          `${p.recentInquiries} credit inquiries in the last 90 days.`,
          true,
        )
      : undefined;
  return [scoreFactor(p), income, repaymentFactor(p, now), inquiries, tenureFactor(p)].filter(
    (f): f is Factor => f !== undefined,
  );
}

export function tierFor(points: number): RiskTier {
  return TIER_THRESHOLDS.find(([, min]) => points >= min)?.[0] ?? 'E';
}

/** The base limit the profile supports: a tier multiple of counted income, in whole units, at most the maximum. */
export function targetLimit(p: CreditProfile, tier: RiskTier): number {
  // Income beyond what any tier needs to reach the maximum changes nothing; clamping first keeps the
  // products below 2^53, so the arithmetic stays exact.
  const incomeMinor = Math.min(p.monthlyIncome, 4 * MAX_CREDIT_LIMIT_MINOR);
  const countedPercent = p.incomeVerified ? 100 : UNVERIFIED_INCOME_PERCENT;
  const targetMinor = Math.floor((incomeMinor * countedPercent * INCOME_MULTIPLE_PERCENT[tier]) / 10_000);
  return Math.min(MAX_CREDIT_LIMIT_MINOR, floorToUnit(targetMinor));
}

/** The largest increase one refresh may make. */
export function maxIncrease(currentMinor: number): number {
  // A zero limit (a line opened before its first assessment) would never grow by a percentage: it gets the step.
  if (currentMinor === 0) return MAX_INCREASE_STEP_MINOR;
  // Not rounded to whole units, so that even a tiny limit can grow.
  return Math.min(Math.floor((currentMinor * MAX_INCREASE_PERCENT) / 100), MAX_INCREASE_STEP_MINOR);
}

interface BaseContext {
  currentMinor: number;
  targetMinor: number;
  serious: boolean;
  /** The base limit rose less than INCREASE_COOLDOWN_MS ago: a refresh does not raise it again yet. */
  increaseDeferred: boolean;
  /** The account is frozen or closed: its limit may fall but never rise. */
  inactive: boolean;
  account: PolicyAccount;
}

interface BaseStep {
  limit: number;
  reasons: Reason[];
}

const cappedReason = (ctx: BaseContext, limit: number): Reason => ({
  code: 'increase_capped',
  message: `The increase is capped at ${formatMinor(limit - ctx.currentMinor, ctx.account.currency)} for this assessment.`,
});

/** Toward the target by at most the per-refresh cap. */
const raiseToward = (ctx: BaseContext) =>
  Math.min(ctx.targetMinor, ctx.currentMinor + maxIncrease(ctx.currentMinor));

function decreaseReason(ctx: BaseContext): Reason {
  const { currency, reserved, outstanding } = ctx.account;
  // Deliberately no clamp to usage: the line then simply blocks new holds until repayments bring usage down.
  const belowUsage =
    ctx.targetMinor < reserved + outstanding ? ' New purchases pause until usage is below it.' : '';
  return {
    code: 'decrease_risk',
    message: `The limit is lowered to ${formatMinor(ctx.targetMinor, currency)} because of a serious risk signal.${belowUsage}`,
  };
}

/** The limit a temporary risk reduction lowers to: RISK_REDUCTION_PERCENT off, never below current usage. */
function riskReduced(ctx: BaseContext): number {
  const { currentMinor: current, account } = ctx;
  const usage = Math.ceil((account.reserved + account.outstanding) / LIMIT_UNIT_MINOR) * LIMIT_UNIT_MINOR;
  const lowered = floorToUnit((current * (100 - RISK_REDUCTION_PERCENT)) / 100);
  return Math.min(current, Math.max(lowered, usage));
}

function riskReductionReason(ctx: BaseContext, limit: number): Reason {
  return {
    code: 'risk_reduction',
    message:
      `The limit is lowered to ${formatMinor(limit, ctx.account.currency)} for now because of a serious risk ` +
      'signal; it is restored step by step once the signal has cleared.',
  };
}

/**
 * The scheduled refresh. Without a serious signal a lower target does not reduce the limit: the target follows
 * income, which fluctuates, and taking credit from a customer who repays on time is an adverse action we only
 * take on real risk. With a serious signal there is no increase, however high the target, and a temporary risk
 * reduction lowers the limit toward current usage (RISK_REDUCTION_PERCENT a refresh).
 */
function refreshStep(ctx: BaseContext): BaseStep {
  const { currentMinor: current, targetMinor: target } = ctx;
  if (target > current && !ctx.serious) {
    if (ctx.inactive) {
      return {
        limit: current,
        reasons: [
          { code: 'limit_unchanged', message: `No increase while the account is ${ctx.account.status}.` },
        ],
      };
    }
    if (ctx.increaseDeferred) {
      return {
        limit: current,
        reasons: [
          {
            code: 'increase_deferred',
            message:
              'The base limit was raised less than 20 hours ago; a further increase waits for a later refresh.',
          },
        ],
      };
    }
    const limit = raiseToward(ctx);
    return { limit, reasons: limit < target ? [cappedReason(ctx, limit)] : [] };
  }
  if (target < current && ctx.serious) return { limit: target, reasons: [decreaseReason(ctx)] };
  if (ctx.serious) {
    const reduced = riskReduced(ctx);
    if (reduced < current) return { limit: reduced, reasons: [riskReductionReason(ctx, reduced)] };
  }
  const why =
    target === current
      ? 'The base limit already matches the assessment.'
      : ctx.serious
        ? 'No increase while a serious risk signal is present.'
        : 'A lower assessment alone does not reduce the base limit.';
  return { limit: current, reasons: [{ code: 'limit_unchanged', message: why }] };
}

/** A customer's request: granted up to what a refresh would grant, never below the current limit. */
function requestStep(ctx: BaseContext, requested: number | 'max'): BaseStep {
  const { currentMinor: current, account } = ctx;
  const ceiling = ctx.serious || ctx.inactive ? current : Math.max(current, raiseToward(ctx));
  const declined = (): BaseStep => {
    const why = ctx.inactive
      ? `The account is ${account.status}: no limit increase.`
      : ctx.serious
        ? 'A serious risk signal rules out an increase now.'
        : 'The assessment does not support a higher limit now.';
    return { limit: current, reasons: [{ code: 'requested_limit_declined', message: why }] };
  };
  if (requested === 'max') {
    if (ceiling <= current) return declined();
    const granted = {
      code: 'requested_limit_granted',
      message: `Limit raised to ${formatMinor(ceiling, account.currency)}, the most the assessment supports now.`,
    };
    return {
      limit: ceiling,
      reasons: ceiling < ctx.targetMinor ? [granted, cappedReason(ctx, ceiling)] : [granted],
    };
  }
  const asked = formatMinor(requested, account.currency);
  if (requested <= current) {
    return {
      limit: current,
      reasons: [
        { code: 'requested_limit_granted', message: `The current limit already covers the ${asked} asked.` },
      ],
    };
  }
  const granted = Math.min(requested, ceiling);
  if (granted === requested)
    return {
      limit: granted,
      reasons: [{ code: 'requested_limit_granted', message: `Limit raised to ${asked} as asked.` }],
    };
  if (granted > current) {
    const partial = {
      code: 'requested_limit_partially_granted',
      message: `Limit raised to ${formatMinor(granted, account.currency)} of the ${asked} asked.`,
    };
    return {
      limit: granted,
      reasons: granted < ctx.targetMinor ? [partial, cappedReason(ctx, granted)] : [partial],
    };
  }
  return declined();
}

interface BaseOutcome {
  creditLimit: number;
  riskTier: string;
  reasons: Reason[];
}

function assessProfile(input: PolicyInput, profile: CreditProfile): BaseOutcome {
  const factors = scoreFactors(profile, input.now);
  const tier = tierFor(factors.reduce((sum, f) => sum + f.points, 0));
  const ctx: BaseContext = {
    currentMinor: input.account.creditLimit,
    targetMinor: targetLimit(profile, tier),
    serious: tier === 'E' || factors.some((f) => f.serious),
    increaseDeferred:
      input.lastIncreaseAt !== undefined &&
      input.now.getTime() - Date.parse(input.lastIncreaseAt) < INCREASE_COOLDOWN_MS,
    inactive: input.account.status !== 'active',
    account: input.account,
  };
  const step = input.requestedLimit === undefined ? refreshStep(ctx) : requestStep(ctx, input.requestedLimit);
  return {
    creditLimit: step.limit,
    riskTier: tier,
    reasons: [...factors.map((f) => f.reason), ...step.reasons],
  };
}

/** Without a profile there is nothing to assess: the limit and tier stay, and a request cannot be granted. */
function keepWithoutProfile(input: PolicyInput): BaseOutcome {
  const { account, requestedLimit } = input;
  const reasons: Reason[] = [
    { code: 'no_profile', message: 'No credit profile on file: the base limit is kept.' },
  ];
  if (requestedLimit !== undefined) {
    reasons.push(
      requestedLimit !== 'max' && requestedLimit <= account.creditLimit
        ? { code: 'requested_limit_granted', message: 'The current limit already covers the amount asked.' }
        : { code: 'requested_limit_declined', message: 'A limit increase needs a credit profile.' },
    );
  }
  return { creditLimit: account.creditLimit, riskTier: account.riskTier, reasons };
}

interface PromotionOutcome {
  promoLimit: number;
  categoryQuotas: Record<string, QuotaGrant>;
  reasons: Reason[];
}

/** One uplift's amount: a percent of the new base limit (whole units) or a fixed amount, each under its cap. */
function upliftMinor(p: Extract<Promotion, { kind: 'uplift' }>, creditLimit: number): number {
  const raw = p.upliftAmount ?? floorToUnit((creditLimit * (p.upliftPercent ?? 0)) / 100);
  return Math.min(raw, p.maxUpliftAmount ?? raw);
}

const byId = (a: Promotion, b: Promotion) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The uplifts a `tier` account with base limit `creditLimit` gets at `at`, each with its amount. Uplifts stack,
 * but the total limit stays within the money contract's bound. Sorted by id, so the result does not depend on
 * the order the store listed them in. The refresh applies it at its instant and stages it at every later
 * start and end (policy/promotion-windows.ts): the same amounts either way.
 */
export function upliftsAt(
  promotions: readonly Promotion[],
  tier: string,
  creditLimit: number,
  at: Date,
): Array<{ promotion: Extract<Promotion, { kind: 'uplift' }>; amount: number }> {
  const uplifts: Array<{ promotion: Extract<Promotion, { kind: 'uplift' }>; amount: number }> = [];
  let total = 0;
  for (const p of activePromotions(promotions, at)
    .filter((q) => isEligible(q, tier))
    .sort(byId)) {
    if (p.kind !== 'uplift') continue;
    const amount = Math.min(upliftMinor(p, creditLimit), MAX_AMOUNT_MINOR - creditLimit - total);
    if (amount <= 0) continue;
    total += amount;
    uplifts.push({ promotion: p, amount });
  }
  return uplifts;
}

/**
 * Quota offers by category: the promotions not ended at `now` the tier is eligible for, in force or still to
 * come (a grant is staged before its start, so draws begin at its start with no job running then).
 */
function quotaOffersFor(input: PolicyInput, tier: string): Map<string, QuotaPromotion[]> {
  const offers = new Map<string, QuotaPromotion[]>();
  const nowMs = input.now.getTime();
  for (const p of [...input.promotions].sort(byId)) {
    // Ended, or ended before its start (its window closed at startsAt): never drawable.
    const closesMs = Math.max(nowMs, Date.parse(p.startsAt));
    if (p.kind !== 'category_quota' || Date.parse(p.endsAt) <= closesMs || !isEligible(p, tier)) continue;
    offers.set(p.category, [...(offers.get(p.category) ?? []), p]);
  }
  return offers;
}

type QuotaPromotion = Extract<Promotion, { kind: 'category_quota' }>;

/** Uplifts the tier is eligible for (summed) at `now`, and category quotas in force or still to come. */
function applyPromotions(input: PolicyInput, tier: string, creditLimit: number): PromotionOutcome {
  const { currency } = input.account;
  const outcome: PromotionOutcome = { promoLimit: 0, categoryQuotas: {}, reasons: [] };
  for (const { promotion: p, amount } of upliftsAt(input.promotions, tier, creditLimit, input.now)) {
    outcome.promoLimit += amount;
    outcome.reasons.push({
      code: 'promotion_applied',
      message: `${p.name}: +${formatMinor(amount, currency)} until ${p.endsAt}.`,
    });
  }
  const quotaOffers = quotaOffersFor(input, tier);
  const was = input.account.promoLimit;
  if (outcome.promoLimit === 0 && was > 0) {
    outcome.reasons.push({
      code: 'promotion_ended',
      message: `No promotion applies any more: the ${formatMinor(was, currency)} uplift is withdrawn.`,
    });
  } else if (outcome.promoLimit < was) {
    // Every fall in the limit says why: one of several uplifts ended or stopped applying to the tier, or a percent
    // uplift follows a lower base limit.
    outcome.reasons.push({
      code: 'promotion_reduced',
      message: `Promotional credit falls from ${formatMinor(was, currency)} to ${formatMinor(outcome.promoLimit, currency)}.`,
    });
  }
  grantQuotas(input, quotaOffers, outcome);
  return outcome;
}

/**
 * Category quotas. Overlapping campaigns for one category do not stack. A grant is one promotion's, whole: its
 * amount and end are that promotion's. A grant the account holds stays as it is while its promotion is in force
 * (what was drawn stays drawn, so a daily refresh never hands the quota out again, and a larger campaign starting
 * meanwhile does not take over the grant: mixing one promotion's identity with another's amount would let
 * give-backs and ends move credit no promotion granted). With no grant in force, the largest offer starts one.
 * A promotion whose grant on this account has ended is not offered to it again.
 */
function grantQuotas(
  input: PolicyInput,
  offers: ReadonlyMap<string, ReadonlyArray<Extract<Promotion, { kind: 'category_quota' }>>>,
  outcome: PromotionOutcome,
): void {
  const { currency } = input.account;
  const held = input.account.quotas ?? {};
  for (const [category, all] of offers) {
    const ended = new Set(held[category]?.ended ?? []);
    const open = all.filter((p) => !ended.has(p.id));
    const grantBy = chooseGrant(open, held[category]?.promotionId, input.now);
    if (grantBy === undefined) continue;
    const endsAt = new Date(grantBy.endsAt).toISOString();
    const startsAt = new Date(grantBy.startsAt).toISOString();
    outcome.categoryQuotas[category] = {
      promotionId: grantBy.id,
      amount: grantBy.quotaAmount,
      endsAt,
      startsAt,
    };
    const from = isActive(grantBy, input.now) ? '' : ` from ${startsAt}`;
    outcome.reasons.push({
      code: isActive(grantBy, input.now) ? 'category_quota_applied' : 'category_quota_scheduled',
      message: `${grantBy.name}: ${formatMinor(grantBy.quotaAmount, currency)} for ${category} purchases${from} until ${endsAt}.`,
    });
  }
  for (const [category, quota] of Object.entries(held)) {
    if (
      quota.promotionId === undefined ||
      outcome.categoryQuotas[category]?.promotionId === quota.promotionId
    )
      continue;
    outcome.reasons.push({
      code: 'category_quota_ended',
      message:
        `The ${category} quota has ended: its ${formatMinor(quota.unused, currency)} unused is withdrawn, and ` +
        `${formatMinor(quota.drawn, currency)} drawn from it now counts against the limit.`,
    });
  }
}

/**
 * Which offer holds a category's one grant slot: the grant held while its promotion is in force (its draws carry
 * on), else the largest offer in force, else the grant held (staged ahead of its start), else the offer starting
 * first (the largest of those): one slot per category, so a later campaign is staged when the current one ends.
 */
function chooseGrant(
  open: readonly QuotaPromotion[],
  heldId: string | undefined,
  now: Date,
): QuotaPromotion | undefined {
  const held = open.find((p) => p.id === heldId);
  if (held && isActive(held, now)) return held;
  const inForce = open.filter((p) => isActive(p, now));
  if (inForce.length > 0) return inForce.reduce((best, p) => (p.quotaAmount > best.quotaAmount ? p : best));
  if (held) return held;
  return open.reduce<QuotaPromotion | undefined>((best, p) => {
    if (best === undefined) return p;
    const [ps, bs] = [Date.parse(p.startsAt), Date.parse(best.startsAt)];
    return ps < bs || (ps === bs && p.quotaAmount > best.quotaAmount) ? p : best;
  }, undefined);
}

function assertMinorInBounds(value: number, what: string): void {
  assert(Number.isSafeInteger(value), `${what} must be an integer, got ${value}`);
  assert(value >= 0, `${what} must not be negative, got ${value}`);
  assert(value <= MAX_AMOUNT_MINOR, `${what} must be at most ${MAX_AMOUNT_MINOR}, got ${value}`);
}

function assertInput(input: PolicyInput): void {
  assert(!Number.isNaN(input.now.getTime()), 'now must be a valid date');
  assertMinorInBounds(input.account.creditLimit, 'account.creditLimit');
  assertMinorInBounds(input.account.promoLimit, 'account.promoLimit');
  if (typeof input.requestedLimit === 'number') assertMinorInBounds(input.requestedLimit, 'requestedLimit');
  if (input.lastIncreaseAt !== undefined)
    assert(!Number.isNaN(Date.parse(input.lastIncreaseAt)), 'lastIncreaseAt must be a date');
}

function assertResult(r: PolicyResult): void {
  assertMinorInBounds(r.creditLimit, 'creditLimit');
  assertMinorInBounds(r.promoLimit, 'promoLimit');
  assertMinorInBounds(r.creditLimit + r.promoLimit, 'totalLimit');
  for (const [category, grant] of Object.entries(r.categoryQuotas))
    assertMinorInBounds(grant.amount, `categoryQuotas.${category}`);
}

export function assessLimit(input: PolicyInput): PolicyResult {
  assertInput(input);
  const base = input.profile ? assessProfile(input, input.profile) : keepWithoutProfile(input);
  const promo = applyPromotions(input, base.riskTier, base.creditLimit);
  const beforeMinor = input.account.creditLimit + input.account.promoLimit;
  const afterMinor = base.creditLimit + promo.promoLimit;
  const result: PolicyResult = {
    creditLimit: base.creditLimit,
    promoLimit: promo.promoLimit,
    riskTier: base.riskTier,
    reasons: [...base.reasons, ...promo.reasons],
    decision: afterMinor > beforeMinor ? 'increase' : afterMinor < beforeMinor ? 'decrease' : 'unchanged',
    categoryQuotas: promo.categoryQuotas,
    policyVersion: POLICY_VERSION,
  };
  assertResult(result);
  return result;
}

export interface DryRunTotals {
  rise: number;
  fall: number;
  unchanged: number;
  /** Sum of rises in total limit, minor units. */
  totalIncrease: number;
  /** Sum of falls in total limit, minor units (positive). */
  totalDecrease: number;
}

export const emptyTotals = (): DryRunTotals => ({
  rise: 0,
  fall: 0,
  unchanged: 0,
  totalIncrease: 0,
  totalDecrease: 0,
});

/** Counts one account's move (new total limit minus old, minor units) into the totals. */
export function tally(totals: DryRunTotals, deltaMinor: number): void {
  if (deltaMinor > 0) {
    totals.rise += 1;
    totals.totalIncrease += deltaMinor;
  } else if (deltaMinor < 0) {
    totals.fall += 1;
    totals.totalDecrease -= deltaMinor;
  } else {
    totals.unchanged += 1;
  }
}

export function summarizeDryRun(
  results: ReadonlyArray<{ before: { totalLimit: number }; after: { totalLimit: number } }>,
): DryRunTotals {
  const totals = emptyTotals();
  for (const { before, after } of results) tally(totals, after.totalLimit - before.totalLimit);
  return totals;
}
