/**
 * The compact stored form of a plan (shared/installments/stored-plan.ts) is exact: any plan, as captured and
 * after any sequence of repayments, refunds and days passing, reads back equal to what was written; and a plan
 * just captured stores no row at all.
 */
import fc from 'fast-check';
import {
  allocate,
  applyAllocation,
  type InstallmentPlan,
  planOn,
  refundPlan,
} from '../../shared/installments/plan.js';
import { INSTALLMENT_COUNTS, quote } from '../../shared/installments/schedule.js';
import { planFromStored, planToStored } from '../../shared/installments/stored-plan.js';

const GRACE = 3;
const DAY_MS = 86_400_000;

function captured(
  principal: number,
  count: number,
  bps: number,
  cycleDay: number,
  atMs: number,
  free: boolean,
) {
  const q = quote({
    amount: principal,
    count,
    feeRateBps: bps,
    waiver: free ? { kind: 'interest_free' } : { kind: 'none' },
    capturedAtMs: atMs,
    cycleDay,
    paymentDueDays: 10,
  });
  const plan: InstallmentPlan = {
    id: 'plan_x',
    accountId: 'acct',
    authorizationId: 'auth_x',
    currency: 'CNY',
    principal,
    count,
    feeRateBps: bps,
    totalFee: q.totalFee,
    feeWaived: q.feeWaived,
    ...(free ? { couponId: 'cpn_1' } : {}),
    installments: q.schedule.map((r) => ({
      ...r,
      paidPrincipal: 0,
      paidFee: 0,
      status: 'scheduled' as const,
    })),
    createdAt: new Date(atMs).toISOString(),
    updatedAt: new Date(atMs).toISOString(),
    version: 1,
  };
  return plan;
}

const planArb = fc
  .record({
    principal: fc.integer({ min: 10_000, max: 1_000_000_000_000 }),
    count: fc.constantFrom(...INSTALLMENT_COUNTS),
    bps: fc.integer({ min: 0, max: 500 }),
    cycleDay: fc.integer({ min: 1, max: 28 }),
    atMs: fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2030-12-31') }),
    free: fc.boolean(),
  })
  .map((p) => captured(p.principal, p.count, p.bps, p.cycleDay, p.atMs, p.free));

type Step = { kind: 'repay' | 'refund'; share: number; days: number };
const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('repay' as const, 'refund' as const),
  share: fc.double({ min: 0, max: 1, noNaN: true }),
  days: fc.integer({ min: 0, max: 120 }),
});

const roundTrip = (plan: InstallmentPlan) => planFromStored(planToStored(plan));

describe('a plan as stored', () => {
  it('reads back equal to what was written, as captured and after any repayments, refunds and days', () => {
    fc.assert(
      fc.property(planArb, fc.array(stepArb, { maxLength: 8 }), (first, steps) => {
        let plan = first;
        expect(roundTrip(plan)).toEqual(plan);
        let now = Date.parse(plan.createdAt);
        for (const step of steps) {
          now += step.days * DAY_MS;
          const today = new Date(now).toISOString().slice(0, 10);
          const nowIso = new Date(now).toISOString();
          const owed = plan.installments.reduce((s, i) => s + i.principal - i.paidPrincipal, 0);
          const amount = Math.floor(owed * step.share);
          if (step.kind === 'refund') plan = refundPlan(plan, amount, today, GRACE, nowIso).plan;
          else {
            const a = allocate({ plans: [plan], oneOffPrincipal: 0, amount, today, graceDays: GRACE });
            plan = applyAllocation(plan, a.lines, today, GRACE, nowIso);
          }
          plan = { ...planOn(plan, today, GRACE), version: plan.version + 1 };
          // What is read back is the plan itself: amounts, statuses, dates, version.
          expect(roundTrip(plan)).toEqual(plan);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps no row of a plan just captured: only its scalars', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const stored = planToStored(plan);
        expect(stored.rows).toBeUndefined();
        expect(Object.values(stored).every((v) => typeof v !== 'object')).toBe(true);
      }),
    );
  });

  it('keeps only the rows that changed: one repaid installment is one stored row', () => {
    const plan = captured(1_200_000, 12, 66, 5, Date.parse('2026-06-18T10:00:00Z'), false);
    const paid = {
      ...plan,
      installments: plan.installments.map((i) =>
        i.sequence === 1 ? { ...i, paidPrincipal: i.principal, paidFee: i.fee, status: 'paid' as const } : i,
      ),
    };
    const stored = planToStored(paid);
    expect(stored.rows).toBe(`1:100000:${plan.installments[0]?.fee}:100000:${plan.installments[0]?.fee}:p`);
    expect(planFromStored(stored)).toEqual(paid);
  });
});
