/**
 * Storage of coupons. Two items per coupon and one attribute of its account, written in one transaction:
 *   COUPON#<couponId>    / COUPON            the coupon's terms: read by id in the capture's own snapshot (the
 *                                            capture knows the hold, not yet its account)
 *   ACCOUNT#<accountId>  / COUPON#<couponId> an immutable pointer, so an account's coupons are one Query
 *   ACCOUNT#<accountId>  / ACCOUNT          `coupon:<couponId>`: its state, `issued` or `redeemed:<planId>`
 * Redemption moves the state `issued → redeemed:<planId>` in the capture's own account update, guarded by
 * `issued`: of two captures racing for one coupon exactly one transaction commits, and the coupon adds no item to
 * the capture's transaction. A coupon issued before its state moved onto the account (no `stateOnAccount`) keeps
 * `status` on its own item and is redeemed there, by a conditional update of that item.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { type AccountAttributeChanges, accountKey, couponStateAttribute } from '../accounts/repository.js';
import { assert } from '../assert.js';
import { getItems } from '../idempotency/records.js';
import { defaultStorage, type Storage } from '../storage/dynamo-client.js';
import { BATCH_GET_MAX_KEYS } from '../storage/dynamodb-limits.js';
import { RETRY, withRetries } from '../storage/retry.js';
import { conditionFailed, isTransient, type TransactItem, transactWrite } from '../storage/transactions.js';
import type { Coupon } from './model.js';

/** Coupons one listing returns at most (an account holds a few campaign coupons, not hundreds). */
export const MAX_ACCOUNT_COUPONS = BATCH_GET_MAX_KEYS - 1;
const POINTER_PREFIX = 'COUPON#';

export const couponKey = (couponId: string) => ({ pk: `COUPON#${couponId}`, sk: 'COUPON' });
const pointerKey = (accountId: string, couponId: string) => ({
  pk: accountKey(accountId).pk,
  sk: `${POINTER_PREFIX}${couponId}`,
});

export function isCouponItem(item: Record<string, unknown> | undefined): boolean {
  return item?.['itemType'] === 'coupon';
}

/** The state a coupon of the new kind has on its account: `issued`, or `redeemed:<planId>`. */
const ISSUED = 'issued';
const REDEEMED_BY = 'redeemed:';

/**
 * A coupon as stored; with `account` (its account's item, read in the same snapshot) the state kept there is
 * merged in. Without it, a coupon of the new kind reads `issued`: its capture's guarded update decides.
 */
export function couponFromItem(item: Record<string, unknown>, account?: Record<string, unknown>): Coupon {
  const { pk: _pk, sk: _sk, itemType: _t, ...rest } = item;
  const stored = rest as unknown as Coupon;
  const state = stored.stateOnAccount ? account?.[couponStateAttribute(stored.id)] : undefined;
  const redeemedPlan =
    typeof state === 'string' && state.startsWith(REDEEMED_BY) ? state.slice(REDEEMED_BY.length) : undefined;
  const coupon: Coupon = redeemedPlan
    ? { ...stored, status: 'redeemed', planId: redeemedPlan }
    : stored.stateOnAccount && account
      ? { ...withoutPlan(stored), status: 'issued' }
      : stored;
  assert(
    coupon.status === 'issued' || coupon.status === 'redeemed',
    `coupon ${coupon.id} has a known status`,
  );
  assert(coupon.counts.length > 0, `coupon ${coupon.id} names at least one count`);
  return coupon;
}

function withoutPlan(c: Coupon): Coupon {
  const { planId: _p, ...rest } = c;
  return rest;
}

