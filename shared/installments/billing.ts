/**
 * Billing, as pure functions of a plan, a profile and `today`: which installments become overdue (unpaid
 * GRACE_DAYS after their due date), and the overdue record that reaches the account's credit profile, which the
 * next limit refresh reads (shared/policy/limit-policy.ts: `overdue_recent`, a temporary risk reduction).
 */
import type { CreditProfile } from '../profiles/model.js';
import { type Installment, type InstallmentPlan, planOn } from './plan.js';

const DAY_MS = 86_400_000;

export interface Billed {
  plan: InstallmentPlan;
  /** Rows that became overdue in this run (each is recorded once: an overdue row stays overdue). */
  newlyOverdue: Installment[];
}

/** The plan's statuses as of `today`, and the rows this run turned overdue. */
export function billPlan(plan: InstallmentPlan, today: string, graceDays: number, nowIso: string): Billed {
  const next = planOn(plan, today, graceDays);
  const newlyOverdue = next.installments.filter(
    (row, k) => row.status === 'overdue' && plan.installments[k]?.status !== 'overdue',
  );
  return { plan: newlyOverdue.length ? { ...next, updatedAt: nowIso } : plan, newlyOverdue };
}

/** Days an installment has been late on `today` (from its due date). */
export const daysLate = (row: Installment, today: string): number =>
  Math.max(0, Math.round((Date.parse(today) - Date.parse(row.dueDate)) / DAY_MS));

/** The profile with the new overdue record: one more overdue per row, the latest now, the longest lateness. */
export function profileWithOverdue(
  profile: CreditProfile,
  rows: readonly Installment[],
  today: string,
  nowIso: string,
): CreditProfile {
  if (rows.length === 0) return profile;
  const maxLate = Math.max(profile.maxOverdueDays, ...rows.map((r) => daysLate(r, today)));
  return {
    ...profile,
    overdueCount: profile.overdueCount + rows.length,
    maxOverdueDays: Math.min(maxLate, 3_650),
    lastOverdueAt: nowIso,
  };
}
