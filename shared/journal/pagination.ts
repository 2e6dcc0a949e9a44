/**
 * Journal pages with running balances. The cursor carries where the reader is and the balances after it, so every
 * entry shows the account's figures after it at the cost of the page alone (no replay from the start). That is
 * right only if no entry can ever land behind a cursor: pages stop at the settled horizon (./horizon.ts), and the
 * cursor is sealed (shared/pagination/cursor.ts) so nobody can hand in a position or balances of their own.
 *
 * The journal never ends while the account can still move, so a page always has a `nextCursor`: the reader keeps
 * it and polls again. `hasMore` says whether more settled entries are there now; `settledThrough` is the horizon:
 * the journal before it is final. A page with `hasMore: false` means caught up: every entry stamped before its
 * `settledThrough` has been listed. Pure: storage and the key are the handler's.
 */
import * as z from 'zod';
import { type Balances, EMPTY_BALANCES, type JournalEntry, applyDelta } from './model.js';

/** Where a reader is: after the entry with sort key `sk` (null: before the first), with the balances after it. */
export interface JournalPosition {
  sk: string | null;
  balances: Balances;
}

export const START_POSITION: JournalPosition = { sk: null, balances: EMPTY_BALANCES };

/** The sealed payload: compact (the three stored figures; `available` follows from them). */
export const JournalCursorPayload = z
  .strictObject({
    sk: z.string().min(1).max(512).nullable(),
    b: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  })
  .transform(
    ({ sk, b: [totalLimit, reserved, outstanding] }): JournalPosition => ({
      sk,
      balances: { totalLimit, reserved, outstanding, available: totalLimit - reserved - outstanding },
    }),
  );

export function cursorPayload(position: JournalPosition): z.input<typeof JournalCursorPayload> {
  const { totalLimit, reserved, outstanding } = position.balances;
  return { sk: position.sk, b: [totalLimit, reserved, outstanding] };
}

/** The cursor scope of an account's journal: a cursor of one account never opens on another's. */
export const journalCursorScope = (accountId: string): string => `journal:${accountId}`;

export interface JournalEntryResource extends Omit<JournalEntry, 'delta'> {
  object: 'journal_entry';
  delta: JournalEntry['delta'] & { available: number };
  /** The account's figures after this entry. */
  balances: Balances;
}

export function withRunningBalances(
  entries: readonly JournalEntry[],
  start: Balances = EMPTY_BALANCES,
): { resources: JournalEntryResource[]; end: Balances } {
  let balances = start;
  const resources = entries.map((entry) => {
    balances = applyDelta(balances, entry.delta);
    const available = entry.delta.totalLimit - entry.delta.reserved - entry.delta.outstanding;
    return { ...entry, object: 'journal_entry' as const, delta: { ...entry.delta, available }, balances };
  });
  return { resources, end: balances };
}

export interface JournalPageBody {
  object: 'list';
  data: JournalEntryResource[];
  nextCursor: string;
  hasMore: boolean;
  settledThrough: string;
}

/** One page, from the settled entries after `from`: the sort key of an entry is the storage's, passed in. */
export function journalPage(
  page: { entries: readonly JournalEntry[]; hasMore: boolean; horizon: Date },
  from: JournalPosition,
  sortKeyOf: (entry: JournalEntry) => string,
  seal: (payload: unknown) => string,
): JournalPageBody {
  const { resources, end } = withRunningBalances(page.entries, from.balances);
  const last = page.entries.at(-1);
  const next: JournalPosition = last ? { sk: sortKeyOf(last), balances: end } : from;
  return {
    object: 'list',
    data: resources,
    nextCursor: seal(cursorPayload(next)),
    hasMore: page.hasMore,
    settledThrough: page.horizon.toISOString(),
  };
}
