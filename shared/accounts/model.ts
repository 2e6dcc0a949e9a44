/**
 * The account aggregate: limits and balances. `available` is stored (not derived) because DynamoDB conditions
 * cannot do arithmetic: every write moves it together with what it depends on, so always
 * available = totalLimit - reserved - outstanding.
 */
export type AccountStatus = 'active' | 'frozen' | 'closed';

export interface Account {
  id: string;
  currency: string;
  status: AccountStatus;
  creditLimit: number;
  promoLimit: number;
  totalLimit: number;
  reserved: number;
  outstanding: number;
  available: number;
  riskTier: string;
  limitUpdatedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Fixed-window velocity counter: the window index (epoch seconds / window length) and holds approved in it. */
  velocityWindow: number;
  velocityCount: number;
  /** Why the account was last frozen or unfrozen (risk's words). */
  statusReason?: string;
}

/** The account after `delta`, with `available` kept in step. */
export function applyToAccount(account: Account, delta: BalanceDelta, nowIso: string): Account {
  const next = {
    ...account,
    reserved: account.reserved + delta.reserved,
    outstanding: account.outstanding + delta.outstanding,
    totalLimit: account.totalLimit + delta.totalLimit,
    available: account.available + availableDelta(delta),
    updatedAt: nowIso,
  };
  assertAccountInvariants(next);
  return next;
}

/** What one movement does to an account's figures (signed minor units). */
export interface BalanceDelta {
  reserved: number;
  outstanding: number;
  totalLimit: number;
}

export function availableDelta(delta: BalanceDelta): number {
  return delta.totalLimit - delta.reserved - delta.outstanding;
}

export interface AccountResource {
  id: string;
  object: 'account';
  currency: string;
  status: AccountStatus;
  creditLimit: number;
  promoLimit: number;
  totalLimit: number;
  reserved: number;
  outstanding: number;
  available: number;
  riskTier: string;
  limitUpdatedAt: string;
  createdAt: string;
}

export function toAccountResource(account: Account): AccountResource {
  return {
    id: account.id,
    object: 'account',
    currency: account.currency,
    status: account.status,
    creditLimit: account.creditLimit,
    promoLimit: account.promoLimit,
    totalLimit: account.totalLimit,
    reserved: account.reserved,
    outstanding: account.outstanding,
    available: account.available,
    riskTier: account.riskTier,
    limitUpdatedAt: account.limitUpdatedAt,
    createdAt: account.createdAt,
  };
}

export function assertAccountInvariants(account: Account): void {
  const expected = account.totalLimit - account.reserved - account.outstanding;
  if (account.available !== expected) {
    throw new Error(`invariant: account ${account.id} available ${account.available} != ${expected}`);
  }
  if (account.reserved < 0 || account.outstanding < 0) {
    throw new Error(`invariant: account ${account.id} has a negative balance`);
  }
}

export function newAccount(input: {
  id: string;
  currency: string;
  creditLimit: number;
  riskTier: string;
  now: string;
}): Account {
  return {
    id: input.id,
    currency: input.currency,
    status: 'active',
    creditLimit: input.creditLimit,
    promoLimit: 0,
    totalLimit: input.creditLimit,
    reserved: 0,
    outstanding: 0,
    available: input.creditLimit,
    riskTier: input.riskTier,
    limitUpdatedAt: input.now,
    createdAt: input.now,
    updatedAt: input.now,
    velocityWindow: 0,
    velocityCount: 0,
  };
}
