/**
 * Invariants asserted in pairs: an account or a hold that breaks one is refused before it is written and again
 * when it is read, with an InvariantError naming the one condition that broke. Pure: the item builders and
 * readers are called on plain objects, no DynamoDB.
 */
import { InvariantError } from '../../shared/assert.js';
import { type Account, newAccount } from '../../shared/accounts/model.js';
import {
  accountFromItem,
  limitChangeUpdate,
  newAccountItem,
  reserveUpdate,
} from '../../shared/accounts/repository.js';
import type { Authorization } from '../../shared/authorizations/model.js';
import {
  authorizationFromItem,
  authorizationUpdate,
  newAuthorizationPut,
} from '../../shared/authorizations/repository.js';
import { recordFields } from '../../shared/idempotency/records.js';
import { holdAt } from '../support/holds.js';

const NOW_ISO = '2026-06-18T00:00:00.000Z';

const account = (overrides: Partial<Account> = {}): Account => ({
  ...newAccount({ id: 'acc_1', currency: 'CNY', creditLimit: 100_000, riskTier: 'B', now: NOW_ISO }),
  ...overrides,
});

/** An account as DynamoDB returns it: the stored item. */
const storedAccount = (overrides: Partial<Account> = {}): Record<string, unknown> => ({
  ...newAccountItem(account()),
  ...overrides,
});

const hold = (overrides: Partial<Authorization> = {}): Authorization => holdAt(NOW_ISO, overrides);

const RECORD = recordFields('authorize', 'cli_1', 'fp', { status: 201, body: '{}' });

/** An authorization as DynamoDB returns it: the item its Put wrote. */
const storedHold = (overrides: Partial<Authorization> = {}): Record<string, unknown> => ({
  ...(newAuthorizationPut(hold(), RECORD).Put?.Item ?? {}),
  ...overrides,
});

/** Broken figures, each breaking exactly one account invariant, with the message that names it. */
const BROKEN_ACCOUNTS: Array<[string, Partial<Account>, RegExp]> = [
  ['available out of step', { available: 99_999 }, /available 99999 != totalLimit - reserved - outstanding/],
  ['totalLimit out of step', { totalLimit: 90_000, available: 90_000 }, /totalLimit 90000 != creditLimit/],
  ['a negative reserved', { reserved: -1, available: 100_001 }, /reserved is negative/],
  ['a negative outstanding', { outstanding: -1, available: 100_001 }, /outstanding is negative/],
  ['a fractional figure', { reserved: 0.5, available: 99_999.5 }, /reserved is not an integer/],
  [
    'more quota drawn than promoLimit',
    { quotas: { phones: { promotionId: 'p1', unused: 0, drawn: 5, endsAt: NOW_ISO, ended: [] } } },
    /more quota drawn than promoLimit/,
  ],
];

describe('account invariants', () => {
  it('hold for a new account, written and read back', () => {
    expect(accountFromItem(newAccountItem(account()))).toEqual(account());
  });

  it.each(BROKEN_ACCOUNTS)('are checked before a write: %s', (_what, broken, message) => {
    expect(() => newAccountItem(account(broken))).toThrow(InvariantError);
    expect(() => newAccountItem(account(broken))).toThrow(message);
  });

  it.each(BROKEN_ACCOUNTS)('are checked when an item is read: %s', (_what, broken, message) => {
    // A quota is its own attribute in the item (quota:<category>), not a map.
    const { quotas, ...figures } = broken;
    const item = storedAccount(figures);
    for (const [category, q] of Object.entries(quotas ?? {})) item[`quota:${category}`] = q;
    expect(() => accountFromItem(item)).toThrow(InvariantError);
    expect(() => accountFromItem(item)).toThrow(message);
  });

  it('bound a limit change and a reserve before they are written', () => {
    const change = { accountId: 'acc_1', before: account(), promoLimit: 0, riskTier: 'B', nowIso: NOW_ISO };
    expect(() => limitChangeUpdate({ ...change, creditLimit: -1 })).toThrow(/new creditLimit is negative/);
    expect(() => limitChangeUpdate({ ...change, creditLimit: 1.5 })).toThrow(/not an integer/);
    const reserve = {
      accountId: 'acc_1',
      currency: 'CNY',
      nowIso: NOW_ISO,
      velocity: { max: 20, windowMs: 60_000, nowMs: Date.parse(NOW_ISO) },
    };
    expect(() => reserveUpdate({ ...reserve, amountMinor: 0 })).toThrow(/not positive/);
    expect(reserveUpdate({ ...reserve, amountMinor: 1 }).Update?.ConditionExpression).toContain(
      'available >= :amt',
    );
    const velocity = (max: number) => ({
      ...reserve,
      amountMinor: 1,
      velocity: { ...reserve.velocity, max },
    });
    expect(() => reserveUpdate(velocity(0))).toThrow(/velocity maximum 0/);
    expect(() => reserveUpdate(velocity(33))).toThrow(/velocity maximum 33/);
  });
});

/** Broken holds, each breaking exactly one invariant. */
const BROKEN_HOLDS: Array<[string, Partial<Authorization>, RegExp]> = [
  ['over-settled', { capturedAmount: 6_000, releasedAmount: 5_000 }, /over-settled/],
  [
    'refunded more than captured',
    { capturedAmount: 100, refundedAmount: 101 },
    /refunded more than it captured/,
  ],
  ['a negative capture', { capturedAmount: -1 }, /capturedAmount is negative/],
  [
    'quota over-settled',
    { quota: { promotionId: 'p1', drawn: 100, captured: 60, returned: 50 }, capturedAmount: 60 },
    /quota over-settled/,
  ],
  ['version 0', { version: 0 }, /version is below 1/],
];

describe('authorization invariants', () => {
  it('hold for a new hold, written and read back', () => {
    expect(authorizationFromItem(storedHold())).toEqual(hold());
  });

  it.each(BROKEN_HOLDS)('are checked before a write: %s', (_what, broken, message) => {
    const next = hold({ ...broken, version: broken.version ?? 2 });
    expect(() => authorizationUpdate(next, next.version - 1)).toThrow(InvariantError);
    expect(() => authorizationUpdate(next, next.version - 1)).toThrow(message);
  });

  it.each(BROKEN_HOLDS)('are checked when an item is read: %s', (_what, broken, message) => {
    expect(() => authorizationFromItem(storedHold(broken))).toThrow(InvariantError);
    expect(() => authorizationFromItem(storedHold(broken))).toThrow(message);
  });

  it('refuse an update that does not advance the version by one', () => {
    expect(() => authorizationUpdate(hold({ version: 3 }), 1)).toThrow(/version must advance by one/);
  });
});
