/**
 * Properties of the installment domain over generated amounts, counts, plans and repayments: schedules sum
 * exactly, due dates follow the cycle day, and allocation never pays more than owed, never goes negative and
 * follows the contract's order (overdue fee then principal, oldest first; the current statement; then future
 * principal with no future fees).
 */
import fc from 'fast-check';
import { parseFeeTable } from '../../shared/config.js';
import {
  type AllocationLine,
  allocate,
  applyAllocation,
  type InstallmentPlan,
  planUnpaidPrincipal,
  refundPlan,
  statusOn,
} from '../../shared/installments/plan.js';
import {
  buildSchedule,
  cycleDayOf,
  feeAfter,
  INSTALLMENT_COUNTS,
  planFee,
  quote,
  splitLargestRemainder,
  statementDates,
} from '../../shared/installments/schedule.js';
import { MAX_AMOUNT_MINOR } from '../../shared/money.js';

const GRACE = 3;
const CAPTURED = Date.parse('2026-06-18T10:00:00.000Z');
const amount = fc.integer({ min: 1, max: MAX_AMOUNT_MINOR });
const count = fc.constantFrom(...INSTALLMENT_COUNTS);

function planOf(id: string, principal: number, n: number, bps: number, cycleDay: number): InstallmentPlan {
  const q = quote({
    amount: principal,
    count: n,
    feeRateBps: bps,
    waiver: { kind: 'none' },
    capturedAtMs: CAPTURED,
    cycleDay,
    paymentDueDays: 10,
  });
  return {
    id,
    accountId: 'acct',
    authorizationId: `auth_${id}`,
    currency: 'CNY',
    principal,
    count: n,
    feeRateBps: bps,
    totalFee: q.totalFee,
    feeWaived: false,
    installments: q.schedule.map((r) => ({ ...r, paidPrincipal: 0, paidFee: 0, status: 'scheduled' })),
    createdAt: new Date(CAPTURED).toISOString(),
    updatedAt: new Date(CAPTURED).toISOString(),
    version: 1,
  };
}

const planArb = fc
  .record({
    principal: fc.integer({ min: 24, max: 10_000_000 }),
    n: count,
    bps: fc.integer({ min: 0, max: 500 }),
    cycleDay: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ principal, n, bps, cycleDay }) => ({ principal, n, bps, cycleDay }));
const todayArb = fc
  .integer({ min: 0, max: 800 })
  .map((d) => new Date(CAPTURED + d * 86_400_000).toISOString().slice(0, 10));

