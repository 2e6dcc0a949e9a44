/** Billing: which installments become overdue after the grace days, and the record the profile gets. */
import { billPlan, daysLate, profileWithOverdue } from '../../shared/installments/billing.js';
import type { InstallmentPlan } from '../../shared/installments/plan.js';
import { profile } from './policy/factories.js';

const row = (sequence: number, dueDate: string, paid = false) => ({
  sequence,
  statementDate: dueDate,
  dueDate,
  principal: 1_000,
  fee: 10,
  paidPrincipal: paid ? 1_000 : 0,
  paidFee: paid ? 10 : 0,
  status: 'scheduled' as const,
});
const plan: InstallmentPlan = {
  id: 'plan_x',
  accountId: 'acct',
  authorizationId: 'auth_x',
  currency: 'CNY',
  principal: 3_000,
  count: 3,
  feeRateBps: 33,
  totalFee: 30,
  feeWaived: false,
  installments: [row(1, '2026-07-15', true), row(2, '2026-08-15'), row(3, '2026-09-15')],
  createdAt: '2026-06-18T00:00:00.000Z',
  updatedAt: '2026-06-18T00:00:00.000Z',
  version: 1,
};

describe('billPlan', () => {
  it('turns an unpaid installment overdue only after the grace days, once', () => {
    expect(billPlan(plan, '2026-08-18', 3, 'now').newlyOverdue).toEqual([]);
    const billed = billPlan(plan, '2026-08-19', 3, 'now');
    expect(billed.newlyOverdue.map((r) => r.sequence)).toEqual([2]);
    expect(billed.plan.installments.map((r) => r.status)).toEqual(['paid', 'overdue', 'scheduled']);
    expect(billPlan(billed.plan, '2026-08-20', 3, 'later').newlyOverdue).toEqual([]);
  });
});

describe('profileWithOverdue', () => {
  it('counts each overdue row, stamps the latest and keeps the longest lateness', () => {
    const rows = billPlan(plan, '2026-09-30', 3, 'now').newlyOverdue;
    expect(rows.map((r) => daysLate(r, '2026-09-30'))).toEqual([46, 15]);
    expect(profileWithOverdue(profile(), rows, '2026-09-30', '2026-09-30T12:00:00.000Z')).toMatchObject({
      overdueCount: 2,
      maxOverdueDays: 46,
      lastOverdueAt: '2026-09-30T12:00:00.000Z',
    });
    expect(profileWithOverdue(profile(), [], '2026-09-30', 'x')).toEqual(profile());
  });
});
