/**
 * Storage of accounts: key layout and every condition/update expression that touches an account item.
 * The reserve guard is the heart of "no oversell": available, status, currency and velocity are checked by
 * DynamoDB in the same write that moves the money.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../ids.js';
import { defaultStorage, documentClient, type Storage, tableName } from '../storage/dynamo-client.js';
import { ACCOUNT_BUCKETS, ACCOUNTS_INDEX } from '../storage/table.js';
import type { TransactItem } from '../storage/transactions.js';
import {
  type Account,
  assertAccountInvariants,
  type BalanceDelta,
  type CategoryQuota,
  availableDelta,
  emptyVelocityLog,
  PROMOTION_WINDOW_SLOTS,
  type PromotionWindow,
  type StagedPromotion,
  VELOCITY_LOG_SLOTS,
} from './model.js';
import { assert, present } from '../assert.js';

const ACCOUNT_SK = 'ACCOUNT';

/**
 * The ids of the account's installment plans, a string set on the account item: the capture that makes a plan adds
 * its id in the account update it writes anyway (shared/installments/repository.ts lists plans from it).
 */
export const PLAN_IDS_ATTRIBUTE = 'planIds';

/**
 * A coupon's state, on its account's item (`coupon:<couponId>`): `issued`, or `redeemed:<planId>`. A capture redeems
 * it in the account update it writes anyway, guarded by `issued` (single use), so the coupon costs the capture's
 * transaction no item of its own; the coupon's own item keeps its terms (shared/coupons/repository.ts).
 */
const COUPON_STATE_PREFIX = 'coupon:';
export const couponStateAttribute = (couponId: string): string => `${COUPON_STATE_PREFIX}${couponId}`;

/**
 * What a settlement changes on the account item besides its figures, in the same update: an id added to a
 * string set (a new plan's, to `planIds`), and an attribute moved from one value to another (a coupon's state;
 * guarded by `from` when given).
 */
export interface AccountAttributeChanges {
  /** `max`: the set must hold fewer ids than this before the addition. */
  add?: { attribute: string; value: string; max?: number };
  swap?: { attribute: string; from?: string; to: string };
}
export const accountKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: ACCOUNT_SK });

/**
 * Each category quota is its own top-level attribute, `quota:<category>`, so a reserve or a refresh touches only
 * the one it needs and no parent map has to exist first.
 */
const QUOTA_PREFIX = 'quota:';
export const quotaAttribute = (category: string): string => `${QUOTA_PREFIX}${category}`;

/**
 * A staged promotion window's attributes (accounts/model.PromotionWindow), flat at the top level so every update
 * can name them whether or not a window was ever staged: `if_not_exists(<available>, available)` reads an
 * account that has none as "the window figure is `available`". An empty slot has empty instants.
 */
const windowAttributes = (slot: number) => ({
  startsAt: `promoWindow${slot}StartsAt`,
  endsAt: `promoWindow${slot}EndsAt`,
  delta: `promoWindow${slot}Delta`,
  available: `promoWindow${slot}Available`,
});
const WINDOW_SLOTS = Array.from({ length: PROMOTION_WINDOW_SLOTS }, (_, slot) => slot);

/** `(slot in force at :now)`: DynamoDB compares the stored ISO instants with the write's own instant. */
const inWindow = (slot: number): string => {
  const w = windowAttributes(slot);
  return `(${w.startsAt} <= :now AND ${w.endsAt} > :now)`;
};

/**
 * "The credit at :now covers `amount`": the stored `available` outside every window, the window's own figure
 * inside one. The condition cannot add, so each window keeps its figure precomputed (moved with `available`).
 */
function creditCovers(amount: string): string {
  const outside = WINDOW_SLOTS.map((slot) => `NOT ${inWindow(slot)}`).join(' AND ');
  const inside = WINDOW_SLOTS.map(
    (slot) => `(${inWindow(slot)} AND ${windowAttributes(slot).available} >= ${amount})`,
  );
  return `((available >= ${amount} AND ${outside}) OR ${inside.join(' OR ')})`;
}

/** SET clauses moving every window's figure by `by` (a signed placeholder), as `available` moves. */
const windowMoves = (by: string): string[] =>
  WINDOW_SLOTS.map((slot) => {
    const a = windowAttributes(slot).available;
    return `${a} = if_not_exists(${a}, available) + ${by}`;
  });

