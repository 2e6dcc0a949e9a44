/**
 * Journal pages with running balances. The opaque cursor carries where the page ended and the balances after
 * it, so every entry shows the account's figures after it at the cost of the page alone (no replay from the
 * start). Entries are ordered by their commit timestamp; concurrent movements are commutative sums, so the
 * running figures after the last entry always equal the account item.
 */
import * as z from 'zod';
import { type Balances, EMPTY_BALANCES, type JournalEntry, applyDelta } from './model.js';

const CursorSchema = z.strictObject({
  sk: z.string().min(1).max(512),
  b: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
});

export interface JournalCursor {
  sk: string;
  balances: Balances;
}

export function encodeCursor(cursor: JournalCursor): string {
  const { totalLimit, reserved, outstanding } = cursor.balances;
  return Buffer.from(JSON.stringify({ sk: cursor.sk, b: [totalLimit, reserved, outstanding] })).toString('base64url');
}

/** Undefined for anything that is not a cursor this service made. */
export function decodeCursor(raw: string): JournalCursor | undefined {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const [totalLimit, reserved, outstanding] = parsed.data.b;
    return { sk: parsed.data.sk, balances: { totalLimit, reserved, outstanding, available: totalLimit - reserved - outstanding } };
  } catch {
    return undefined;
  }
}

export interface JournalEntryResource extends Omit<JournalEntry, 'delta'> {
  object: 'journal_entry';
  delta: JournalEntry['delta'] & { available: number };
  /** The account's figures after this entry. */
  balances: Balances;
}

export function withRunningBalances(entries: readonly JournalEntry[], start: Balances = EMPTY_BALANCES): { resources: JournalEntryResource[]; end: Balances } {
  let balances = start;
  const resources = entries.map((entry) => {
    balances = applyDelta(balances, entry.delta);
    const available = entry.delta.totalLimit - entry.delta.reserved - entry.delta.outstanding;
    return { ...entry, object: 'journal_entry' as const, delta: { ...entry.delta, available }, balances };
  });
  return { resources, end: balances };
}
