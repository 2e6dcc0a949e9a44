/**
 * The account aggregate: limits and balances. `available` is stored (not derived) because DynamoDB conditions
 * cannot do arithmetic: every write moves it together with what it depends on, so always
 * available = totalLimit - reserved - outstanding.
 */
import { assert } from '../assert.js';

export type AccountStatus = 'active' | 'frozen' | 'closed';

/**
 * One category quota on an account: credit usable only for holds with that `category`, granted by a
 * `category_quota` promotion. Unused quota sits outside `totalLimit` (general holds cannot reach it); a category
 * hold *draws* from it, which moves the drawn part into `promoLimit`/`totalLimit` in the same guarded update, so
 * `available = totalLimit - reserved - outstanding` keeps holding. Releases give drawn quota back; captured quota
 * stays drawn until the promotion ends, when `promoLimit` drops by what is drawn (like any uplift withdrawn).
 * Always `promoLimit = uplift + sum of drawn`.
 */
export interface CategoryQuota {
  /** The promotion whose grant this is; absent once the grant has ended (the entry then only remembers `ended`). */
  promotionId?: string;
  /** Still drawable, minor units. */
  unused: number;
  /** Drawn by holds and not given back (held or captured), minor units; counted in promoLimit. */
  drawn: number;
  /**
   * Draws start at this instant (the promotion's start): a refresh stages a grant ahead of its start, so no job
   * has to run then. Absent on a grant staged only once in force (before staging existed): drawable at once.
   */
  startsAt?: string;
  /** Draws stop at this instant (the promotion's end), even before a refresh removes the grant. */
  endsAt: string;
  /** Promotions whose grants on this account have ended: never granted again, so a grant is identified by its promotion. */
  ended: string[];
}

/** Whether a quota can be drawn from at `nowIso`. */
export function isDrawable(
  q: CategoryQuota | undefined,
  nowIso: string,
): q is CategoryQuota & { promotionId: string } {
  return (
    q !== undefined &&
    q.promotionId !== undefined &&
    q.unused > 0 &&
    (q.startsAt === undefined || q.startsAt <= nowIso) &&
    q.endsAt > nowIso
  );
}

/**
 * Slots for staged promotion windows per account. Every reserve's guard names each slot, so a slot costs every
 * authorize a few condition terms; two cover the next two changes of an account's uplift (a promotion that
 * starts, and its end; or the end of one in force and the start of the next) between two stagings.
 */
export const PROMOTION_WINDOW_SLOTS = 2;

/**
 * A staged promotion window: on [startsAt, endsAt) the account's promotional credit is its stored `promoLimit`
 * plus `promoDeltaMinor` (negative for a window that starts when an uplift in the stored figures ends). The
 * figure the reserve guard compares in the window, `available + promoDeltaMinor`, is stored beside `available`
 * and moved by every update that moves it, so a hold at any instant is decided in its one write, with no job
 * running at either edge (accounts/repository.ts). Windows of one account never overlap.
 */
export interface PromotionWindow {
  slot: number;
  startsAt: string;
  endsAt: string;
  promoDeltaMinor: number;
}

/** A promotion staged on an account, as the account resource shows it; its status follows from the instant. */
export interface StagedPromotion {
  id: string;
  kind: 'uplift' | 'category_quota';
  /** The uplift this account gets, or the quota granted, minor units. */
  amount: number;
  category?: string;
  startsAt: string;
  endsAt: string;
}

/** Promotions an account remembers for its resource: a bound on the item's size (ended ones go first). */
export const MAX_STAGED_PROMOTIONS = 16;

export type PromotionStatus = 'scheduled' | 'active' | 'ended';

export function promotionStatus(
  p: Pick<StagedPromotion, 'startsAt' | 'endsAt'>,
  nowIso: string,
): PromotionStatus {
  // One ended before its start (its window closed at startsAt) never applies: ended, not scheduled.
  if (nowIso >= p.endsAt || p.endsAt <= p.startsAt) return 'ended';
  return nowIso < p.startsAt ? 'scheduled' : 'active';
}

/** The window in force at `nowIso`, if any (half-open: at endsAt it has ended). */
export function windowAt(account: Pick<Account, 'windows'>, nowIso: string): PromotionWindow | undefined {
  return account.windows.find((w) => w.startsAt <= nowIso && nowIso < w.endsAt);
}

/**
 * The account's figures at `nowIso`: the stored ones moved by the window in force. What the guard compares and
 * what the resource shows; `available = totalLimit - reserved - outstanding` holds for both.
 */
export function figuresAt(account: Account, nowIso: string): Account {
  const delta = windowAt(account, nowIso)?.promoDeltaMinor ?? 0;
  if (delta === 0) return account;
  return {
    ...account,
    promoLimit: account.promoLimit + delta,
    totalLimit: account.totalLimit + delta,
    available: account.available + delta,
  };
}

/** The sum of quota drawn across categories: the part of promoLimit that is not a festival uplift. */
export function drawnQuota(account: Pick<Account, 'quotas'>): number {
  return Object.values(account.quotas).reduce(
    (sum, q) => sum + (q.promotionId === undefined ? 0 : q.drawn),
    0,
  );
}

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
  /**
   * The velocity log: when (epoch ms) the last VELOCITY_LOG_SLOTS reserves on this account were approved, in the
   * order they committed, oldest first; 0 is a slot never used. Every reserve appends its instant and drops the
   * oldest in one update shape, and is refused when the N-th most recent is still inside the window (at most N
   * within any window, exactly at its edges). Absent only on an account written before the log existed.
   */
  velocityLog?: number[];
  /** Category quotas by category (see CategoryQuota); `{}` when none was ever granted. */
  quotas: Record<string, CategoryQuota>;
  /** Staged promotion windows (see PromotionWindow), at most PROMOTION_WINDOW_SLOTS; `[]` when none. */
  windows: PromotionWindow[];
  /** Promotions staged on this account, at most MAX_STAGED_PROMOTIONS; `[]` when none. */
  promotions: StagedPromotion[];
  /** Why the account was last frozen or unfrozen (risk's words). */
  statusReason?: string;
}

