/** The key lifecycle's decisions (shared/clients/keys.ts), as tables of cases with no I/O. */
import {
  CLOCK_SKEW_MS,
  type ClientKey,
  keyWorks,
  liveKeys,
  MAX_KEYS_PER_CLIENT,
  planRotation,
} from '../../shared/clients/keys.js';

const NOW_MS = Date.parse('2026-11-11T00:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW_MS + offsetMs).toISOString();
const HOUR_MS = 3_600_000;

describe('keyWorks', () => {
  it.each([
    ['a current key', {}, true],
    ['a key in its overlap', { expiresAt: at(1) }, true],
    ['a key at its expiry', { expiresAt: at(0) }, false],
    ['a key past its expiry', { expiresAt: at(-1) }, false],
    ['a revoked key', { revokedAt: at(-HOUR_MS) }, false],
    ['a revoked key still in its overlap', { expiresAt: at(HOUR_MS), revokedAt: at(-1) }, false],
  ])('%s: %s', (_name, key, works) => {
    expect(keyWorks(key, NOW_MS)).toBe(works);
  });
});

describe('liveKeys', () => {
  it('keeps current keys, keys in their overlap and keys expired within the clock skew; drops the rest', () => {
    const keys: ClientKey[] = [
      { hash: 'current' },
      { hash: 'overlap', expiresAt: at(HOUR_MS) },
      { hash: 'just-expired', expiresAt: at(-CLOCK_SKEW_MS + 1) },
      { hash: 'long-expired', expiresAt: at(-CLOCK_SKEW_MS) },
    ];
    expect(liveKeys(keys, NOW_MS).map((k) => k.hash)).toEqual(['current', 'overlap', 'just-expired']);
  });
});

describe('planRotation', () => {
  it('gives the current key the overlap and adds the new key as current', () => {
    expect(planRotation([{ hash: 'old' }], 'new', NOW_MS, 3_600)).toEqual({
      ok: true,
      keys: [{ hash: 'old', expiresAt: at(HOUR_MS) }, { hash: 'new' }],
      shortened: [{ hash: 'old', expiresAt: at(HOUR_MS) }],
      previousKeyExpiresAt: at(HOUR_MS),
    });
  });

  it('shortens a longer overlap, never extends a shorter one, and drops keys long expired', () => {
    const keys: ClientKey[] = [
      { hash: 'gone', expiresAt: at(-2 * CLOCK_SKEW_MS) },
      { hash: 'soon', expiresAt: at(1_000) },
      { hash: 'week', expiresAt: at(7 * 24 * HOUR_MS) },
      { hash: 'current' },
    ];
    const plan = planRotation(keys, 'new', NOW_MS, 60);
    expect(plan).toEqual({
      ok: true,
      keys: [
        { hash: 'soon', expiresAt: at(1_000) },
        { hash: 'week', expiresAt: at(60_000) },
        { hash: 'current', expiresAt: at(60_000) },
        { hash: 'new' },
      ],
      shortened: [
        { hash: 'week', expiresAt: at(60_000) },
        { hash: 'current', expiresAt: at(60_000) },
      ],
      previousKeyExpiresAt: at(60_000),
    });
  });

  it('answers when the last old key stops: sooner than the overlap when every old key already stops sooner', () => {
    const plan = planRotation([{ hash: 'a', expiresAt: at(10_000) }], 'new', NOW_MS, 3_600);
    expect(plan).toMatchObject({ ok: true, shortened: [], previousKeyExpiresAt: at(10_000) });
  });

  it('refuses a rotation when the client already has as many live keys as it may hold', () => {
    const full = Array.from({ length: MAX_KEYS_PER_CLIENT }, (_, i) => ({
      hash: `k${i}`,
      expiresAt: at(HOUR_MS),
    }));
    expect(planRotation(full, 'new', NOW_MS, 60)).toEqual({ ok: false, code: 'too_many_api_keys' });
    const withExpired = [...full.slice(1), { hash: 'gone', expiresAt: at(-2 * CLOCK_SKEW_MS) }];
    expect(planRotation(withExpired, 'new', NOW_MS, 60)).toMatchObject({ ok: true });
  });

  it.each([0, -1, 1.5, 604_801])('asserts the overlap was validated before (%s)', (overlapSeconds) => {
    expect(() => planRotation([{ hash: 'old' }], 'new', NOW_MS, overlapSeconds)).toThrow(/invariant/);
  });
});
