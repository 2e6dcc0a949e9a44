/**
 * The installment paths: quoting options, the capture's attachment (the plan, its id on the account and the
 * coupon's redemption in the capture's one transaction), a refund's plan update, and the reads (plans, statement).
 * Decisions are the pure functions of schedule.ts, plan.ts, statement.ts and the coupon rule; this module loads,
 * decides and maps.
 */
import { accountFromItem, accountKey, PLAN_IDS_ATTRIBUTE } from '../accounts/repository.js';
import type { Authorization, SettleAttachment, Transition } from '../authorizations/model.js';
import { config, type Config } from '../config.js';
import type { ErrorCode } from '../contract/errors.js';
import { checkCoupon, type Coupon, toCouponResource } from '../coupons/model.js';
import {
  couponFromItem,
  couponKey,
  couponGiveBack,
  couponRedemption,
  isCouponItem,
} from '../coupons/repository.js';
import { randomUUID } from 'node:crypto';
import { getItems } from '../idempotency/records.js';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import { profileFromItem, profileKey, profilePut } from '../profiles/repository.js';
import { retryAfter, withRetries } from '../storage/retry.js';
import {
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import { billPlan, profileWithOverdue } from './billing.js';
import {
  type Installment,
  type InstallmentPlan,
  isFullyRefunded,
  planOn,
  refundPlan,
  toPlanResource,
} from './plan.js';
import {
  isPlanItem,
  MAX_ACCOUNT_PLANS,
  newPlanOnHold,
  planFromItem,
  planIdFor,
  planOnHold,
  planPut,
  readAccountPlans,
} from './repository.js';
import { cycleDayOf, type FeeWaiver, isoDate, type Quote, quote } from './schedule.js';
import type { CaptureInstallments } from './schemas.js';
import { type Statement, statementFor } from './statement.js';

export type InstallmentRules = Pick<
  Config,
  'installmentFeeBps' | 'installmentMinAmountMinor' | 'graceDays' | 'paymentDueDays'
>;

type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode };
const today = isoDate;

/** The counts on offer (the fee table's), ascending. */
export const offeredCounts = (rules: InstallmentRules): number[] =>
  Object.keys(rules.installmentFeeBps)
    .map(Number)
    .sort((a, b) => a - b);

function quoteFor(
  accountId: string,
  amount: number,
  count: number,
  waiver: FeeWaiver,
  nowMs: number,
  rules: InstallmentRules,
): Quote {
  return quote({
    amount,
    count,
    feeRateBps: rules.installmentFeeBps[count] ?? 0,
    waiver,
    capturedAtMs: nowMs,
    cycleDay: cycleDayOf(accountId),
    paymentDueDays: rules.paymentDueDays,
  });
}

/**
 * GET /v1/installment-options: every offered count, each with its schedule as if captured now. A coupon waives
 * the fee on the counts it names; one that cannot apply to this account and amount at all is a 409.
 */
export async function installmentOptions(
  input: { accountId: string; amount: number; couponId?: string | undefined },
  nowMs: number = Date.now(),
  rules: InstallmentRules = config,
): Promise<Result<Quote[]>> {
  if (input.amount < rules.installmentMinAmountMinor) return { ok: false, code: 'installments_not_offered' };
  const keys = [accountKey(input.accountId), ...(input.couponId ? [couponKey(input.couponId)] : [])];
  const [account, couponItem] = (await getItems(keys)) ?? [];
  if (!account) return { ok: false, code: 'account_not_found' };
  const coupon = input.couponId
    ? isCouponItem(couponItem)
      ? couponFromItem(couponItem ?? {}, account)
      : null
    : undefined;
  if (coupon === null) return { ok: false, code: 'coupon_not_applicable' };
  const nowIso = new Date(nowMs).toISOString();
  const quotes: Quote[] = [];
  let applied = false;
  for (const count of offeredCounts(rules)) {
    const use = {
      accountId: input.accountId,
      amount: input.amount,
      count,
      category: coupon?.category,
      nowIso,
    };
    const check = coupon ? checkCoupon(coupon, use) : undefined;
    if (check && !check.ok && check.code === 'coupon_unavailable') return { ok: false, code: check.code };
    applied ||= check?.ok === true;
    const waiver: FeeWaiver = check?.ok ? check.waiver : { kind: 'none' };
    quotes.push(quoteFor(input.accountId, input.amount, count, waiver, nowMs, rules));
  }
  if (coupon && !applied) return { ok: false, code: 'coupon_not_applicable' };
  return { ok: true, value: quotes };
}

