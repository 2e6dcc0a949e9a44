/**
 * The current statement of an account, as a pure function of its plans, its one-off purchases and `today`:
 * a query over what it owes, never a stored document (DESIGN: "statements are a query over the account's plans
 * and one-off purchases").
 */
import { assert } from '../assert.js';
import { type InstallmentPlan, planUnpaidPrincipal, statusOn } from './plan.js';
import { addDays } from './schedule.js';

/** The minimum payment takes this share of one-off purchases (rounded up), besides every installment due. */
export const MINIMUM_PURCHASES_PERCENT = 10;

export interface StatementItem {
  kind: 'installment' | 'purchases';
  planId?: string;
  sequence?: number;
  dueDate: string;
  principal: number;
  fee: number;
  status: 'due' | 'overdue';
}

export interface Statement {
  statementDate: string;
  dueDate: string;
  items: StatementItem[];
  totalDue: number;
  minimumDue: number;
  overdueAmount: number;
}

/** The latest cycle day on or before `today` (YYYY-MM-DD). */
export function currentStatementDate(today: string, cycleDay: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const monthOffset = d >= cycleDay ? 0 : -1;
  return new Date(Date.UTC(y, m - 1 + monthOffset, cycleDay)).toISOString().slice(0, 10);
}

/**
 * One-off purchases owe what `outstanding` holds beyond the plans' unpaid principal. Never negative: a refund of
 * a one-off purchase already repaid can take `outstanding` below the plans (a credit balance; docs/INSTALLMENTS.md).
 */
export function oneOffPrincipal(outstanding: number, plans: readonly InstallmentPlan[]): number {
  assert(outstanding >= 0, 'outstanding is not negative');
  const inPlans = plans.reduce((s, p) => s + planUnpaidPrincipal(p), 0);
  return Math.max(0, outstanding - inPlans);
}

export function statementFor(input: {
  plans: readonly InstallmentPlan[];
  outstanding: number;
  today: string;
  cycleDay: number;
  paymentDueDays: number;
  graceDays: number;
}): Statement {
  const statementDate = currentStatementDate(input.today, input.cycleDay);
  const dueDate = addDays(statementDate, input.paymentDueDays);
  const items: StatementItem[] = [];
  for (const plan of input.plans)
    for (const i of plan.installments) {
      const status = statusOn(i, input.today, input.graceDays);
      if (status !== 'due' && status !== 'overdue') continue;
      const principal = i.principal - i.paidPrincipal;
      const fee = i.fee - i.paidFee;
      items.push({
        kind: 'installment',
        planId: plan.id,
        sequence: i.sequence,
        dueDate: i.dueDate,
        principal,
        fee,
        status,
      });
    }
  const purchases = oneOffPrincipal(input.outstanding, input.plans);
  if (purchases > 0) items.push({ kind: 'purchases', dueDate, principal: purchases, fee: 0, status: 'due' });
  const owed = (i: StatementItem) => i.principal + i.fee;
  const totalDue = items.reduce((s, i) => s + owed(i), 0);
  const overdueAmount = items.filter((i) => i.status === 'overdue').reduce((s, i) => s + owed(i), 0);
  const installmentsDue = items.filter((i) => i.kind === 'installment').reduce((s, i) => s + owed(i), 0);
  const minimumDue = installmentsDue + Math.ceil((purchases * MINIMUM_PURCHASES_PERCENT) / 100);
  return { statementDate, dueDate, items, totalDue, minimumDue, overdueAmount };
}
