/**
 * The expiry sweep: finds holds past expiresAt through the sharded, sparse expiry index (no scan, no single hot
 * partition) and expires each with the same version-guarded transaction as every other hold change. Two
 * sweepers at once are safe: the loser of a race re-reads, sees the hold expired, and skips it.
 *
 * Nothing may starve: each hold is settled on its own (one that keeps failing is counted, logged and passed
 * over, never retried within the run), each shard is read on from where it stopped, each shard gets a fair share
 * of what is left of the budget before any shard gets more, and the first shard rotates from run to run.
 */
import { logger } from '../observability/logger.js';
import { KEYS_ONLY_INDEX_ITEM_MAX_BYTES, QUERY_PAGE_MAX_BYTES } from '../storage/dynamodb-limits.js';
import { EXPIRY_SHARDS } from '../storage/table.js';
import { decideExpire } from './model.js';
import { type DuePage, type DuePosition, listDueHolds } from './repository.js';
import { settle } from './service.js';
import { assert, present } from '../assert.js';

/** Holds read per index query: one page of keys, well under the 1 MB Query limit. */
export const DUE_PAGE_SIZE = 100;
assert(
  DUE_PAGE_SIZE * KEYS_ONLY_INDEX_ITEM_MAX_BYTES <= QUERY_PAGE_MAX_BYTES,
  'a page of due holds must fit one Query page of the keys-only expiry index',
);
/** Holds expired at once: enough to keep DynamoDB busy, few enough not to starve checkouts of connections. */
const PARALLEL_EXPIRIES = 8;
assert(PARALLEL_EXPIRIES <= DUE_PAGE_SIZE, 'a batch of expiries comes from one page');
/**
 * Passes over the shards in one run, at most. Every pass visits each unfinished shard and moves its cursor on, so
 * a run's budget ends it long before: this only makes the bound explicit (a run that reaches it is truncated).
 */
const MAX_SWEEP_PASSES = 1_000;
/**
 * Pages of one shard read in one visit, at most (100,000 holds at DUE_PAGE_SIZE); then the visit ends as if its
 * share of the budget had, and the cursor says where the next one goes on.
 */
const MAX_PAGES_PER_VISIT = 1_000;
/** The sweeper's identity in request contexts (it acts for every client). */
const SWEEPER_CLIENT_ID = 'system:expiry-sweeper';
/**
 * The schedule's period (EventBridge, every minute): each run starts one shard further on, so when a backlog
 * truncates runs, the shards left over are not always the same ones.
 */
const ROTATION_PERIOD_MS = 60_000;

export interface SweepResult {
  expired: number;
  skipped: number;
  /** Holds whose expiry failed (retries ran out, an unexpected error): each logged; the next run tries again. */
  failed: number;
  /** Shards whose due holds could not be read (logged); the next run reads them again. */
  failedShards: number;
  /** True when the time budget ran out before every due hold was looked at (the next run continues). */
  truncated: boolean;
}

/** One shard's progress within a run. */
interface ShardCursor {
  shard: number;
  from: DuePosition | undefined;
}

interface Sweep {
  nowIso: string;
  /** The `nowMs` the caller gave (tests); undefined: decide each hold at the real time. */
  nowMs: number | undefined;
  result: SweepResult;
}

/** The shard a run starts with: advances by one each schedule period. */
export function firstShard(runMs: number): number {
  return Math.floor(runMs / ROTATION_PERIOD_MS) % EXPIRY_SHARDS;
}

export async function sweepExpiredHolds(options: { nowMs?: number; budgetMs: number }): Promise<SweepResult> {
  const started = Date.now();
  const deadlineMs = started + options.budgetMs;
  const sweep: Sweep = {
    nowIso: new Date(options.nowMs ?? started).toISOString(),
    nowMs: options.nowMs,
    result: { expired: 0, skipped: 0, failed: 0, failedShards: 0, truncated: false },
  };
  const first = firstShard(options.nowMs ?? started);
  let pending: ShardCursor[] = Array.from({ length: EXPIRY_SHARDS }, (_, i) => ({
    shard: (first + i) % EXPIRY_SHARDS,
    from: undefined,
  }));
  // Passes over the shards with due holds left: every visit reads at least one page, moving its cursor on.
  for (let pass = 0; pending.length > 0; pass += 1) {
    if (pass >= MAX_SWEEP_PASSES) return { ...sweep.result, truncated: true };
    const unfinished: ShardCursor[] = [];
    for (const [i, cursor] of pending.entries()) {
      const nowMs = Date.now();
      if (nowMs >= deadlineMs) return { ...sweep.result, truncated: true };
      // An equal share of what is left: a shard with a backlog or slow failures cannot eat the shards after it.
      const shareEndMs = nowMs + (deadlineMs - nowMs) / (pending.length - i);
      if (!(await sweepShard(cursor, sweep, shareEndMs))) unfinished.push(cursor);
    }
    pending = unfinished;
  }
  return sweep.result;
}

/**
 * Expires a shard's due holds from its cursor on, until none are left (true) or `untilMs` passes (false: the
 * cursor says where to go on). At least one batch per visit, so every visit makes progress.
 */
async function sweepShard(cursor: ShardCursor, sweep: Sweep, untilMs: number): Promise<boolean> {
  let batches = 0;
  for (let pages = 0; pages < MAX_PAGES_PER_VISIT; pages += 1) {
    let page: DuePage;
    try {
      page = await listDueHolds(cursor.shard, sweep.nowIso, DUE_PAGE_SIZE, cursor.from);
    } catch (error) {
      sweep.result.failedShards += 1;
      logger.error('expiry sweep could not read a shard', { shard: cursor.shard, error });
      return true; // done for this run: the next run reads it again
    }
    for (let i = 0; i < page.holds.length; i += PARALLEL_EXPIRIES) {
      if (batches > 0 && Date.now() >= untilMs) return false;
      const batch = page.holds.slice(i, i + PARALLEL_EXPIRIES);
      await expireBatch(
        batch.map((h) => h.id),
        sweep,
      );
      cursor.from = present(batch.at(-1), 'the last hold of a non-empty batch').after;
      batches += 1;
    }
    if (!page.next) return true;
    cursor.from = page.next;
    if (Date.now() >= untilMs) return false;
  }
  return false;
}

/** Settles each hold on its own: one failure is counted and logged, and the others still expire. */
async function expireBatch(ids: string[], sweep: Sweep): Promise<void> {
  const outcomes = await Promise.allSettled(ids.map((id) => expireOne(id, sweep.nowMs)));
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled') {
      if (outcome.value) sweep.result.expired += 1;
      else sweep.result.skipped += 1;
      continue;
    }
    sweep.result.failed += 1;
    // The id and the error (with its cause) only: never the hold itself, which carries order and customer data.
    logger.error('hold expiry failed', { authorizationId: ids[i], error: outcome.reason });
  }
}

async function expireOne(authorizationId: string, nowMs: number | undefined): Promise<boolean> {
  const outcome = await settle(
    { clientId: SWEEPER_CLIENT_ID, fingerprint: '', actsForAnyClient: true },
    { kind: 'expire', authorizationId, decide: (a, realNowMs) => decideExpire(a, nowMs ?? realNowMs) },
  );
  return outcome.kind === 'response';
}