/** The staged windows of an item, each checked against `available` (the window figure moved with it). */
function windowsFromItem(item: Record<string, unknown>, accountId: string): PromotionWindow[] {
  const windows: PromotionWindow[] = [];
  for (const slot of WINDOW_SLOTS) {
    const names = windowAttributes(slot);
    const startsAt = item[names.startsAt];
    const delta = typeof item[names.delta] === 'number' ? (item[names.delta] as number) : 0;
    const figure = item[names.available];
    if (figure !== undefined)
      assert(
        figure === (item['available'] as number) + delta,
        `account ${accountId} window ${slot} figure ${String(figure)} != available + its delta`,
      );
    if (typeof startsAt !== 'string' || startsAt === '') continue;
    windows.push({ slot, startsAt, endsAt: String(item[names.endsAt]), promoDeltaMinor: delta });
  }
  return windows;
}

const WINDOW_ATTRIBUTE_NAMES = new Set(WINDOW_SLOTS.flatMap((slot) => Object.values(windowAttributes(slot))));

/** An account as stored, its invariants checked on the way in (the pair of the check before every write). */
export function accountFromItem(item: Record<string, unknown>): Account {
  const {
    pk: _pk,
    sk: _sk,
    itemType: _itemType,
    gsi3pk: _b,
    gsi3sk: _i,
    lastRefreshKey: _r,
    lastIncreaseAt: _li,
    lastLimitRequestAt: _lr,
    // The fixed-window counter an account written before the velocity log carried (replaced on its next reserve).
    velocityWindow: _vw,
    velocityCount: _vc,
    // The account's installment plans (PLAN_IDS_ATTRIBUTE), read by shared/installments/repository.ts.
    [PLAN_IDS_ATTRIBUTE]: _plans,
    ...rest
  } = item;
  const account: Record<string, unknown> = {};
  const quotas: Record<string, CategoryQuota> = {};
  for (const [name, value] of Object.entries(rest)) {
    if (name.startsWith(COUPON_STATE_PREFIX)) continue; // coupons' states: shared/coupons/repository.ts reads them
    if (name.startsWith(QUOTA_PREFIX)) quotas[name.slice(QUOTA_PREFIX.length)] = value as CategoryQuota;
    else if (!WINDOW_ATTRIBUTE_NAMES.has(name)) account[name] = value;
  }
  account['quotas'] = quotas;
  account['windows'] = windowsFromItem(item, String(item['id']));
  account['promotions'] = (item['promotions'] as StagedPromotion[] | undefined) ?? [];
  const read = account as unknown as Account;
  assertAccountInvariants(read);
  return read;
}

export const accountBucket = (accountId: string): number =>
  present(sha256(accountId)[0], 'a digest byte') % ACCOUNT_BUCKETS;

/** The whole item of a new account, with its accounts-index keys. */
export function newAccountItem(account: Account): Record<string, unknown> {
  assertAccountInvariants(account);
  return {
    ...accountKey(account.id),
    itemType: 'account',
    [ACCOUNTS_INDEX.partitionKey]: `ACCOUNTS#${accountBucket(account.id)}`,
    [ACCOUNTS_INDEX.sortKey]: account.id,
    ...accountAttributes(account),
  };
}

function accountAttributes(account: Account): Record<string, unknown> {
  // A new account has no staged window: its figures are `available` (if_not_exists in every update).
  assert(account.windows.length === 0, `a new account ${account.id} has no promotion window`);
  const { quotas, windows: _windows, ...rest } = account;
  return {
    ...rest,
    ...Object.fromEntries(Object.entries(quotas).map(([category, q]) => [quotaAttribute(category), q])),
  };
}

/** One page of account ids in a bucket, in id order, after `afterId`. */
export async function listAccountIds(
  bucket: number,
  limit: number,
  afterId?: string,
): Promise<{ ids: string[]; lastId: string | null }> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: ACCOUNTS_INDEX.name,
      KeyConditionExpression: `${ACCOUNTS_INDEX.partitionKey} = :bucket`,
      ExpressionAttributeValues: { ':bucket': `ACCOUNTS#${bucket}` },
      Limit: limit,
      ...(afterId
        ? {
            ExclusiveStartKey: {
              ...accountKey(afterId),
              [ACCOUNTS_INDEX.partitionKey]: `ACCOUNTS#${bucket}`,
              [ACCOUNTS_INDEX.sortKey]: afterId,
            },
          }
        : {}),
    }),
  );
  const ids = (result.Items ?? []).map((item) => String(item[ACCOUNTS_INDEX.sortKey]));
  return { ids, lastId: result.LastEvaluatedKey ? (ids.at(-1) ?? null) : null };
}

