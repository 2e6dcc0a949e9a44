/**
 * Where a refresh run counts each account it touches: in exactly one of four buckets, so that
 * `processed = changed + unchanged + skipped + failed` holds for every page, and so for the run (the job adds
 * pages). Without this an account could vanish (neither written nor failed) or be counted twice (written, then
 * failed with its batch). Pure: the job records one outcome per account, and the job repository checks the
 * balance where it adds a page.
 */
import { assert } from '../assert.js';

/** What happened to one account in a run. */
export type AccountOutcome =
  /** The run wrote its new limits. */
  | 'written'
  /** The policy keeps it where it is: nothing to write. */
  | 'no_change'
  /** It already holds this run's key: an earlier delivery, or an earlier run with the same key, wrote it. */
  | 'already_refreshed'
  /** A change that a dry run does not write. */
  | 'dry_run'
  /** Its limits kept moving under the run (a checkout or limit request raced every rewrite): the next run. */
  | 'stale'
  /** A guard other than the limits refused the write. */
  | 'rate_limited'
  /** Listed by the accounts index but gone when read or written. */
  | 'account_not_found'
  /** Its write threw (logged): the next run tries again. */
  | 'failed';

export type Bucket = 'changed' | 'unchanged' | 'skipped' | 'failed';

/** The one bucket of each outcome. */
export const BUCKET_OF: Readonly<Record<AccountOutcome, Bucket>> = {
  written: 'changed',
  no_change: 'unchanged',
  already_refreshed: 'unchanged',
  dry_run: 'skipped',
  stale: 'skipped',
  rate_limited: 'skipped',
  account_not_found: 'skipped',
  failed: 'failed',
};

export interface Counts {
  processed: number;
  /** Written by this run. */
  changed: number;
  /** Nothing to write: the policy keeps it, or the run's key already stands on it. */
  unchanged: number;
  /** A change not written, and not an error: dry run, raced by every rewrite, refused, or gone. */
  skipped: number;
  /** An error: the next run tries again. */
  failed: number;
}

export const emptyCounts = (): Counts => ({ processed: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0 });

export function countOutcomes(outcomes: readonly AccountOutcome[]): Counts {
  const counts = emptyCounts();
  for (const outcome of outcomes) counts[BUCKET_OF[outcome]] += 1;
  counts.processed = outcomes.length;
  return counts;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    processed: a.processed + b.processed,
    changed: a.changed + b.changed,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
  };
}

export const isBalanced = (c: Counts): boolean =>
  c.processed === c.changed + c.unchanged + c.skipped + c.failed;

/** Throws when counts do not add up: a page counted that way would corrupt the run's totals for good. */
export function assertBalanced(c: Counts): void {
  assert(
    isBalanced(c),
    `processed ${c.processed} != changed ${c.changed} + unchanged ${c.unchanged} + skipped ${c.skipped} + failed ${c.failed}`,
  );
}
