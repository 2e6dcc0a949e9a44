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
  | 'unfreeze';

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
  createdAt: string;
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

/** Replays entries (oldest first) from nothing. Reconciliation compares the result with the account item. */
export function replay(entries: readonly JournalEntry[]): Balances {
  return entries.reduce((b, e) => applyDelta(b, e.delta), EMPTY_BALANCES);
}

export interface ReconciliationResult {
  ok: boolean;
  fromJournal: Balances;
  fromAccount: Balances;
}

export function reconcile(
  account: Pick<Account, 'totalLimit' | 'reserved' | 'outstanding' | 'available'>,
  entries: readonly JournalEntry[],
): ReconciliationResult {
  const fromJournal = replay(entries);
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
