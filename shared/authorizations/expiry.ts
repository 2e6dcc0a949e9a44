/**
 * The expiry sweep: finds holds past expiresAt through the sharded, sparse expiry index (no scan, no single hot
 * partition) and expires each with the same version-guarded transaction as every other hold change. Two
 * sweepers at once are safe: the loser of a race re-reads, sees the hold expired, and skips it.
 */
import { settle } from './service.js';
import { decideExpire } from './model.js';
import { listDueHolds } from './repository.js';
import { EXPIRY_SHARDS } from '../storage/table.js';

/** Holds read per index query: one page of keys, well under the 1 MB Query limit. */
const DUE_PAGE_SIZE = 100;
/** Holds expired at once: enough to keep DynamoDB busy, few enough not to starve checkouts of connections. */
const PARALLEL_EXPIRIES = 8;
/** The sweeper's identity in request contexts (it acts for every client). */
const SWEEPER_CLIENT_ID = 'system:expiry-sweeper';

export interface SweepResult {
  expired: number;
  skipped: number;
  /** True when the time budget ran out before every due hold was looked at (the next run continues). */
  truncated: boolean;
}

export async function sweepExpiredHolds(options: { nowMs?: number; budgetMs: number }): Promise<SweepResult> {
  const started = Date.now();
  const nowIso = new Date(options.nowMs ?? Date.now()).toISOString();
  const result: SweepResult = { expired: 0, skipped: 0, truncated: false };
  for (let shard = 0; shard < EXPIRY_SHARDS; shard += 1) {
    // Page until the shard has nothing due; every expired hold leaves the index, so re-querying advances.
    for (;;) {
      if (Date.now() - started > options.budgetMs) return { ...result, truncated: true };
      const due = await listDueHolds(shard, nowIso, DUE_PAGE_SIZE);
      if (due.length === 0) break;
      const before = result.expired;
      for (let i = 0; i < due.length; i += PARALLEL_EXPIRIES) {
        const outcomes = await Promise.all(due.slice(i, i + PARALLEL_EXPIRIES).map((id) => expireOne(id, options.nowMs)));
        for (const expired of outcomes) expired ? (result.expired += 1) : (result.skipped += 1);
      }
      // Nothing expired in a full page means the rest are being handled elsewhere: move on, don't spin.
      if (result.expired === before || due.length < DUE_PAGE_SIZE) break;
    }
  }
  return result;
}

async function expireOne(authorizationId: string, nowMs: number | undefined): Promise<boolean> {
  const outcome = await settle(
    { clientId: SWEEPER_CLIENT_ID, fingerprint: '', actsForAnyClient: true },
    { kind: 'expire', authorizationId, decide: (a, realNowMs) => decideExpire(a, nowMs ?? realNowMs) },
  );
  return outcome.kind === 'response';
}