describe('installment schedules', () => {
  it('splits any amount into parts that sum exactly and differ by at most one unit', () => {
    fc.assert(
      fc.property(amount, count, (total, n) => {
        const parts = splitLargestRemainder(total, new Array(n).fill(1));
        expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        expect(parts.every((p) => Number.isSafeInteger(p) && p >= 0)).toBe(true);
      }),
    );
  });

  it('splits by any weights exactly, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        amount,
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 24 }),
        (total, w) => {
          fc.pre(w.some((x) => x > 0));
          const parts = splitLargestRemainder(total, w);
          const sum = w.reduce((s, x) => s + x, 0);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
          parts.forEach((p, i) => {
            expect(Math.abs(p - (total * (w[i] ?? 0)) / sum)).toBeLessThan(1 + 1e-6 * total);
          });
        },
      ),
    );
  });

  it('gives a schedule whose principals sum to the amount and fees to the total fee', () => {
    fc.assert(
      fc.property(
        amount,
        count,
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 28 }),
        (a, n, bps, day) => {
          const q = quote({
            amount: a,
            count: n,
            feeRateBps: bps,
            waiver: { kind: 'none' },
            capturedAtMs: CAPTURED,
            cycleDay: day,
            paymentDueDays: 10,
          });
          expect(q.schedule).toHaveLength(n);
          expect(q.schedule.reduce((s, r) => s + r.principal, 0)).toBe(a);
          expect(q.schedule.reduce((s, r) => s + r.fee, 0)).toBe(q.totalFee);
          expect(q.totalFee).toBe(planFee(a, n, bps));
        },
      ),
    );
  });

  it('bills on the cycle day of each following month, strictly after the capture day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 1, max: 28 }), count, (d, day, n) => {
        const at = CAPTURED + d * 86_400_000;
        const dates = statementDates(at, day, n);
        expect(dates[0]! > new Date(at).toISOString().slice(0, 10)).toBe(true);
        for (const [k, date] of dates.entries()) {
          expect(Number(date.slice(8, 10))).toBe(day);
          if (k > 0) expect(date > dates[k - 1]!).toBe(true);
        }
      }),
    );
  });

  it('waives the fee with an interest-free coupon and discounts it in the customer favour', () => {
    expect(feeAfter(1_000, { kind: 'interest_free' })).toBe(0);
    expect(feeAfter(1_001, { kind: 'fee_discount', bps: 5_000 })).toBe(500);
    const q = quote({
      amount: 500_000,
      count: 12,
      feeRateBps: 66,
      waiver: { kind: 'interest_free' },
      capturedAtMs: CAPTURED,
      cycleDay: 5,
      paymentDueDays: 10,
    });
    expect(q).toMatchObject({ totalFee: 0, feeWaived: true });
    expect(q.schedule.map((r) => r.fee)).toEqual(new Array(12).fill(0));
  });

  it('reads the documented fee table and keeps the cycle day in 1-28', () => {
    expect(parseFeeTable('3:75,6:70,12:66,24:60')).toEqual({ 3: 75, 6: 70, 12: 66, 24: 60 });
    expect(() => parseFeeTable('3:75,3:70')).toThrow();
    expect(() => parseFeeTable('3:900')).toThrow();
    fc.assert(fc.property(fc.string(), (id) => cycleDayOf(id) >= 1 && cycleDayOf(id) <= 28));
    expect(
      buildSchedule({
        principal: 100,
        count: 3,
        totalFee: 2,
        capturedAtMs: CAPTURED,
        cycleDay: 20,
        paymentDueDays: 10,
      }),
    ).toEqual([
      { sequence: 1, statementDate: '2026-06-20', dueDate: '2026-06-30', principal: 34, fee: 1 },
      { sequence: 2, statementDate: '2026-07-20', dueDate: '2026-07-30', principal: 33, fee: 1 },
      { sequence: 3, statementDate: '2026-08-20', dueDate: '2026-08-30', principal: 33, fee: 0 },
    ]);
  });
});

const owedOf = (plans: InstallmentPlan[], today: string) =>
  plans.flatMap((p) => p.installments.map((i) => ({ p, i, status: statusOn(i, today, GRACE) })));