/** The coupon and its account pointer, put only if neither exists and the account does. */
export function newCouponItems(coupon: Coupon, storage: Storage = defaultStorage): TransactItem[] {
  return [
    {
      Put: {
        TableName: storage.tableName,
        Item: { ...couponKey(coupon.id), itemType: 'coupon', ...coupon, stateOnAccount: true },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: storage.tableName,
        Item: { ...pointerKey(coupon.accountId, coupon.id), itemType: 'coupon_pointer', couponId: coupon.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: storage.tableName,
        Key: accountKey(coupon.accountId),
        UpdateExpression: 'SET #state = :issued',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': couponStateAttribute(coupon.id) },
        ExpressionAttributeValues: { ':issued': ISSUED },
      },
    },
  ];
}

export type IssueOutcome = 'issued' | 'exists' | 'account_not_found' | 'retry';

/** Issues a coupon: one transaction of its two items and its state on the account (which must exist). */
export async function issueCoupon(coupon: Coupon, storage: Storage = defaultStorage): Promise<IssueOutcome> {
  const outcome = await transactWrite(newCouponItems(coupon, storage), randomUUID(), storage);
  if (outcome.committed) return 'issued';
  if (isTransient(outcome.reasons)) return 'retry';
  if (conditionFailed(outcome.reasons, 2)) return 'account_not_found';
  return 'exists';
}

/** What a coupon's redemption or give-back writes: its state on the account, or an update of its own item. */
export interface CouponWrite {
  swap?: NonNullable<AccountAttributeChanges['swap']>;
  items: TransactItem[];
}

/**
 * A capture's redemption of the coupon by `planId`: guarded by `issued`, on the account when its state is there
 * (`onAccount`, the plan's `couponOnAccount`), else on the coupon's own item.
 */
export function couponRedemption(
  couponId: string,
  planId: string,
  onAccount: boolean,
  nowIso: string,
): CouponWrite {
  return onAccount
    ? {
        swap: { attribute: couponStateAttribute(couponId), from: ISSUED, to: `${REDEEMED_BY}${planId}` },
        items: [],
      }
    : { items: [couponRedeemUpdate(couponId, planId, nowIso)] };
}

/**
 * A full refund gives the coupon back. On the account unguarded: only this plan redeemed it, and a purchase is
 * refunded in full once.
 */
export function couponGiveBack(
  couponId: string,
  planId: string,
  onAccount: boolean,
  nowIso: string,
): CouponWrite {
  return onAccount
    ? { swap: { attribute: couponStateAttribute(couponId), to: ISSUED }, items: [] }
    : { items: [couponRestoreUpdate(couponId, planId, nowIso)] };
}

/**
 * Inside a capture, for a coupon issued before its state moved onto the account: `issued → redeemed` by `planId`
 * on the coupon's own item, only if still issued (the race is decided here).
 */
function couponRedeemUpdate(couponId: string, planId: string, nowIso: string): TransactItem {
  return {
    Update: {
      TableName: defaultStorage.tableName,
      Key: couponKey(couponId),
      UpdateExpression: 'SET #status = :redeemed, planId = :plan, updatedAt = :now',
      ConditionExpression: '#status = :issued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':redeemed': 'redeemed',
        ':issued': 'issued',
        ':plan': planId,
        ':now': nowIso,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A fully refunded purchase gives its coupon back (the caller checks it is still valid): redeemed by this plan only. */
function couponRestoreUpdate(couponId: string, planId: string, nowIso: string): TransactItem {
  return {
    Update: {
      TableName: defaultStorage.tableName,
      Key: couponKey(couponId),
      UpdateExpression: 'SET #status = :issued, updatedAt = :now REMOVE planId',
      ConditionExpression: '#status = :redeemed AND planId = :plan',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':redeemed': 'redeemed',
        ':issued': 'issued',
        ':plan': planId,
        ':now': nowIso,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The account's coupons, newest id last (ids order by nothing a customer cares about; the caller sorts), read as
 * the pointers' Query then one BatchGet with the account itself. Undefined when the account does not exist.
 */
export async function listAccountCoupons(
  accountId: string,
  storage: Storage = defaultStorage,
): Promise<Coupon[] | undefined> {
  // Keys DynamoDB deferred (UnprocessedKeys): read again, a bounded number of times (withRetries).
  return withRetries('list account coupons', async () => {
    const page = await storage.documentClient.send(
      new QueryCommand({
        TableName: storage.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': accountKey(accountId).pk, ':prefix': POINTER_PREFIX },
        ConsistentRead: true,
        Limit: MAX_ACCOUNT_COUPONS,
      }),
    );
    const ids = (page.Items ?? []).map((i) => String(i['couponId']));
    const items = await getItems([accountKey(accountId), ...ids.map(couponKey)], storage);
    if (items === null) return RETRY;
    const [account, ...coupons] = items;
    if (!account) return undefined;
    return coupons.filter(isCouponItem).map((c) => couponFromItem(c as Record<string, unknown>, account));
  });
}