export interface LimitChange {
  accountId: string;
  before: Pick<Account, 'creditLimit' | 'promoLimit'>;
  creditLimit: number;
  promoLimit: number;
  riskTier: string;
  nowIso: string;
  /** The refresh run's key: an account already written under it is not written again (re-runs are no-ops). */
  refreshKey?: string;
  /** A customer's request: refused (condition) if the previous one was after this instant. */
  requestCooldownSinceIso?: string;
  /**
   * Category quotas to write whole, each guarded by the value it was computed from (`null`: did not exist), so
   * a draw or give-back racing the refresh makes it stale rather than lost.
   */
  quotaWrites?: ReadonlyArray<{ category: string; before: CategoryQuota | null; after: CategoryQuota }>;
  /**
   * The promotion windows to stage, relative to the new limits (every slot is rewritten: a slot not named is
   * emptied), and the promotions the account resource shows. Absent: the staged windows stay and move with the
   * limits.
   */
  staging?: { windows: readonly PromotionWindow[]; promotions: readonly StagedPromotion[] };
}

/** SET clauses and values that stage `windows` afresh, each figure = the new `available` + its delta. */
function stagingParts(
  staging: NonNullable<LimitChange['staging']>,
  deltaMinor: number,
): { sets: string[]; values: Record<string, unknown> } {
  const sets = ['promotions = :stagedPromotions'];
  const values: Record<string, unknown> = { ':stagedPromotions': staging.promotions };
  for (const slot of WINDOW_SLOTS) {
    const w = staging.windows.find((window) => window.slot === slot);
    const names = windowAttributes(slot);
    sets.push(
      `${names.startsAt} = :w${slot}StartsAt`,
      `${names.endsAt} = :w${slot}EndsAt`,
      `${names.delta} = :w${slot}Delta`,
      // Both read the item as it is when the write applies: racing reserves cannot tear the pair.
      `${names.available} = available + :w${slot}Move`,
    );
    values[`:w${slot}StartsAt`] = w?.startsAt ?? '';
    values[`:w${slot}EndsAt`] = w?.endsAt ?? '';
    values[`:w${slot}Delta`] = w?.promoDeltaMinor ?? 0;
    values[`:w${slot}Move`] = deltaMinor + (w?.promoDeltaMinor ?? 0);
  }
  return { sets, values };
}

/**
 * A limit change: new creditLimit/promoLimit, and the difference added to totalLimit and available in the same
 * update, so reserves racing it never see a torn state. Guarded by the limits it was computed from.
 */