/**
 * The reason code of the `limit_change` an account opens with (its first limit, journaled in the opening
 * transaction): how the opening is told apart from a later change (customer notifications skip it).
 */
export const OPENING_LIMIT_REASON = 'account_opened';

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
  /** Grants in force, by category: what is left to draw and what holds have drawn (an extension of contract v1). */
  categoryQuotas: Record<string, { promotionId: string; remaining: number; used: number; endsAt: string }>;
  /** Promotions staged on the account, with their status at the instant of the answer (contract v1.1). */
  promotions: Array<StagedPromotion & { status: PromotionStatus }>;
  createdAt: string;
}

/** The account as the API shows it at `nowIso`: its figures and promotions as of that instant. */
export function toAccountResource(
  stored: Account,
  nowIso: string = new Date().toISOString(),
): AccountResource {
  const account = figuresAt(stored, nowIso);
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
    categoryQuotas: Object.fromEntries(
      Object.entries(account.quotas).flatMap(([category, q]) =>
        q.promotionId === undefined
          ? []
          : [
              [
                category,
                { promotionId: q.promotionId, remaining: q.unused, used: q.drawn, endsAt: q.endsAt },
              ],
            ],
      ),
    ),
    promotions: account.promotions.map((p) => ({ ...p, status: promotionStatus(p, nowIso) })),
    createdAt: account.createdAt,
  };
}

/**
 * What every account must satisfy, checked in pairs: before an account is written (newAccountItem, and every
 * figure computed here, applyToAccount) and again when one is read (accountFromItem), so figures broken by a bug
 * or by hand never reach a decision or a response. One condition per assertion: a failure names what broke.
 */
export function assertAccountInvariants(account: Account): void {
  const id = account.id;
  for (const figure of ACCOUNT_FIGURES)
    assert(Number.isSafeInteger(account[figure]), `account ${id} ${figure} is not an integer`);
  assert(account.reserved >= 0, `account ${id} reserved is negative`);
  assert(account.outstanding >= 0, `account ${id} outstanding is negative`);
  assert(account.creditLimit >= 0, `account ${id} creditLimit is negative`);
  assert(account.promoLimit >= 0, `account ${id} promoLimit is negative`);
  assert(
    account.totalLimit === account.creditLimit + account.promoLimit,
    `account ${id} totalLimit ${account.totalLimit} != creditLimit + promoLimit`,
  );
  assert(
    account.available === account.totalLimit - account.reserved - account.outstanding,
    `account ${id} available ${account.available} != totalLimit - reserved - outstanding`,
  );
  for (const [category, q] of Object.entries(account.quotas)) {
    assert(q.unused >= 0, `account ${id} quota ${category} unused is negative`);
    assert(q.drawn >= 0, `account ${id} quota ${category} drawn is negative`);
  }
  assert(drawnQuota(account) <= account.promoLimit, `account ${id} has more quota drawn than promoLimit`);
  assert(account.windows.length <= PROMOTION_WINDOW_SLOTS, `account ${id} has too many promotion windows`);
  for (const w of account.windows) {
    assert(Number.isSafeInteger(w.promoDeltaMinor), `account ${id} window ${w.slot} delta is not an integer`);
    assert(w.startsAt < w.endsAt, `account ${id} window ${w.slot} does not end after it starts`);
    assert(
      account.promoLimit + w.promoDeltaMinor >= 0,
      `account ${id} window ${w.slot} promoLimit is negative`,
    );
  }
  const byStart = [...account.windows].sort((a, b) => (a.startsAt < b.startsAt ? -1 : 1));
  for (let i = 1; i < byStart.length; i += 1)
    assert(
      (byStart[i - 1]?.endsAt ?? '') <= (byStart[i]?.startsAt ?? ''),
      `account ${id} has overlapping promotion windows`,
    );
  assert(account.promotions.length <= MAX_STAGED_PROMOTIONS, `account ${id} has too many staged promotions`);
  if (account.velocityLog !== undefined)
    assert(
      account.velocityLog.length === VELOCITY_LOG_SLOTS,
      `account ${id} velocity log has ${account.velocityLog.length} slots, not ${VELOCITY_LOG_SLOTS}`,
    );
}

/**
 * Slots in an account's velocity log: the largest velocity maximum a deployment can set. 32 instants cost about
 * 300 bytes on the account item, and no risk rule counts more than 32 approvals per account in a window.
 */
export const VELOCITY_LOG_SLOTS = 32;

export const emptyVelocityLog = (): number[] => Array.from({ length: VELOCITY_LOG_SLOTS }, () => 0);

/** The money figures of an account, all integer minor units. */
const ACCOUNT_FIGURES = [
  'creditLimit',
  'promoLimit',
  'totalLimit',
  'reserved',
  'outstanding',
  'available',
] as const satisfies ReadonlyArray<keyof Account>;

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
    velocityLog: emptyVelocityLog(),
    quotas: {},
    windows: [],
    promotions: [],
  };
}
