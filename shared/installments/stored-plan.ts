/**
 * How a plan is stored on its authorization's item: compact. A plan's schedule is a pure function of its
 * principal, count, fee and first statement date (principal and fee each split evenly by the largest remainder,
 * one row a month, due `paymentDueDays` after its statement), so it is not stored row by row: the item keeps the
 * plan's scalars and, in one string, only the rows that differ from that derived schedule (a row paid on, refunded,
 * overdue or due). A plan just captured has no such row: its attribute is a map of scalars, not a list of 12-24
 * maps of eight attributes each, which DynamoDB would parse, check and store on every write and read of the hold.
 *
 * The encoding is exact: `planFromStored(planToStored(p))` equals `p` for every plan (property-tested), so every
 * guarantee computed from a plan (sums, allocation, refunds) is unchanged. A stored row reads
 * `sequence:principal:fee:paidPrincipal:paidFee:status` (status `s`cheduled, `d`ue, `p`aid or `o`verdue).
 */
import { assert } from '../assert.js';
import type { Installment, InstallmentPlan, InstallmentStatus } from './plan.js';
import { addDays, splitEvenly } from './schedule.js';

/** The plan as its item holds it; `version` at the top, as the guarded updates read it. */
export interface StoredPlan extends Omit<InstallmentPlan, 'installments'> {
  /** The first installment's statement date (YYYY-MM-DD); the k-th is the same day k-1 months later. */
  firstStatementDate: string;
  paymentDueDays: number;
  /** The fee the derived schedule splits (rows that differ from its split are in `rows`). */
  baseFee: number;
  /** The rows that differ from the derived schedule, comma separated; absent when none does. */
  rows?: string;
}

const STATUS_CODES: Record<InstallmentStatus, string> = { scheduled: 's', due: 'd', paid: 'p', overdue: 'o' };
const STATUSES: Record<string, InstallmentStatus> = { s: 'scheduled', d: 'due', p: 'paid', o: 'overdue' };
const ROW = /^(\d+):(\d+):(\d+):(\d+):(\d+):([sdpo])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Statement dates a month apart from the first, on its day of the month (a cycle day is 1-28). */
function statementDatesFrom(first: string, count: number): string[] {
  const m = DATE.exec(first);
  assert(m !== null && Number(m[3]) <= 28, `a first statement date on a cycle day (${first})`);
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  return Array.from({ length: count }, (_, k) =>
    new Date(Date.UTC(year, month + k, day)).toISOString().slice(0, 10),
  );
}

/** The rows a plan's scalars derive: unpaid, scheduled, principal and fee split evenly. */
function derivedRows(
  s: Pick<StoredPlan, 'principal' | 'count' | 'baseFee' | 'firstStatementDate' | 'paymentDueDays'>,
) {
  const principals = splitEvenly(s.principal, s.count);
  const fees = splitEvenly(s.baseFee, s.count);
  return statementDatesFrom(s.firstStatementDate, s.count).map(
    (statementDate, k): Installment => ({
      sequence: k + 1,
      statementDate,
      dueDate: addDays(statementDate, s.paymentDueDays),
      principal: principals[k] ?? 0,
      fee: fees[k] ?? 0,
      paidPrincipal: 0,
      paidFee: 0,
      status: 'scheduled',
    }),
  );
}

const sameRow = (a: Installment, b: Installment | undefined): boolean =>
  b !== undefined &&
  a.sequence === b.sequence &&
  a.statementDate === b.statementDate &&
  a.dueDate === b.dueDate &&
  a.principal === b.principal &&
  a.fee === b.fee &&
  a.paidPrincipal === b.paidPrincipal &&
  a.paidFee === b.paidFee &&
  a.status === b.status;

export function planToStored(plan: InstallmentPlan): StoredPlan {
  const first = plan.installments[0];
  assert(first !== undefined, `plan ${plan.id} has rows`);
  const paymentDueDays = Math.round((Date.parse(first.dueDate) - Date.parse(first.statementDate)) / DAY_MS);
  const base = {
    principal: plan.principal,
    count: plan.count,
    baseFee: plan.totalFee,
    firstStatementDate: first.statementDate,
    paymentDueDays,
  };
  const derived = derivedRows(base);
  const rows = plan.installments
    .filter((row, k) => !sameRow(row, derived[k]))
    .map((r) => {
      // Dates and sequences are never changed after the capture: a stored row carries only amounts and status.
      const d = derived[r.sequence - 1];
      assert(
        d !== undefined && d.statementDate === r.statementDate && d.dueDate === r.dueDate,
        `plan ${plan.id} row ${r.sequence} keeps its derived dates`,
      );
      return `${r.sequence}:${r.principal}:${r.fee}:${r.paidPrincipal}:${r.paidFee}:${STATUS_CODES[r.status]}`;
    });
  const stored: StoredPlan = {
    id: plan.id,
    accountId: plan.accountId,
    authorizationId: plan.authorizationId,
    currency: plan.currency,
    feeRateBps: plan.feeRateBps,
    totalFee: plan.totalFee,
    feeWaived: plan.feeWaived,
    ...(plan.couponId === undefined ? {} : { couponId: plan.couponId }),
    ...(plan.couponOnAccount ? { couponOnAccount: true } : {}),
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    version: plan.version,
    ...base,
    ...(rows.length > 0 ? { rows: rows.join(',') } : {}),
  };
  return stored;
}

export function planFromStored(s: StoredPlan): InstallmentPlan {
  const installments = derivedRows(s);
  for (const text of s.rows ? s.rows.split(',') : []) {
    const m = ROW.exec(text);
    assert(m !== null, `plan ${s.id} stored row ${text}`);
    const row = installments[Number(m[1]) - 1];
    assert(row !== undefined, `plan ${s.id} stored row ${text} is one of its ${s.count}`);
    row.principal = Number(m[2]);
    row.fee = Number(m[3]);
    row.paidPrincipal = Number(m[4]);
    row.paidFee = Number(m[5]);
    row.status = STATUSES[m[6] ?? ''] ?? 'scheduled';
  }
  return {
    id: s.id,
    accountId: s.accountId,
    authorizationId: s.authorizationId,
    currency: s.currency,
    principal: s.principal,
    count: s.count,
    feeRateBps: s.feeRateBps,
    totalFee: s.totalFee,
    feeWaived: s.feeWaived,
    ...(s.couponId === undefined ? {} : { couponId: s.couponId }),
    ...(s.couponOnAccount ? { couponOnAccount: true } : {}),
    installments,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}