/** The plan a capture of `transition` makes, the coupon it redeems, or why it may not. Pure. */
export function decidePlan(
  hold: Authorization,
  transition: Transition,
  request: CaptureInstallments,
  coupon: Coupon | undefined,
  nowMs: number,
  rules: InstallmentRules,
): Result<InstallmentPlan> {
  if (hold.installmentPlanId) return { ok: false, code: 'invalid_state' };
  const principal = transition.next.capturedAmount - hold.capturedAmount;
  const feeRateBps = rules.installmentFeeBps[request.count];
  if (feeRateBps === undefined || principal < rules.installmentMinAmountMinor)
    return { ok: false, code: 'installments_not_offered' };
  const nowIso = new Date(nowMs).toISOString();
  let waiver: FeeWaiver = { kind: 'none' };
  if (request.couponId) {
    if (!coupon) return { ok: false, code: 'coupon_not_applicable' };
    const use = {
      accountId: hold.accountId,
      amount: principal,
      count: request.count,
      category: hold.category,
      nowIso,
    };
    const check = checkCoupon(coupon, use);
    if (!check.ok) return check;
    waiver = check.waiver;
  }
  const q = quoteFor(hold.accountId, principal, request.count, waiver, nowMs, rules);
  return {
    ok: true,
    value: {
      id: planIdFor(hold.id),
      accountId: hold.accountId,
      authorizationId: hold.id,
      currency: hold.currency,
      principal,
      count: request.count,
      feeRateBps,
      totalFee: q.totalFee,
      feeWaived: q.feeWaived,
      ...(request.couponId ? { couponId: request.couponId } : {}),
      ...(coupon?.stateOnAccount ? { couponOnAccount: true } : {}),
      installments: q.schedule.map((r) => ({
        ...r,
        paidPrincipal: 0,
        paidFee: 0,
        status: 'scheduled' as const,
      })),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
    },
  };
}

/**
 * A capture with `installments`: the plan rides on the hold's update; its id (to the account's `planIds`) and the
 * coupon's redemption (its state on the account, guarded by `issued`) on the account's. The transaction has the
 * items of a plain capture; a coupon issued before its state moved onto the account adds its own item's update.
 */
export function captureAttachment(
  request: CaptureInstallments,
  rules: InstallmentRules = config,
): SettleAttachment {
  return {
    keys: request.couponId ? [couponKey(request.couponId)] : [],
    attach: (hold, transition, read, nowMs) => {
      const item = read[0];
      const coupon = isCouponItem(item) ? couponFromItem(item ?? {}) : undefined;
      const decided = decidePlan(hold, transition, request, coupon, nowMs, rules);
      if (!decided.ok) return decided;
      const plan = decided.value;
      const nowIso = transition.next.updatedAt;
      const redemption = plan.couponId
        ? couponRedemption(plan.couponId, plan.id, plan.couponOnAccount === true, nowIso)
        : { items: [] };
      return {
        ok: true,
        transition: { ...transition, next: { ...transition.next, installmentPlanId: plan.id } },
        onHold: newPlanOnHold(plan),
        onAccount: {
          add: { attribute: PLAN_IDS_ATTRIBUTE, value: plan.id, max: MAX_ACCOUNT_PLANS },
          ...(redemption.swap ? { swap: redemption.swap } : {}),
        },
        refusals: { add: 'installment_plan_limit_reached', swap: 'coupon_unavailable' },
        items: redemption.items,
      };
    },
  };
}

/**
 * A refund on a hold: if it has a plan, the plan's unpaid principal falls from the last installment backwards in
 * the refund's own transaction; a purchase refunded in full gives its coupon back. An expired coupon given back
 * still reads `expired` and applies to nothing (its window is checked at use), so no extra read is needed.
 */
