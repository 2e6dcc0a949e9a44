/** Which notices are due (shared/notices/model.ts): pure, so every window edge is pinned here. */
import fc from 'fast-check';
import { newAccount, type StagedPromotion } from '../../shared/accounts/model.js';
import type { Coupon } from '../../shared/coupons/model.js';
import type { Installment, InstallmentPlan } from '../../shared/installments/plan.js';
import {
  COUPON_EXPIRING_DAYS,
  DUE_SOON_DAYS,
  NOTICE_KEEP_DAYS,
  type NoticeInput,
  noticeKeptUntil,
  noticesDue,
} from '../../shared/notices/model.js';

const DAY_MS = 86_400_000;
const noon = (date: string) => Date.parse(`${date}T12:00:00.000Z`);
const addDays = (date: string, days: number) =>
  new Date(Date.parse(date) + days * DAY_MS).toISOString().slice(0, 10);

const row = (sequence: number, statementDate: string, dueDate: string, paid = false): Installment => ({
  sequence,
  statementDate,
  dueDate,
  principal: 10_000,
  fee: 330,
  paidPrincipal: paid ? 10_000 : 0,
  paidFee: paid ? 330 : 0,
  status: 'scheduled',
});
const plan = (installments: Installment[]): InstallmentPlan => ({
  id: 'plan_1',
  accountId: 'acc_1',
  authorizationId: 'auth_1',
  currency: 'CNY',
  principal: 10_000 * installments.length,
  count: installments.length,
  feeRateBps: 33,
  totalFee: 330 * installments.length,
  feeWaived: false,
  installments,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  version: 1,
});
const coupon = (validUntil: string, status: Coupon['status'] = 'issued'): Coupon => ({
  id: 'cpn_1',
  accountId: 'acc_1',
  kind: 'interest_free',
  counts: [3],
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil,
  status,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
});
const promotion = (startsAt: string, endsAt: string, amount = 50_000): StagedPromotion => ({
  id: 'fest',
  kind: 'uplift',
  amount,
  startsAt,
  endsAt,
});

function input(
  overrides: Partial<NoticeInput> & { outstanding?: number; promotions?: StagedPromotion[] },
): NoticeInput {
  const account = {
    ...newAccount({
      id: 'acc_1',
      currency: 'CNY',
      creditLimit: 1_000_000,
      riskTier: 'A',
      now: '2026-11-01T00:00:00.000Z',
    }),
    outstanding: overrides.outstanding ?? 0,
    promotions: overrides.promotions ?? [],
  };
  return {
    account,
    plans: [],
    coupons: [],
    promotionNames: new Map([['fest', 'Double 12']]),
    nowMs: noon('2026-12-01'),
    rules: { graceDays: 3, paymentDueDays: 20 },
    ...overrides,
  };
}
const typesAt = (i: NoticeInput) => noticesDue(i).map((n) => `${n.type}#${n.subject}`);

describe('installment.due_soon', () => {
  const plans = [plan([row(1, '2026-11-20', '2026-12-10', true), row(2, '2026-12-20', '2027-01-09')])];

  it(`from ${DUE_SOON_DAYS} days before the due date to the due date, for unpaid installments only`, () => {
    const at = (date: string) => typesAt(input({ plans, outstanding: 10_000, nowMs: noon(date) }));
    expect(at('2027-01-05')).not.toContain('installment.due_soon#plan_1#2');
    expect(at('2027-01-06')).toContain('installment.due_soon#plan_1#2');
    expect(at('2027-01-09')).toContain('installment.due_soon#plan_1#2');
    expect(at('2027-01-10')).not.toContain('installment.due_soon#plan_1#2');
    // Installment 1 is paid: never due soon.
    expect(at('2026-12-08')).not.toContain('installment.due_soon#plan_1#1');
  });

  it('carries the installment as its plan shows it, named by its plan, with what is left to pay', () => {
    const [due] = noticesDue(input({ plans, outstanding: 10_000, nowMs: noon('2027-01-07') })).filter(
      (n) => n.type === 'installment.due_soon',
    );
    expect(due?.data).toMatchObject({
      object: 'installment',
      installmentPlanId: 'plan_1',
      sequence: 2,
      dueDate: '2027-01-09',
      status: 'due',
      amountDue: 10_330,
    });
    expect(due?.closesAtMs).toBe(Date.parse('2027-01-10T00:00:00.000Z'));
  });
});

