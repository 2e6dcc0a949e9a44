/**
 * The settled horizon's lag must outlast the longest stamp-to-commit time (shared/journal/horizon.ts), and that
 * relation is checked when the module loads, from the constants the write paths use.
 */
import { config, parseConfig } from '../../shared/config.js';
import {
  CLOCK_SKEW_MS,
  STAMP_TO_COMMIT_MAX_MS,
  assertSettleLag,
  settledHorizon,
} from '../../shared/journal/horizon.js';
import { SDK_CALL_MAX_MS } from '../../shared/storage/dynamo-client.js';
import { WRITE_DEADLINE_MS, WRITE_STAMP_TO_COMMIT_MAX_MS } from '../../shared/storage/retry.js';

describe('the journal settling lag', () => {
  it('is bounded by the write deadline (every call is cut within it), the late-apply allowance, and clock skew', () => {
    expect(SDK_CALL_MAX_MS).toBeLessThanOrEqual(WRITE_DEADLINE_MS);
    expect(WRITE_STAMP_TO_COMMIT_MAX_MS).toBeGreaterThan(WRITE_DEADLINE_MS);
    expect(STAMP_TO_COMMIT_MAX_MS).toBe(WRITE_STAMP_TO_COMMIT_MAX_MS + CLOCK_SKEW_MS);
  });

  it('defaults to a lag above that bound (the module asserted it when it loaded)', () => {
    // The bound is this process's (scaled where LOCAL_TIME_SCALE says so), so is the default it is checked with.
    expect(() => assertSettleLag(config.journalSettleMs)).not.toThrow();
    expect(parseConfig({}).journalSettleMs).toBe(10_000);
    expect(config.journalSettleMs).toBe(10_000 * config.localTimeScale);
  });

  it('refuses a lag at or below the bound, naming the constants', () => {
    expect(() => assertSettleLag(STAMP_TO_COMMIT_MAX_MS)).toThrow(
      /JOURNAL_SETTLE_MS .* must exceed WRITE_STAMP_TO_COMMIT_MAX_MS \+ CLOCK_SKEW_MS/,
    );
    expect(() => assertSettleLag(1_000)).toThrow();
    expect(() => assertSettleLag(STAMP_TO_COMMIT_MAX_MS + 1)).not.toThrow();
  });

  it('reads JOURNAL_SETTLE_MS from the environment', () => {
    expect(parseConfig({ JOURNAL_SETTLE_MS: '90000' }).journalSettleMs).toBe(90_000);
    expect(() => parseConfig({ JOURNAL_SETTLE_MS: '0' })).toThrow();
  });

  it('places the horizon the lag before the reader clock', () => {
    expect(settledHorizon(Date.parse('2026-06-18T00:01:00.000Z'), 60_000).toISOString()).toBe(
      '2026-06-18T00:00:00.000Z',
    );
  });
});
