/**
 * The installment plan aggregate (one item per captured purchase, its whole schedule inside) and what happens to
 * it, as pure functions of the plan and `today`: each installment's status, repayment allocation across plans
 * and one-off purchases, applying an allocation, and a refund from the last installment backwards.
 *
 * Money rules (the contract's): unpaid principal counts in the account's `outstanding`; fees are owed on
 * statements and never consume credit. A repayment pays overdue amounts first (fee, then principal, oldest
 * first), then the current statement (installments billed and not yet overdue, then one-off purchases), then
 * future principal (early repayment: an installment whose principal is paid before it is billed owes no fee).
 */
import { assert } from '../assert.js';
import { addDays } from './schedule.js';

export type InstallmentStatus = 'scheduled' | 'due' | 'paid' | 'overdue';

export interface Installment {
  sequence: number;
  statementDate: string;
  dueDate: string;
  principal: number;
  fee: number;
  paidPrincipal: number;
  paidFee: number;
  status: InstallmentStatus;
}

export interface InstallmentPlan {
  id: string;
  accountId: string;
  authorizationId: string;
  currency: string;
  /** The purchase's principal as captured (refunds lower the rows' principal, not this). */
  principal: number;
  count: number;
  feeRateBps: number;
  totalFee: number;
  feeWaived: boolean;
  couponId?: string;
  /** True when the coupon's state is on the account's item (coupons issued since it moved there). */
  couponOnAccount?: boolean;
  installments: Installment[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One line of a repayment's allocation: a plan's installment, or (no planId) one-off purchases. */
export interface AllocationLine {
  planId?: string;
  sequence?: number;
  principal: number;
  fee: number;
}

const unpaidPrincipal = (i: Installment) => i.principal - i.paidPrincipal;
const unpaidFee = (i: Installment) => i.fee - i.paidFee;
const isSettled = (i: Installment) => unpaidPrincipal(i) === 0 && unpaidFee(i) === 0;

/**
 * An installment's status on `today` (YYYY-MM-DD): paid once nothing is owed; overdue once still unpaid more
 * than `graceDays` after its due date (and it stays overdue until paid); due from its statement date; else
 * scheduled.
 */
export function statusOn(i: Installment, today: string, graceDays: number): InstallmentStatus {
  if (isSettled(i)) return 'paid';
  if (i.status === 'overdue' || today > addDays(i.dueDate, graceDays)) return 'overdue';
  return today >= i.statementDate ? 'due' : 'scheduled';
}

/** The plan with every status as of `today`. */
export function planOn(plan: InstallmentPlan, today: string, graceDays: number): InstallmentPlan {
  return {
    ...plan,
    installments: plan.installments.map((i) => ({ ...i, status: statusOn(i, today, graceDays) })),
  };
}

/** The principal a plan still owes (what it counts in `outstanding`). */
export const planUnpaidPrincipal = (plan: Pick<InstallmentPlan, 'installments'>): number =>
  plan.installments.reduce((s, i) => s + unpaidPrincipal(i), 0);

export interface AllocationInput {
  plans: readonly InstallmentPlan[];
  /** Unpaid principal of one-off purchases (outstanding minus the plans' unpaid principal). */
  oneOffPrincipal: number;
  amount: number;
  today: string;
  graceDays: number;
}

export interface Allocation {
  lines: AllocationLine[];
  /** The part of the amount nothing was owed for (a caller refuses a repayment that leaves any). */
  unallocated: number;
  /** Principal paid (what `outstanding` falls by). */
  principal: number;
  fee: number;
}

interface Row {
  planId: string;
  inst: Installment;
  status: InstallmentStatus;
}

const oldestFirst = (a: Row, b: Row) =>
  a.inst.dueDate !== b.inst.dueDate
    ? a.inst.dueDate < b.inst.dueDate
      ? -1
      : 1
    : a.planId !== b.planId
      ? a.planId < b.planId
        ? -1
        : 1
      : a.inst.sequence - b.inst.sequence;

/** Collects one line per (plan, sequence), merging what several passes pay on the same row. */
class Lines {
  readonly byKey = new Map<string, AllocationLine>();
  add(planId: string | undefined, sequence: number | undefined, principal: number, fee: number): void {
    if (principal === 0 && fee === 0) return;
    const key = `${planId ?? ''}#${sequence ?? ''}`;
    const line = this.byKey.get(key) ?? {
      ...(planId === undefined ? {} : { planId }),
      ...(sequence === undefined ? {} : { sequence }),
      principal: 0,
      fee: 0,
    };
    line.principal += principal;
    line.fee += fee;
    this.byKey.set(key, line);
  }
}

/**
 * Allocates `amount` in the contract's order. Pure; never pays more than a row owes, never a negative part, and
 * the lines plus `unallocated` sum exactly to the amount.
 */
export function allocate(input: AllocationInput): Allocation {
  assert(Number.isSafeInteger(input.amount) && input.amount >= 0, 'a repayment is a non-negative integer');
  assert(input.oneOffPrincipal >= 0, 'one-off principal is not negative');
  const rows: Row[] = input.plans
    .flatMap((p) =>
      p.installments.map((inst) => ({
        planId: p.id,
        inst,
        status: statusOn(inst, input.today, input.graceDays),
      })),
    )
    .sort(oldestFirst);
  const lines = new Lines();
  let left = input.amount;
  const take = (owed: number) => {
    const paid = Math.min(left, owed);
    left -= paid;
    return paid;
  };
  for (const r of rows.filter((x) => x.status === 'overdue')) {
    const fee = take(unpaidFee(r.inst));
    lines.add(r.planId, r.inst.sequence, take(unpaidPrincipal(r.inst)), fee);
  }
  for (const r of rows.filter((x) => x.status === 'due')) {
    const fee = take(unpaidFee(r.inst));
    lines.add(r.planId, r.inst.sequence, take(unpaidPrincipal(r.inst)), fee);
  }
  lines.add(undefined, undefined, take(input.oneOffPrincipal), 0);
  for (const r of rows.filter((x) => x.status === 'scheduled'))
    lines.add(r.planId, r.inst.sequence, take(unpaidPrincipal(r.inst)), 0);
  const all = [...lines.byKey.values()];
  const principal = all.reduce((s, l) => s + l.principal, 0);
  const fee = all.reduce((s, l) => s + l.fee, 0);
  assert(principal + fee + left === input.amount, 'an allocation accounts for the whole amount');
  return { lines: all, unallocated: left, principal, fee };
}

/**
 * A plan after an allocation's lines for it were paid, statuses as of `today`. A row billed in the future whose
 * principal is now fully paid owes no fee (early repayment).
 */
export function applyAllocation(
  plan: InstallmentPlan,
  lines: readonly AllocationLine[],
  today: string,
  graceDays: number,
  nowIso: string,
): InstallmentPlan {
  const mine = new Map(lines.filter((l) => l.planId === plan.id).map((l) => [l.sequence, l]));
  const installments = plan.installments.map((i) => {
    const line = mine.get(i.sequence);
    if (!line) return i;
    const paid = { ...i, paidPrincipal: i.paidPrincipal + line.principal, paidFee: i.paidFee + line.fee };
    assert(paid.paidPrincipal <= paid.principal, 'an installment is never paid more principal than it owes');
    assert(paid.paidFee <= paid.fee, 'an installment is never paid more fee than it owes');
    const early = statusOn(i, today, graceDays) === 'scheduled' && unpaidPrincipal(paid) === 0;
    return early ? { ...paid, fee: paid.paidFee } : paid;
  });
  return withStatuses({ ...plan, installments, updatedAt: nowIso }, today, graceDays);
}

function withStatuses(plan: InstallmentPlan, today: string, graceDays: number): InstallmentPlan {
  const next = planOn(plan, today, graceDays);
  return { ...next, totalFee: next.installments.reduce((s, i) => s + i.fee, 0) };
}

/**
 * A refund of `amount` on the plan's purchase: unpaid principal falls from the last installment backwards, and
 * each reduced row's fee is recomputed in proportion to the principal it keeps (never below what was paid).
 * Returns the plan and the principal actually taken off (at most the plan's unpaid principal).
 */
export function refundPlan(
  plan: InstallmentPlan,
  amount: number,
  today: string,
  graceDays: number,
  nowIso: string,
): { plan: InstallmentPlan; reducedPrincipal: number } {
  assert(amount >= 0, 'a refund is not negative');
  let left = amount;
  const installments = [...plan.installments].reverse().map((i) => {
    const cut = Math.min(left, unpaidPrincipal(i));
    if (cut === 0) return i;
    left -= cut;
    const principal = i.principal - cut;
    const scaled = i.principal === 0 ? 0 : Math.floor((i.fee * principal) / i.principal);
    return { ...i, principal, fee: Math.max(i.paidFee, scaled) };
  });
  installments.reverse();
  const next = withStatuses({ ...plan, installments, updatedAt: nowIso }, today, graceDays);
  return { plan: next, reducedPrincipal: amount - left };
}

/** True once nothing of the purchase is left to pay or refund: every row's principal refunded to zero. */
export const isFullyRefunded = (plan: InstallmentPlan): boolean =>
  plan.installments.every((i) => i.principal === 0);

/** What the account owes on a plan as of `today`, by bucket. */
export function planDue(plan: InstallmentPlan, today: string, graceDays: number) {
  let overdue = 0;
  let due = 0;
  for (const i of plan.installments) {
    const status = statusOn(i, today, graceDays);
    if (status === 'overdue') overdue += unpaidPrincipal(i) + unpaidFee(i);
    if (status === 'due') due += unpaidPrincipal(i) + unpaidFee(i);
  }
  return { overdue, due };
}

/** The plan as the API shows it: its own fields but storage's, the rows without their statement dates. */
export type InstallmentPlanResource = Omit<InstallmentPlan, 'installments' | 'updatedAt' | 'version'> & {
  object: 'installment_plan';
  installments: Array<Omit<Installment, 'statementDate'>>;
};

export function toPlanResource(plan: InstallmentPlan): InstallmentPlanResource {
  return {
    id: plan.id,
    object: 'installment_plan',
    accountId: plan.accountId,
    authorizationId: plan.authorizationId,
    currency: plan.currency,
    principal: plan.principal,
    count: plan.count,
    feeRateBps: plan.feeRateBps,
    totalFee: plan.totalFee,
    feeWaived: plan.feeWaived,
    ...(plan.couponId ? { couponId: plan.couponId } : {}),
    installments: plan.installments.map(({ statementDate: _s, ...rest }) => rest),
    createdAt: plan.createdAt,
  };
}
