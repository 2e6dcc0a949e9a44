/**
 * The journal's settled horizon. An entry's sort key is the writer's clock, read before its transaction commits,
 * so an entry stamped earlier can commit after one stamped later: a reader past the later one would skip it, and
 * every running balance after would be wrong. Authorize is one TransactWriteItems with no read, so the entry
 * cannot carry a per-account sequence number (unknown without a read). Instead the journal serves only entries
 * stamped before `now - JOURNAL_SETTLE_MS`, a lag longer than any stamp can take to commit: everything stamped
 * before the horizon has committed, so nothing can ever land behind a cursor.
 *
 * The bound. Every journal stamp is taken inside one attempt of a write (shared/storage/retry.ts), right before
 * its TransactWriteItems; a retry stamps again. Every DynamoDB call is cut at min(SDK_CALL_MAX_MS, the time its
 * logical write has left) and nothing is sent after WRITE_DEADLINE_MS, so a stamp commits within
 * WRITE_STAMP_TO_COMMIT_MAX_MS or never (that constant also allows DynamoDB a moment to apply a request it got
 * just before the client stopped waiting). Add the clock skew between the writer's and the reader's machines.
 * The default lag (shared/config.ts) is about twice that sum.
 */
import { config } from '../config.js';
import { WRITE_STAMP_TO_COMMIT_MAX_MS } from '../storage/retry.js';

/** Lambda clocks are NTP-disciplined (Amazon Time Sync) to well under a millisecond; 1 s is a wide margin. */
export const CLOCK_SKEW_MS = 1_000;

/** The longest a stamp may take to commit, as seen from another machine's clock. */
export const STAMP_TO_COMMIT_MAX_MS = WRITE_STAMP_TO_COMMIT_MAX_MS + CLOCK_SKEW_MS;

/** Throws unless `settleMs` outlasts every stamp-to-commit time: a shorter lag could let the journal skip entries. */
export function assertSettleLag(settleMs: number): void {
  if (!(settleMs > STAMP_TO_COMMIT_MAX_MS)) {
    throw new Error(
      `JOURNAL_SETTLE_MS (${settleMs}) must exceed WRITE_STAMP_TO_COMMIT_MAX_MS + CLOCK_SKEW_MS ` +
        `(${WRITE_STAMP_TO_COMMIT_MAX_MS} + ${CLOCK_SKEW_MS} = ${STAMP_TO_COMMIT_MAX_MS})`,
    );
  }
}

// At load: a configuration (or a change to the SDK timeouts) that breaks the bound stops the cold start.
assertSettleLag(config.journalSettleMs);

/**
 * Entries stamped before this instant are settled. `nowMs` must be read before the journal is queried: a clock
 * read after the query could place the horizon past an entry still in flight during it.
 */
export function settledHorizon(nowMs: number, settleMs: number = config.journalSettleMs): Date {
  return new Date(nowMs - settleMs);
}
