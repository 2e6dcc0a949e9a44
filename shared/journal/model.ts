/**
 * Journal entries: one immutable record per movement, written in the same transaction as the balance change.
 * Entries carry the signed deltas they applied; replaying them in order reproduces the account's figures.
 */
import type { Account, BalanceDelta } from '../accounts/model.js';
import { availableDelta } from '../accounts/model.js';

export type JournalEntryType =
  | 'reserve'
  | 'increment'
  | 'capture'
  | 'release'
  | 'expire'
  | 'refund'
  | 'repayment'
  | 'review_decline'
  | 'limit_change'
  /** Status changes move no money (zero delta) but belong in the account's history. */
  | 'freeze'
  | 'unfreeze'
  /** The billing run found an installment unpaid past its grace days: no money moves (fees and principal were already owed). */
  | 'installment_overdue';

export interface Reason {
  code: string;
  message: string;
}

export interface JournalEntry {
  id: string;
  accountId: string;
  type: JournalEntryType;
  amount: number;
  delta: BalanceDelta;
  authorizationId?: string;
  reasons?: Reason[];
  policyVersion?: string;
  /** Place within its transaction when one write journals several movements. */
  sequence?: number;
  /**
   * On a staging's `limit_change`: the promotion windows it staged (accounts/model.PromotionWindow, relative to the
   * figures after this entry). They take effect at their instants with no entry of their own; replay at an instant
   * applies the latest staging's window in force then.
   */
  windows?: JournalWindow[];
  /** A repayment's allocation: what it paid of which installment (fee and principal) and of one-off purchases. */
  allocation?: Array<{ planId?: string; sequence?: number; principal: number; fee: number }>;
  createdAt: string;
}

export interface JournalWindow {
  startsAt: string;
  endsAt: string;
  promoDeltaMinor: number;
}

export interface Balances {
  totalLimit: number;
  reserved: number;
  outstanding: number;
  available: number;
}

export function applyDelta(b: Balances, delta: BalanceDelta): Balances {
  return {
    totalLimit: b.totalLimit + delta.totalLimit,
    reserved: b.reserved + delta.reserved,
    outstanding: b.outstanding + delta.outstanding,
    available: b.available + availableDelta(delta),
  };
}

/** The balances an account opened with (its first limit is journaled as the opening limit_change). */
export const EMPTY_BALANCES: Balances = { totalLimit: 0, reserved: 0, outstanding: 0, available: 0 };

/**
 * Replays entries (oldest first) from nothing. Reconciliation compares the result with the account item. With
 * `atIso`, the figures at that instant: the latest staging's promotion window in force then moves the limit (as
 * accounts/model.figuresAt does for the account); without it, the stored figures.
 */
export function replay(entries: readonly JournalEntry[], atIso?: string): Balances {
  const stored = entries.reduce((b, e) => applyDelta(b, e.delta), EMPTY_BALANCES);
  if (atIso === undefined) return stored;
  const staged = entries.findLast((e) => e.windows !== undefined)?.windows ?? [];
  const delta = staged.find((w) => w.startsAt <= atIso && atIso < w.endsAt)?.promoDeltaMinor ?? 0;
  return applyDelta(stored, { reserved: 0, outstanding: 0, totalLimit: delta });
}

export interface ReconciliationResult {
  ok: boolean;
  fromJournal: Balances;
  fromAccount: Balances;
}

export function reconcile(
  account: Pick<Account, 'totalLimit' | 'reserved' | 'outstanding' | 'available'>,
  entries: readonly JournalEntry[],
  /** The instant the account's figures are of (a resource's); absent: the stored figures. */
  atIso?: string,
): ReconciliationResult {
  const fromJournal = replay(entries, atIso);
  const fromAccount = {
    totalLimit: account.totalLimit,
    reserved: account.reserved,
    outstanding: account.outstanding,
    available: account.available,
  };
  const ok =
    fromJournal.totalLimit === fromAccount.totalLimit &&
    fromJournal.reserved === fromAccount.reserved &&
    fromJournal.outstanding === fromAccount.outstanding &&
    fromJournal.available === fromAccount.available;
  return { ok, fromJournal, fromAccount };
}
