/**
 * The journal's settled horizon. An entry's sort key is the writer's clock, read before its transaction commits,
 * so an entry stamped earlier can commit after one stamped later: a reader past the later one would skip it, and
 * every running balance after would be wrong. Authorize is one TransactWriteItems with no read, so the entry
 * cannot carry a per-account sequence number (unknown without a read). Instead the journal serves only entries
 * stamped before `now - JOURNAL_SETTLE_MS`, a lag longer than any stamp can take to commit: everything stamped
 * before the horizon has committed, so nothing can ever land behind a cursor.
 *
 * The bound. Every journal stamp is taken inside one attempt of a write (shared/storage/retry.ts), after that
 * attempt's reads, right before its single TransactWriteItems, which carries a fresh ClientRequestToken; a retry
 * stamps again. So a stamp commits within one `send` (MAX_SEND_MS, the SDK's own retries included) or never (an
 * attempt answered RETRY was cancelled; a send that throws ends the write). The assertion below also adds the
 * whole write deadline, so it still holds if a write ever keeps one stamp across its attempts, and the clock skew
 * between the writer's and the reader's machines. The default lag (shared/config.ts) is about twice the sum: the
 * rest covers a transaction DynamoDB finishes after its client stopped waiting.
 */
import { config } from '../config.js';
import { MAX_SEND_MS } from '../storage/dynamo-client.js';
import { WRITE_DEADLINE_MS } from '../storage/retry.js';

/** Lambda clocks are NTP-disciplined (Amazon Time Sync) to well under a millisecond; 1 s is a wide margin. */
export const CLOCK_SKEW_MS = 1_000;

/** The longest a stamp may take to commit, as seen from another machine's clock. */
export const STAMP_TO_COMMIT_MAX_MS = WRITE_DEADLINE_MS + MAX_SEND_MS + CLOCK_SKEW_MS;

/** Throws unless `settleMs` outlasts every stamp-to-commit time: a shorter lag could let the journal skip entries. */
export function assertSettleLag(settleMs: number): void {
  if (!(settleMs > STAMP_TO_COMMIT_MAX_MS)) {
    throw new Error(
      `JOURNAL_SETTLE_MS (${settleMs}) must exceed WRITE_DEADLINE_MS + MAX_SEND_MS + CLOCK_SKEW_MS ` +
        `(${WRITE_DEADLINE_MS} + ${MAX_SEND_MS} + ${CLOCK_SKEW_MS} = ${STAMP_TO_COMMIT_MAX_MS})`,
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