export function limitChangeUpdate(c: LimitChange): TransactItem {
  // The write side of the limits' invariants (accountFromItem checks them on every read).
  assert(Number.isSafeInteger(c.creditLimit), `account ${c.accountId} new creditLimit is not an integer`);
  assert(Number.isSafeInteger(c.promoLimit), `account ${c.accountId} new promoLimit is not an integer`);
  assert(c.creditLimit >= 0, `account ${c.accountId} new creditLimit is negative`);
  assert(c.promoLimit >= 0, `account ${c.accountId} new promoLimit is negative`);
  const deltaMinor = c.creditLimit + c.promoLimit - (c.before.creditLimit + c.before.promoLimit);
  const conditions = ['attribute_exists(pk)', 'creditLimit = :oldCredit', 'promoLimit = :oldPromo'];
  const sets = [
    'creditLimit = :credit',
    'promoLimit = :promo',
    'totalLimit = totalLimit + :delta',
    'available = available + :delta',
    'riskTier = :tier',
    'updatedAt = :now',
  ];
  const values: Record<string, unknown> = {
    ':oldCredit': c.before.creditLimit,
    ':oldPromo': c.before.promoLimit,
    ':credit': c.creditLimit,
    ':promo': c.promoLimit,
    ':delta': deltaMinor,
    ':tier': c.riskTier,
    ':now': c.nowIso,
  };
  if (c.staging === undefined) sets.push(...windowMoves(':delta'));
  else {
    const staged = stagingParts(c.staging, deltaMinor);
    sets.push(...staged.sets);
    Object.assign(values, staged.values);
  }
  if (deltaMinor !== 0) sets.push('limitUpdatedAt = :now');
  if (c.creditLimit > c.before.creditLimit) sets.push('lastIncreaseAt = :now');
  if (c.refreshKey !== undefined) {
    conditions.push('(attribute_not_exists(lastRefreshKey) OR lastRefreshKey <> :refreshKey)');
    sets.push('lastRefreshKey = :refreshKey');
    values[':refreshKey'] = c.refreshKey;
  }
  if (c.requestCooldownSinceIso !== undefined) {
    conditions.push('(attribute_not_exists(lastLimitRequestAt) OR lastLimitRequestAt < :cooldown)');
    sets.push('lastLimitRequestAt = :now');
    values[':cooldown'] = c.requestCooldownSinceIso;
  }
  const names: Record<string, string> = {};
  (c.quotaWrites ?? []).forEach((w, i) => {
    names[`#q${i}`] = quotaAttribute(w.category);
    sets.push(`#q${i} = :q${i}`);
    values[`:q${i}`] = w.after;
    if (w.before === null) {
      conditions.push(`attribute_not_exists(#q${i})`);
    } else {
      conditions.push(`#q${i}.unused = :q${i}unused AND #q${i}.drawn = :q${i}drawn`);
      values[`:q${i}unused`] = w.before.unused;
      values[`:q${i}drawn`] = w.before.drawn;
    }
  });
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(c.accountId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Sets the account's status (freeze/unfreeze); a closed account stays closed. */
export function statusUpdate(
  accountId: string,
  status: 'active' | 'frozen',
  reason: string,
  nowIso: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(accountId),
      UpdateExpression: 'SET #status = :status, statusReason = :reason, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':reason': reason,
        ':now': nowIso,
        ':closed': 'closed',
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export async function getAccount(
  accountId: string,
  storage: Storage = defaultStorage,
): Promise<Account | undefined> {
  const result = await storage.documentClient.send(
    new GetCommand({ TableName: storage.tableName, Key: accountKey(accountId), ConsistentRead: true }),
  );
  return result.Item ? accountFromItem(result.Item) : undefined;
}

/**
 * How a category hold meets its category's quota. DynamoDB updates cannot branch, so like velocity this has
 * shapes, picked from the last image seen and corrected from the cancellation's image when wrong:
 * - `none`: nothing drawable (no grant, used up, or past its end): the ordinary guard, plus "nothing drawable";
 * - `full`: the quota covers the whole amount: draw it all; available only has to be non-negative;
 * - `split`: the quota covers part: draw the `unused` last seen (if still there), the rest from available.
 */
export type QuotaShape =
  | { kind: 'none' }
  | { kind: 'full'; promotionId: string }
  | { kind: 'split'; promotionId: string; unused: number };

/** What a shape draws from the quota for a hold of `amountMinor`. */
export const quotaDraw = (shape: QuotaShape, amountMinor: number): number =>
  shape.kind === 'full' ? amountMinor : shape.kind === 'split' ? Math.min(shape.unused, amountMinor) : 0;

/** Drawn quota a release gives back to the grant it came from. */
export interface QuotaReturn {
  category: string;
  promotionId: string;
  amount: number;
}

export interface ReserveGuard {
  accountId: string;
  amountMinor: number;
  currency: string;
  nowIso: string;
  /** The velocity rule at this instant; undefined when the deployment turns it off (VELOCITY_MAX=0). */
  velocity: VelocityGuard | undefined;
  /** A hold for a product category, and how it meets that category's quota. */
  quota?: { category: string; shape: QuotaShape };
}

export interface VelocityGuard {
  /** At most this many approved reserves (1..VELOCITY_LOG_SLOTS) within any `windowMs`. */
  max: number;
  windowMs: number;
  nowMs: number;
  /** The account has no velocity log yet (written before it existed): start one instead of appending. */
  startLog?: boolean;
}

/**
 * The velocity part of the reserve, in one shape for every account and every execution environment: append this
 * instant to the log and drop the oldest (`SET log[SLOTS] = :now REMOVE log[0]`: a SET past a list's end appends,
 * and both act on the item as it was), guarded by "the max-th most recent approval is outside the window", i.e.
 * slot SLOTS - max is at or before now - window. Nothing to guess: no window index, no count to reset.
 */
function velocityParts(v: VelocityGuard | undefined): {
  sets: string[];
  removes: string[];
  conditions: string[];
  values: Record<string, unknown>;
} {
  if (v === undefined) return { sets: [], removes: [], conditions: [], values: {} };
  assert(Number.isSafeInteger(v.max), 'the velocity maximum is not an integer');
  assert(
    v.max >= 1 && v.max <= VELOCITY_LOG_SLOTS,
    `the velocity maximum ${v.max} is not 1..${VELOCITY_LOG_SLOTS}`,
  );
  if (v.startLog) {
    const log = [...emptyVelocityLog().slice(1), v.nowMs];
    return {
      sets: ['velocityLog = :velocityLog'],
      removes: ['velocityWindow', 'velocityCount'],
      conditions: ['attribute_not_exists(velocityLog)'],
      values: { ':velocityLog': log },
    };
  }
  return {
    sets: [`velocityLog[${VELOCITY_LOG_SLOTS}] = :velocityNow`],
    removes: ['velocityLog[0]'],
    conditions: [`velocityLog[${VELOCITY_LOG_SLOTS - v.max}] <= :velocityCutoff`],
    values: { ':velocityNow': v.nowMs, ':velocityCutoff': v.nowMs - v.windowMs },
  };
}

/**
 * The reserve: SET available = available - amt, reserved = reserved + amt, guarded by
 * available >= amt AND status = active AND currency AND the velocity log. One item, one condition, and for the
 * velocity rule one update shape (velocityParts). With promotion windows staged, "available >= amt" is read at
 * the write's instant (creditCovers): a hold one second into a window uses its figure, one second after its end
 * does not, and no job runs at either edge.
 *
 * A category hold draws from its category's quota first: a draw of x moves x from the quota into promoLimit and
 * totalLimit in the same update, so available falls only by amt - x, which it must cover (and it may never be
 * negative: an account over its limit takes no new holds, quota or not).
 */
export function reserveUpdate(g: ReserveGuard): TransactItem {
  assert(Number.isSafeInteger(g.amountMinor), `a reserve on ${g.accountId} is not an integer amount`);
  assert(g.amountMinor > 0, `a reserve on ${g.accountId} is not positive`);
  const velocity = velocityParts(g.velocity);
  const sets = ['reserved = reserved + :amt', 'updatedAt = :now', ...velocity.sets];
  const conditions = [
    'attribute_exists(pk)',
    '#status = :active',
    'currency = :currency',
    ...velocity.conditions,
  ];
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':amt': g.amountMinor,
    ':now': g.nowIso,
    ':active': 'active',
    ':currency': g.currency,
    ...velocity.values,
  };
  const shape: QuotaShape = g.quota?.shape ?? { kind: 'none' };
  const draw = quotaDraw(shape, g.amountMinor);
  const rest = g.amountMinor - draw;
  if (g.quota) names['#q'] = quotaAttribute(g.quota.category);
  if (shape.kind === 'none') {
    sets.push('available = available - :amt', ...windowMoves(':negAmt'));
    conditions.push(creditCovers(':amt'));
    values[':negAmt'] = -g.amountMinor;
    if (g.quota) {
      conditions.push(
        '(attribute_not_exists(#q.promotionId) OR #q.unused <= :zero OR #q.endsAt <= :now OR #q.startsAt > :now)',
      );
      values[':zero'] = 0;
    }
  } else {
    sets.push(
      '#q.unused = #q.unused - :draw',
      '#q.drawn = #q.drawn + :draw',
      'promoLimit = promoLimit + :draw',
      'totalLimit = totalLimit + :draw',
      ...(rest > 0 ? ['available = available - :rest', ...windowMoves(':negRest')] : []),
    );
    conditions.push(
      '#q.promotionId = :quotaPromotion',
      '(attribute_not_exists(#q.startsAt) OR #q.startsAt <= :now)',
      '#q.endsAt > :now',
      // A split draws what the quota held when last seen; "at least" rather than "exactly" keeps it valid when a
      // racing release gave some back (the hold then draws a little less quota than it could: never more).
      '#q.unused >= :draw',
      creditCovers(':rest'),
    );
    Object.assign(values, { ':draw': draw, ':rest': rest, ':quotaPromotion': shape.promotionId });
    if (rest > 0) values[':negRest'] = -rest;
  }
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(g.accountId),
      UpdateExpression: `SET ${sets.join(', ')}${velocity.removes.length > 0 ? ` REMOVE ${velocity.removes.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Adds `changes` to an update's parts; answers its ADD clause (empty when it has none). */
function attributeChanges(
  changes: AccountAttributeChanges | undefined,
  parts: {
    sets: string[];
    conditions: string[];
    names: Record<string, string>;
    values: Record<string, unknown>;
  },
): string {
  const swap = changes?.swap;
  if (swap !== undefined) {
    parts.names['#swap'] = swap.attribute;
    parts.sets.push('#swap = :swapTo');
    parts.values[':swapTo'] = swap.to;
    if (swap.from !== undefined) {
      parts.conditions.push('#swap = :swapFrom');
      parts.values[':swapFrom'] = swap.from;
    }
  }
  const add = changes?.add;
  if (add === undefined) return '';
  parts.names['#set'] = add.attribute;
  parts.values[':setValue'] = new Set([add.value]);
  if (add.max !== undefined) {
    parts.conditions.push('(attribute_not_exists(#set) OR size(#set) < :setMax)');
    parts.values[':setMax'] = add.max;
  }
  return ' ADD #set :setValue';
}

/**
 * Any other movement (capture, release, refund, repayment, limit change): add the deltas, keep `available`
 * in step. `requireOutstandingAtLeast` guards money coming back (a repayment or refund cannot push
 * outstanding below zero).
 */
export function movementUpdate(
  accountId: string,
  delta: BalanceDelta,
  nowIso: string,
  options: {
    requireOutstandingAtLeast?: number;
    /** Optimistic guard: the figures the caller read, so the answer it computed is exactly the new state. */
    requireFigures?: Pick<Account, 'reserved' | 'outstanding' | 'totalLimit'>;
    /**
     * Drawn quota a release gives back to its grant (delta.totalLimit already carries -amount): guarded by the
     * grant still being the one the hold drew from; if it ended, the caller releases without it.
     */
    quotaReturn?: QuotaReturn;
    /** Attributes changed with the figures (a capture's plan id, a coupon's state). */
    changes?: AccountAttributeChanges;
  } = {},
): TransactItem {
  const conditions = ['attribute_exists(pk)'];
  const sets = [
    'reserved = reserved + :reserved',
    'outstanding = outstanding + :outstanding',
    'totalLimit = totalLimit + :totalLimit',
    'available = available + :available',
    'updatedAt = :now',
    ...windowMoves(':available'),
  ];
  const values: Record<string, unknown> = {
    ':reserved': delta.reserved,
    ':outstanding': delta.outstanding,
    ':totalLimit': delta.totalLimit,
    ':available': availableDelta(delta),
    ':now': nowIso,
  };
  if (options.requireOutstandingAtLeast !== undefined) {
    conditions.push('outstanding >= :minOutstanding');
    values[':minOutstanding'] = options.requireOutstandingAtLeast;
  }
  if (options.requireFigures !== undefined) {
    conditions.push(
      'reserved = :wasReserved AND outstanding = :wasOutstanding AND totalLimit = :wasTotalLimit',
    );
    values[':wasReserved'] = options.requireFigures.reserved;
    values[':wasOutstanding'] = options.requireFigures.outstanding;
    values[':wasTotalLimit'] = options.requireFigures.totalLimit;
  }
  const back = options.quotaReturn;
  if (back !== undefined) {
    conditions.push('#q.promotionId = :quotaPromotion AND #q.drawn >= :quotaBack');
    sets.push(
      '#q.unused = #q.unused + :quotaBack',
      '#q.drawn = #q.drawn - :quotaBack',
      'promoLimit = promoLimit - :quotaBack',
    );
    values[':quotaPromotion'] = back.promotionId;
    values[':quotaBack'] = back.amount;
  }
  const names: Record<string, string> = back ? { '#q': quotaAttribute(back.category) } : {};
  const adds = attributeChanges(options.changes, { sets, conditions, names, values });
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(accountId),
      UpdateExpression: `SET ${sets.join(', ')}${adds}`,
      ConditionExpression: conditions.join(' AND '),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}
