/**
 * Where the limit refresh counts an account (shared/limits/outcomes.ts): every outcome lands in exactly one
 * bucket, so each page balances (processed = changed + unchanged + skipped + failed), pages add up to a run
 * that balances too, and the repository's check refuses counts that do not balance.
 */
import fc from 'fast-check';
import {
  type AccountOutcome,
  addCounts,
  assertBalanced,
  BUCKET_OF,
  countOutcomes,
  emptyCounts,
  isBalanced,
} from '../../shared/limits/outcomes.js';

const OUTCOMES = Object.keys(BUCKET_OF) as AccountOutcome[];
const outcomes = fc.array(fc.constantFrom(...OUTCOMES), { maxLength: 200 });

describe('refresh outcomes', () => {
  it('map each outcome to its one documented bucket', () => {
    expect(BUCKET_OF).toEqual({
      written: 'changed',
      no_change: 'unchanged',
      already_refreshed: 'unchanged',
      dry_run: 'skipped',
      stale: 'skipped',
      rate_limited: 'skipped',
      account_not_found: 'skipped',
      failed: 'failed',
    });
  });

  it('count every account once, in its one bucket: a page always balances', () => {
    fc.assert(
      fc.property(outcomes, (page) => {
        const counts = countOutcomes(page);
        expect(counts.processed).toBe(page.length);
        expect(isBalanced(counts)).toBe(true);
        for (const bucket of ['changed', 'unchanged', 'skipped', 'failed'] as const) {
          expect(counts[bucket]).toBe(page.filter((o) => BUCKET_OF[o] === bucket).length);
        }
      }),
    );
  });

  it('add up page by page to the counts of the whole run, in any order', () => {
    fc.assert(
      fc.property(fc.array(outcomes, { maxLength: 8 }), (pages) => {
        const run = pages.map(countOutcomes).reduce(addCounts, emptyCounts());
        expect(run).toEqual(countOutcomes(pages.flat()));
        expect(run).toEqual(countOutcomes([...pages].reverse().flat()));
        expect(isBalanced(run)).toBe(true);
      }),
    );
  });

  it('refuse counts that do not balance (the repository checks every page before adding it)', () => {
    const count = fc.nat({ max: 1_000 });
    fc.assert(
      fc.property(count, count, count, count, count, (processed, changed, unchanged, skipped, failed) => {
        const counts = { processed, changed, unchanged, skipped, failed };
        if (processed === changed + unchanged + skipped + failed)
          expect(() => assertBalanced(counts)).not.toThrow();
        else expect(() => assertBalanced(counts)).toThrow(/^invariant: processed/);
      }),
    );
    expect(() => assertBalanced({ processed: 3, changed: 1, unchanged: 0, skipped: 0, failed: 3 })).toThrow();
  });
});