describe('statement.issued', () => {
  it("the cycle's statement once it has something on it, until its due date; never an empty one", () => {
    // One-off purchases of 5,000 and no plans: the account's cycle day decides the statement date.
    const issued = noticesDue(input({ outstanding: 5_000 })).filter((n) => n.type === 'statement.issued');
    expect(issued).toHaveLength(1);
    const statement = issued[0]!.data as { statementDate: string; dueDate: string; totalDue: number };
    expect(statement).toMatchObject({
      object: 'statement',
      accountId: 'acc_1',
      currency: 'CNY',
      totalDue: 5_000,
    });
    expect(issued[0]!.subject).toBe(statement.statementDate);
    expect(noticesDue(input({ outstanding: 0 })).filter((n) => n.type === 'statement.issued')).toEqual([]);
    // On its due date the window has closed.
    const onDueDate = input({ outstanding: 5_000, nowMs: noon(statement.dueDate) });
    const late = noticesDue(onDueDate).filter((n) => n.type === 'statement.issued');
    expect(late.every((n) => n.subject !== statement.statementDate)).toBe(true);
  });
});

describe('coupon.expiring', () => {
  it(`an issued coupon with at most ${COUPON_EXPIRING_DAYS} days left; not a redeemed or expired one`, () => {
    const nowMs = noon('2026-12-01');
    const until = (ms: number) => new Date(ms).toISOString();
    const at = (c: Coupon) => typesAt(input({ coupons: [c], nowMs }));
    expect(at(coupon(until(nowMs + COUPON_EXPIRING_DAYS * DAY_MS + 1)))).toEqual([]);
    expect(at(coupon(until(nowMs + COUPON_EXPIRING_DAYS * DAY_MS)))).toEqual(['coupon.expiring#cpn_1']);
    expect(at(coupon(until(nowMs + 1)))).toEqual(['coupon.expiring#cpn_1']);
    expect(at(coupon(until(nowMs)))).toEqual([]);
    expect(at(coupon(until(nowMs + DAY_MS), 'redeemed'))).toEqual([]);
  });
});

describe('promotion.started', () => {
  it('a staged promotion in force, with its name, at its start instant; not before, after, or a zero grant', () => {
    const fest = promotion('2026-12-12T00:00:00.000Z', '2026-12-13T00:00:00.000Z');
    const at = (iso: string, p = fest) => noticesDue(input({ promotions: [p], nowMs: Date.parse(iso) }));
    expect(at('2026-12-11T23:59:59.999Z')).toEqual([]);
    const [started] = at('2026-12-12T00:00:00.000Z');
    expect(started).toMatchObject({
      type: 'promotion.started',
      subject: 'fest',
      createdAt: '2026-12-12T00:00:00.000Z',
      data: { id: 'fest', name: 'Double 12', amount: 50_000, status: 'active' },
    });
    expect(at('2026-12-13T00:00:00.000Z')).toEqual([]);
    expect(at('2026-12-12T06:00:00.000Z', { ...fest, amount: 0 })).toEqual([]);
  });
});

describe('every notice', () => {
  const day = fc.integer({ min: 0, max: 400 }).map((n) => addDays('2026-11-01', n));

  it('is issued only before its window closes, and its item is kept well past that close', () => {
    fc.assert(
      fc.property(
        day,
        day,
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 2 }),
        (now, due, extra, paidCount) => {
          const rows = [0, 1, 2].map((k) =>
            row(k + 1, addDays(due, 30 * k - 20), addDays(due, 30 * k), k < paidCount),
          );
          const nowMs = noon(now);
          const notices = noticesDue(
            input({
              plans: [plan(rows)],
              outstanding: 10_000 * (3 - paidCount) + extra,
              coupons: [coupon(new Date(noon(due)).toISOString())],
              promotions: [promotion(`${due}T00:00:00.000Z`, `${addDays(due, 2)}T00:00:00.000Z`)],
              nowMs,
            }),
          );
          for (const notice of notices) {
            expect(nowMs).toBeLessThan(notice.closesAtMs);
            expect(noticeKeptUntil(notice, nowMs) * 1000).toBeGreaterThanOrEqual(
              notice.closesAtMs + NOTICE_KEEP_DAYS * DAY_MS,
            );
          }
          // One notice per subject and type.
          const keys = notices.map((n) => `${n.type}#${n.subject}`);
          expect(new Set(keys).size).toBe(keys.length);
        },
      ),
    );
  });
});
