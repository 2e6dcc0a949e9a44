/** Why a reserve was refused, read from the account image DynamoDB returned. */
import { newAccount, VELOCITY_LOG_SLOTS } from '../../shared/accounts/model.js';
import fc from 'fast-check';
import { explainReserveFailure, velocityFull } from '../../shared/authorizations/reserve-decision.js';

const NOW_MS = Date.parse('2026-06-18T00:00:00.000Z');
const WINDOW_MS = 60_000;
/** A velocity log with approvals at these instants (oldest first), the rest of its slots never used. */
const logOf = (...instants: number[]) => [
  ...Array(VELOCITY_LOG_SLOTS - instants.length).fill(0),
  ...instants,
];
const account = (overrides = {}) => ({
  ...newAccount({
    id: 'acc_1',
    currency: 'CNY',
    creditLimit: 10_000,
    riskTier: 'B',
    now: '2026-06-18T00:00:00Z',
  }),
  ...overrides,
});
const attempt = {
  amountMinor: 1_000,
  currency: 'CNY',
  velocity: { max: 3, windowMs: WINDOW_MS, nowMs: NOW_MS },
  nowIso: '2026-06-18T00:00:00.000Z',
};

describe('explainReserveFailure', () => {
  it.each([
    ['no account', undefined, { kind: 'account_not_found' }],
    ['another currency', account({ currency: 'USD' }), { kind: 'currency_mismatch' }],
    ['a closed account', account({ status: 'closed' }), { kind: 'decline', code: 'account_closed' }],
    ['a frozen account', account({ status: 'frozen' }), { kind: 'decline', code: 'account_frozen' }],
    ['too little available', account({ available: 999 }), { kind: 'decline', code: 'insufficient_credit' }],
    [
      'max approvals within the window',
      account({ velocityLog: logOf(NOW_MS - 59_999, NOW_MS - 30_000, NOW_MS - 1) }),
      { kind: 'decline', code: 'velocity_exceeded' },
    ],
    [
      'the oldest of max approvals exactly one window ago (outside it)',
      account({ velocityLog: logOf(NOW_MS - WINDOW_MS, NOW_MS - 30_000, NOW_MS - 1) }),
      { kind: 'retry', startLog: false, quota: { kind: 'none' } },
    ],
    [
      'fewer than max approvals within the window (a racing write moved the account)',
      account({ velocityLog: logOf(NOW_MS - 90_000, NOW_MS - 30_000, NOW_MS - 1) }),
      { kind: 'retry', startLog: false, quota: { kind: 'none' } },
    ],
    [
      'an account written before the velocity log',
      account({ velocityLog: undefined }),
      { kind: 'retry', startLog: true, quota: { kind: 'none' } },
    ],
  ])('%s', (_name, image, expected) => {
    expect(explainReserveFailure(image, attempt)).toEqual(expected);
  });
});

describe('explainReserveFailure for a category hold', () => {
  const grant = (overrides = {}) => ({
    promotionId: 'q1',
    unused: 600,
    drawn: 0,
    endsAt: '2026-06-25T00:00:00.000Z',
    ended: [],
    ...overrides,
  });
  const withQuota = (quotaOverrides = {}, overrides = {}) =>
    account({ quotas: { electronics: grant(quotaOverrides) }, ...overrides });
  const inCategory = { ...attempt, category: 'electronics' };
  const retry = (quota: unknown) => ({ kind: 'retry', startLog: false, quota });

  it.each([
    [
      'a quota covering the whole amount',
      withQuota({ unused: 1_000 }),
      retry({ kind: 'full', promotionId: 'q1' }),
    ],
    ['a quota covering part of it', withQuota(), retry({ kind: 'split', promotionId: 'q1', unused: 600 })],
    ['a used-up quota', withQuota({ unused: 0 }), retry({ kind: 'none' })],
    ['a quota past its end', withQuota({ endsAt: '2026-06-17T00:00:00.000Z' }), retry({ kind: 'none' })],
    ['an ended grant', withQuota({ promotionId: undefined }), retry({ kind: 'none' })],
    ['no grant for the category', account(), retry({ kind: 'none' })],
    [
      'a quota and available that together fall short',
      withQuota({}, { available: 399 }),
      { kind: 'decline', code: 'insufficient_credit' },
    ],
    [
      'a quota and available that together just cover it',
      withQuota({}, { available: 400 }),
      retry({ kind: 'split', promotionId: 'q1', unused: 600 }),
    ],
    [
      'a negative available, even with quota enough',
      withQuota({ unused: 5_000 }, { available: -1 }),
      { kind: 'decline', code: 'insufficient_credit' },
    ],
  ])('%s', (_name, image, expected) => {
    expect(explainReserveFailure(image, inCategory)).toEqual(expected);
  });

  it('ignores quotas for a hold without a category, and quotas of other categories', () => {
    expect(explainReserveFailure(withQuota({ unused: 5_000 }, { available: 999 }), attempt)).toEqual({
      kind: 'decline',
      code: 'insufficient_credit',
    });
    expect(
      explainReserveFailure(withQuota({ unused: 5_000 }, { available: 999 }), {
        ...attempt,
        category: 'travel',
      }),
    ).toEqual({ kind: 'decline', code: 'insufficient_credit' });
  });
});

describe('the velocity log (property)', () => {
  /** Reserves tried at these gaps (ms) after each other, against a log that only approved ones append to. */
  const attempts = fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 120 });
  const rules = fc.record({
    max: fc.integer({ min: 1, max: VELOCITY_LOG_SLOTS }),
    windowMs: fc.integer({ min: 1, max: 120_000 }),
  });

  it('approves exactly when fewer than max approvals lie within the window before it, at every instant', () => {
    fc.assert(
      fc.property(attempts, rules, (gaps, rule) => {
        let log = Array(VELOCITY_LOG_SLOTS).fill(0) as number[];
        const approved: number[] = [];
        let nowMs = 1_000_000;
        for (const gap of gaps) {
          nowMs += gap;
          const full = velocityFull(log, { ...rule, nowMs });
          const inWindow = approved.filter((t) => t > nowMs - rule.windowMs).length;
          expect(full).toBe(inWindow >= rule.max);
          if (!full) {
            // The update: append this instant, drop the oldest (SET log[SLOTS] = :now REMOVE log[0]).
            log = [...log.slice(1), nowMs];
            approved.push(nowMs);
          }
        }
        // Never more than max approvals in any window-long interval (each approval starting one).
        for (const start of approved)
          expect(approved.filter((t) => t >= start && t < start + rule.windowMs).length).toBeLessThanOrEqual(
            rule.max,
          );
      }),
    );
  });
});