describe('repayment allocation', () => {
  const scenario = fc.record({
    specs: fc.array(planArb, { minLength: 0, maxLength: 4 }),
    oneOff: fc.integer({ min: 0, max: 1_000_000 }),
    today: todayArb,
    pay: fc.integer({ min: 0, max: 30_000_000 }),
  });

  it('never pays a row more than it owes, never a negative part, and accounts for every unit', () => {
    fc.assert(
      fc.property(scenario, ({ specs, oneOff, today, pay }) => {
        const plans = specs.map((s, k) => planOf(`plan_${k}`, s.principal, s.n, s.bps, s.cycleDay));
        const a = allocate({ plans, oneOffPrincipal: oneOff, amount: pay, today, graceDays: GRACE });
        const lineSum = a.lines.reduce((s, l) => s + l.principal + l.fee, 0);
        expect(lineSum + a.unallocated).toBe(pay);
        for (const l of a.lines) {
          expect(l.principal).toBeGreaterThanOrEqual(0);
          expect(l.fee).toBeGreaterThanOrEqual(0);
          if (l.planId === undefined) {
            expect(l.principal).toBeLessThanOrEqual(oneOff);
            continue;
          }
          const row = plans
            .find((p) => p.id === l.planId)
            ?.installments.find((i) => i.sequence === l.sequence);
          expect(l.principal).toBeLessThanOrEqual(row!.principal - row!.paidPrincipal);
          expect(l.fee).toBeLessThanOrEqual(row!.fee - row!.paidFee);
        }
        const owed = owedOf(plans, today).reduce(
          (s, { i, status }) => s + i.principal + (status === 'scheduled' ? 0 : i.fee),
          oneOff,
        );
        expect(a.unallocated).toBe(Math.max(0, pay - owed));
      }),
    );
  });

  it('follows the order: nothing reaches a later bucket while an earlier one still owes', () => {
    fc.assert(
      fc.property(scenario, ({ specs, oneOff, today, pay }) => {
        const plans = specs.map((s, k) => planOf(`plan_${k}`, s.principal, s.n, s.bps, s.cycleDay));
        const a = allocate({ plans, oneOffPrincipal: oneOff, amount: pay, today, graceDays: GRACE });
        const paidTo = (l: AllocationLine) => l.principal + l.fee;
        const rows = owedOf(plans, today);
        const bucketPaid = (status: string) =>
          a.lines
            .filter((l) =>
              rows.some((r) => r.p.id === l.planId && r.i.sequence === l.sequence && r.status === status),
            )
            .reduce((s, l) => s + paidTo(l), 0);
        const bucketOwed = (status: string) =>
          rows.filter((r) => r.status === status).reduce((s, r) => s + r.i.principal + r.i.fee, 0);
        const oneOffPaid = a.lines.find((l) => l.planId === undefined)?.principal ?? 0;
        if (bucketPaid('due') + oneOffPaid + bucketPaid('scheduled') > 0)
          expect(bucketPaid('overdue')).toBe(bucketOwed('overdue'));
        if (bucketPaid('scheduled') > 0) {
          expect(bucketPaid('due')).toBe(bucketOwed('due'));
          expect(oneOffPaid).toBe(oneOff);
        }
        // Early repayment never pays a future fee.
        for (const l of a.lines)
          if (
            rows.some((r) => r.p.id === l.planId && r.i.sequence === l.sequence && r.status === 'scheduled')
          )
            expect(l.fee).toBe(0);
      }),
    );
  });

  it('pays fee before principal on each overdue row, oldest row first', () => {
    const plan = planOf('p', 120_000, 12, 66, 5);
    const today = '2026-09-10'; // July's and August's installments are overdue, September's is due
    expect(plan.installments.slice(0, 4).map((i) => statusOn(i, today, GRACE))).toEqual([
      'overdue',
      'overdue',
      'due',
      'scheduled',
    ]);
    const fee = plan.installments[0]!.fee;
    const a = allocate({ plans: [plan], oneOffPrincipal: 0, amount: fee + 5, today, graceDays: GRACE });
    expect(a.lines).toEqual([{ planId: 'p', sequence: 1, principal: 5, fee }]);
  });

  it('applies an allocation so unpaid principal falls by exactly what it paid, and an early payoff owes no fee', () => {
    fc.assert(
      fc.property(planArb, todayArb, fc.integer({ min: 0, max: 20_000_000 }), (s, today, pay) => {
        const plan = planOf('p', s.principal, s.n, s.bps, s.cycleDay);
        const a = allocate({ plans: [plan], oneOffPrincipal: 0, amount: pay, today, graceDays: GRACE });
        const next = applyAllocation(plan, a.lines, today, GRACE, `${today}T00:00:00.000Z`);
        expect(planUnpaidPrincipal(next)).toBe(planUnpaidPrincipal(plan) - a.principal);
        for (const i of next.installments) {
          expect(i.paidFee).toBeLessThanOrEqual(i.fee);
          if (
            statusOn(plan.installments[i.sequence - 1]!, today, GRACE) === 'scheduled' &&
            i.paidPrincipal === i.principal
          )
            expect(i.fee).toBe(0);
        }
      }),
    );
  });

  it('refunds from the last installment backwards and never below what was paid', () => {
    fc.assert(
      fc.property(planArb, fc.integer({ min: 0, max: 20_000_000 }), (s, refund) => {
        const plan = planOf('p', s.principal, s.n, s.bps, s.cycleDay);
        const { plan: next, reducedPrincipal } = refundPlan(plan, refund, '2026-06-18', GRACE, 'now');
        expect(reducedPrincipal).toBe(Math.min(refund, s.principal));
        expect(planUnpaidPrincipal(next)).toBe(s.principal - reducedPrincipal);
        const cut = next.installments.map((i, k) => plan.installments[k]!.principal - i.principal);
        const firstCut = cut.findIndex((c) => c > 0);
        // Every row after the first one cut is cut to zero.
        if (firstCut >= 0) for (const i of next.installments.slice(firstCut + 1)) expect(i.principal).toBe(0);
        for (const i of next.installments) expect(i.fee).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
