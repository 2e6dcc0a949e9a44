/**
 * Installment schedules, as pure functions: the largest-remainder split (parts always sum exactly), the fee of a
 * count from the fee table, the due dates from the account's cycle day, and the quote a checkout shows.
 *
 * Fees are flat, as consumer-credit installment plans quote them: each period costs `feeRateBps` of the
 * purchase's principal, so a plan's total fee is principal x rate x count (rounded down to a minor unit), split
 * over the periods like the principal. A coupon waives the fee (`interest_free`) or takes a share off it
 * (`fee_discount`); either way `totalFee` is what is still charged.
 */
import { assert } from '../assert.js';
import { MAX_AMOUNT_MINOR } from '../money.js';

/** The counts a plan may have: the contract offers at least these; the fee table picks which are on offer. */
export const INSTALLMENT_COUNTS = [3, 6, 12, 24] as const;
/** The most rows a plan item holds (one per installment): keeps a plan item far below DynamoDB's 400 KB. */
export const MAX_INSTALLMENTS = 24;
/** Statement cycle days are 1-28, so every month has one. */
export const CYCLE_DAYS = 28;
const DAY_MS = 86_400_000;

export interface ScheduledInstallment {
  sequence: number;
  /** The statement that bills it (YYYY-MM-DD). */
  statementDate: string;
  /** Payment due (YYYY-MM-DD); overdue GRACE_DAYS after it if still unpaid. */
  dueDate: string;
  principal: number;
  fee: number;
}

export interface Quote {
  count: number;
  feeRateBps: number;
  totalFee: number;
  feeWaived: boolean;
  schedule: ScheduledInstallment[];
}

/**
 * Splits `total` into parts proportional to `weights` (non-negative integers, not all zero) by the largest
 * remainder method: each part gets the floor of its exact share, and the units left over go one each to the
 * parts with the largest fractional remainders (ties: the earlier part). The parts sum exactly to `total`.
 */
export function splitLargestRemainder(total: number, weights: readonly number[]): number[] {
  assert(Number.isSafeInteger(total) && total >= 0, 'a split total is a non-negative integer');
  assert(weights.length > 0, 'a split has at least one part');
  const weightSum = weights.reduce((s, w) => s + BigInt(w), 0n);
  assert(weightSum > 0n, 'a split has a positive weight');
  // BigInt: total x weight may exceed 2^53 (10^12 x a weight of 10^12).
  const exact = weights.map((w) => BigInt(total) * BigInt(w));
  const parts = exact.map((e) => e / weightSum);
  let left = BigInt(total) - parts.reduce((s, p) => s + p, 0n);
  const byRemainder = exact
    .map((e, i) => ({ i, remainder: e % weightSum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  const result = parts.map(Number);
  assert(result.reduce((s, p) => s + p, 0) === total, 'split parts sum to the total');
  return result;
}

/** `n` equal shares of `total`, the extra units on the first parts. */
export const splitEvenly = (total: number, n: number): number[] =>
  splitLargestRemainder(total, new Array<number>(n).fill(1));

/** The full fee of a plan before any coupon: principal x rate x count, rounded down to a minor unit. */
export function planFee(principal: number, count: number, feeRateBps: number): number {
  const fee = (BigInt(principal) * BigInt(feeRateBps) * BigInt(count)) / 10_000n;
  assert(fee <= BigInt(MAX_AMOUNT_MINOR) * 24n, 'a plan fee stays in bounds');
  return Number(fee);
}

/** The account's statement cycle day (1-28), fixed by its id so every reader agrees without storing it. */
export function cycleDayOf(accountId: string): number {
  let hash = 0;
  for (const ch of accountId) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) % 1_000_003;
  return 1 + (hash % CYCLE_DAYS);
}

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The statement dates of a plan captured at `capturedAtMs`: the cycle day of each following month, the first
 * strictly after the capture's day (UTC), so a purchase is never billed on the day it is made.
 */
export function statementDates(capturedAtMs: number, cycleDay: number, count: number): string[] {
  assert(cycleDay >= 1 && cycleDay <= CYCLE_DAYS, 'a cycle day is 1-28');
  const at = new Date(capturedAtMs);
  const firstMonthOffset = at.getUTCDate() < cycleDay ? 0 : 1;
  return Array.from({ length: count }, (_, k) =>
    isoDate(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + firstMonthOffset + k, cycleDay)),
  );
}

/** A date `days` after a YYYY-MM-DD date. */
export const addDays = (date: string, days: number): string => isoDate(Date.parse(date) + days * DAY_MS);

export interface ScheduleInput {
  principal: number;
  count: number;
  /** The fee charged over the whole plan (after any coupon). */
  totalFee: number;
  capturedAtMs: number;
  cycleDay: number;
  paymentDueDays: number;
}

/** The rows of a plan: principal and fee each split evenly (largest remainder), one row per statement. */
export function buildSchedule(input: ScheduleInput): ScheduledInstallment[] {
  const { principal, count, totalFee } = input;
  assert(count >= 1 && count <= MAX_INSTALLMENTS, 'a plan has 1-24 installments');
  const principals = splitEvenly(principal, count);
  const fees = splitEvenly(totalFee, count);
  return statementDates(input.capturedAtMs, input.cycleDay, count).map((statementDate, k) => ({
    sequence: k + 1,
    statementDate,
    dueDate: addDays(statementDate, input.paymentDueDays),
    principal: principals[k] ?? 0,
    fee: fees[k] ?? 0,
  }));
}

/** What a coupon does to a fee: nothing, all of it (interest free) or a share in basis points (fee discount). */
export type FeeWaiver = { kind: 'none' } | { kind: 'interest_free' } | { kind: 'fee_discount'; bps: number };

export function feeAfter(fullFee: number, waiver: FeeWaiver): number {
  if (waiver.kind === 'interest_free') return 0;
  if (waiver.kind === 'none') return fullFee;
  assert(waiver.bps >= 0 && waiver.bps <= 10_000, 'a discount is 0-10,000 bps');
  // Rounded in the customer's favour (the discount up); BigInt because fee x bps may pass 2^53.
  const off = (BigInt(fullFee) * BigInt(waiver.bps) + 9_999n) / 10_000n;
  return fullFee - Number(off);
}

export interface QuoteInput {
  amount: number;
  count: number;
  feeRateBps: number;
  waiver: FeeWaiver;
  capturedAtMs: number;
  cycleDay: number;
  paymentDueDays: number;
}

export function quote(input: QuoteInput): Quote {
  const full = planFee(input.amount, input.count, input.feeRateBps);
  const totalFee = feeAfter(full, input.waiver);
  const schedule = buildSchedule({ ...input, principal: input.amount, totalFee });
  return {
    count: input.count,
    feeRateBps: input.feeRateBps,
    totalFee,
    feeWaived: totalFee < full,
    schedule,
  };
}