export function refundAttachment(rules: InstallmentRules = config): SettleAttachment {
  return {
    // The plan is on the hold's own item: nothing more to read.
    keys: [],
    attach: (_hold, transition, _read, nowMs, holdItem) => {
      if (!isPlanItem(holdItem)) return { ok: true, transition, items: [] };
      const plan = planFromItem(holdItem);
      const refunded = transition.movements.reduce((s, m) => s + (m.type === 'refund' ? m.amount : 0), 0);
      const nowIso = transition.next.updatedAt;
      const { plan: next, reducedPrincipal } = refundPlan(
        plan,
        refunded,
        today(nowMs),
        rules.graceDays,
        nowIso,
      );
      // Principal already repaid is not owed any more: refunding it would take outstanding below the plans.
      if (reducedPrincipal < refunded) return { ok: false, code: 'amount_exceeds_remaining' };
      const versioned = { ...next, version: plan.version + 1 };
      const coupon =
        plan.couponId && isFullyRefunded(versioned)
          ? couponGiveBack(plan.couponId, plan.id, plan.couponOnAccount === true, nowIso)
          : { items: [] };
      return {
        ok: true,
        transition,
        onHold: planOnHold(versioned, plan.version),
        ...(coupon.swap ? { onAccount: { swap: coupon.swap } } : {}),
        items: coupon.items,
      };
    },
  };
}

export async function accountPlans(
  accountId: string,
  nowMs: number = Date.now(),
  rules: InstallmentRules = config,
) {
  const read = await readAccountPlans(accountId);
  if (!read) return undefined;
  return read.plans.map((p) => toPlanResource(planOn(p, today(nowMs), rules.graceDays)));
}

export async function accountStatement(
  accountId: string,
  nowMs: number = Date.now(),
  rules: InstallmentRules = config,
): Promise<(Statement & { accountId: string; currency: string }) | undefined> {
  const read = await readAccountPlans(accountId);
  if (!read) return undefined;
  const account = accountFromItem(read.account);
  const statement = statementFor({
    plans: read.plans,
    outstanding: account.outstanding,
    today: today(nowMs),
    cycleDay: cycleDayOf(accountId),
    paymentDueDays: rules.paymentDueDays,
    graceDays: rules.graceDays,
  });
  return { accountId, currency: account.currency, ...statement };
}

export interface BillingOutcome {
  /** Installments this run turned overdue. */
  overdue: number;
}

/**
 * Bills one account as of `nowMs`: installments unpaid GRACE_DAYS after their due date become overdue, each
 * journaled (`installment_overdue`, no money moves), and the overdue record reaches the credit profile, all in
 * one transaction guarded by each plan's version. Running it again the same day changes nothing. An account
 * without a profile keeps its plans' statuses and journal; there is no profile to record into.
 */
export async function billAccount(
  accountId: string,
  nowMs: number = Date.now(),
  rules: Pick<InstallmentRules, 'graceDays'> = config,
): Promise<BillingOutcome | undefined> {
  return withRetries('billing', async () => {
    const read = await readAccountPlans(accountId);
    if (!read) return undefined;
    const [profileItem] = (await getItems([profileKey(accountId)])) ?? [undefined];
    const profile = profileFromItem(profileItem);
    const nowIso = new Date(nowMs).toISOString();
    const billed = read.plans.map((p) => ({
      before: p,
      ...billPlan(p, today(nowMs), rules.graceDays, nowIso),
    }));
    const changed = billed.filter((b) => b.newlyOverdue.length > 0);
    if (changed.length === 0) return { overdue: 0 };
    const rows = changed.flatMap((b) => b.newlyOverdue);
    const items: TransactItem[] = [
      ...changed.map((b) => planPut({ ...b.plan, version: b.before.version + 1 }, b.before.version)),
      ...changed.flatMap((b) => b.newlyOverdue.map((row) => overdueEntry(accountId, b.plan.id, row, nowIso))),
      ...(profile
        ? [
            profilePut({
              accountId,
              profile: profileWithOverdue(profile, rows, today(nowMs), nowIso),
              updatedAt: nowIso,
            }),
          ]
        : []),
    ];
    const outcome = await transactWrite(items, randomUUID());
    if (outcome.committed) return { overdue: rows.length };
    if (isTransient(outcome.reasons) || outcome.reasons.some((r) => r.code === 'ConditionalCheckFailed'))
      return retryAfter(new TransactionCancelledError('billing', outcome.reasons));
    throw new TransactionCancelledError('billing', outcome.reasons);
  });
}

function overdueEntry(accountId: string, planId: string, row: Installment, nowIso: string): TransactItem {
  return journalPut(
    newJournalEntry({
      accountId,
      type: 'installment_overdue',
      amount: row.principal - row.paidPrincipal + row.fee - row.paidFee,
      delta: { reserved: 0, outstanding: 0, totalLimit: 0 },
      reasons: [
        {
          code: 'installment_overdue',
          message: `Installment ${row.sequence} of ${planId}, due ${row.dueDate}, is unpaid.`,
        },
      ],
      sequence: row.sequence,
      nowIso,
    }),
  );
}

export { toCouponResource };
