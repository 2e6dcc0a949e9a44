/** Why a reserve was refused, read from the account image DynamoDB returned. */
import { newAccount } from '../../shared/accounts/model.js';
import { explainReserveFailure } from '../../shared/authorizations/reserve-decision.js';

const account = (overrides = {}) => ({
  ...newAccount({
    id: 'acc_1',
    currency: 'CNY',
    creditLimit: 10_000,
    riskTier: 'B',
    now: '2026-06-18T00:00:00Z',
  }),
  velocityWindow: 100,
  velocityCount: 3,
  ...overrides,
});
const attempt = {
  amountMinor: 1_000,
  currency: 'CNY',
  window: 100,
  velocityMax: 20,
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
      'a full velocity window',
      account({ velocityCount: 20 }),
      { kind: 'decline', code: 'velocity_exceeded' },
    ],
    [
      'a guess of "new window" in a current window',
      account({ velocityCount: 5 }),
      { kind: 'retry', shape: 'same_window', window: 100, quota: { kind: 'none' } },
    ],
    [
      'a guess of "same window" after the window moved',
      account({ velocityWindow: 99 }),
      { kind: 'retry', shape: 'new_window', window: 100, quota: { kind: 'none' } },
    ],
    [
      'an image from a clock one window ahead',
      account({ velocityWindow: 101, velocityCount: 2 }),
      { kind: 'retry', shape: 'same_window', window: 101, quota: { kind: 'none' } },
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
  const retry = (quota: unknown) => ({ kind: 'retry', shape: 'same_window', window: 100, quota });

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
