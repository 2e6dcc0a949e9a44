/**
 * Storage of accounts: key layout and every condition/update expression that touches an account item.
 * The reserve guard is the heart of "no oversell": available, status, currency and velocity are checked by
 * DynamoDB in the same write that moves the money.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { ACCOUNT_BUCKETS, ACCOUNTS_INDEX } from '../storage/table.js';
import type { TransactItem } from '../storage/transactions.js';
import { type Account, type BalanceDelta, availableDelta } from './model.js';

const ACCOUNT_SK = 'ACCOUNT';
export const accountKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: ACCOUNT_SK });

export function accountFromItem(item: Record<string, unknown>): Account {
  const {
    pk: _pk, sk: _sk, itemType: _itemType, gsi3pk: _b, gsi3sk: _i, lastRefreshKey: _r, lastIncreaseAt: _li, lastLimitRequestAt: _lr,
    ...account
  } = item;
  return account as unknown as Account;
}

export const accountBucket = (accountId: string): number => sha256(accountId)[0]! % ACCOUNT_BUCKETS;

/** The whole item of a new account, with its accounts-index keys. */
export function newAccountItem(account: Account): Record<string, unknown> {
  return {
    ...accountKey(account.id),
    itemType: 'account',
    [ACCOUNTS_INDEX.partitionKey]: `ACCOUNTS#${accountBucket(account.id)}`,
    [ACCOUNTS_INDEX.sortKey]: account.id,
    ...account,
  };
}

/** One page of account ids in a bucket, in id order, after `afterId`. */
export async function listAccountIds(bucket: number, limit: number, afterId?: string): Promise<{ ids: string[]; lastId: string | null }> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: ACCOUNTS_INDEX.name,
      KeyConditionExpression: `${ACCOUNTS_INDEX.partitionKey} = :bucket`,
      ExpressionAttributeValues: { ':bucket': `ACCOUNTS#${bucket}` },
      Limit: limit,
      ...(afterId
        ? { ExclusiveStartKey: { ...accountKey(afterId), [ACCOUNTS_INDEX.partitionKey]: `ACCOUNTS#${bucket}`, [ACCOUNTS_INDEX.sortKey]: afterId } }
        : {}),
    }),
  );
  const ids = (result.Items ?? []).map((item) => String(item[ACCOUNTS_INDEX.sortKey]));
  return { ids, lastId: result.LastEvaluatedKey ? ids.at(-1) ?? null : null };
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
}

/**
 * A limit change: new creditLimit/promoLimit, and the difference added to totalLimit and available in the same
 * update, so reserves racing it never see a torn state. Guarded by the limits it was computed from.
 */
export function limitChangeUpdate(c: LimitChange): TransactItem {
  const deltaMinor = c.creditLimit + c.promoLimit - (c.before.creditLimit + c.before.promoLimit);
  const conditions = ['attribute_exists(pk)', 'creditLimit = :oldCredit', 'promoLimit = :oldPromo'];
  const sets = [
    'creditLimit = :credit', 'promoLimit = :promo', 'totalLimit = totalLimit + :delta', 'available = available + :delta',
    'riskTier = :tier', 'updatedAt = :now',
  ];
  const values: Record<string, unknown> = {
    ':oldCredit': c.before.creditLimit, ':oldPromo': c.before.promoLimit, ':credit': c.creditLimit,
    ':promo': c.promoLimit, ':delta': deltaMinor, ':tier': c.riskTier, ':now': c.nowIso,
  };
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
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(c.accountId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Sets the account's status (freeze/unfreeze); a closed account stays closed. */
export function statusUpdate(accountId: string, status: 'active' | 'frozen', reason: string, nowIso: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(accountId),
      UpdateExpression: 'SET #status = :status, statusReason = :reason, updatedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':reason': reason, ':now': nowIso, ':closed': 'closed' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export async function getAccount(accountId: string): Promise<Account | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: accountKey(accountId), ConsistentRead: true }),
  );
  return result.Item ? accountFromItem(result.Item) : undefined;
}

/** Which velocity update to try: first hold in a new window, or one more in the current window. */
export type VelocityShape = 'new_window' | 'same_window';

export interface ReserveGuard {
  accountId: string;
  amountMinor: number;
  currency: string;
  nowIso: string;
  velocityWindow: number;
  velocityMax: number;
  shape: VelocityShape;
}

/**
 * The reserve: SET available = available - amt, reserved = reserved + amt, guarded by
 * available >= amt AND status = active AND currency AND the velocity window. One item, one condition.
 * DynamoDB updates cannot branch, so the velocity counter has two shapes; a wrong guess fails the condition
 * and the caller retries with the other one (the failure's old image says which).
 */
export function reserveUpdate(g: ReserveGuard): TransactItem {
  const velocity =
    g.shape === 'new_window'
      ? { set: 'velocityWindow = :window, velocityCount = :one', cond: 'velocityWindow < :window' }
      : { set: 'velocityCount = velocityCount + :one', cond: 'velocityWindow = :window AND velocityCount < :velocityMax' };
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(g.accountId),
      UpdateExpression: `SET available = available - :amt, reserved = reserved + :amt, updatedAt = :now, ${velocity.set}`,
      ConditionExpression: `attribute_exists(pk) AND #status = :active AND currency = :currency AND available >= :amt AND ${velocity.cond}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':amt': g.amountMinor,
        ':now': g.nowIso,
        ':active': 'active',
        ':currency': g.currency,
        ':window': g.velocityWindow,
        ':one': 1,
        ...(g.shape === 'same_window' ? { ':velocityMax': g.velocityMax } : {}),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
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
  } = {},
): TransactItem {
  const conditions = ['attribute_exists(pk)'];
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
    conditions.push('reserved = :wasReserved AND outstanding = :wasOutstanding AND totalLimit = :wasTotalLimit');
    values[':wasReserved'] = options.requireFigures.reserved;
    values[':wasOutstanding'] = options.requireFigures.outstanding;
    values[':wasTotalLimit'] = options.requireFigures.totalLimit;
  }
  return {
    Update: {
      TableName: tableName,
      Key: accountKey(accountId),
      UpdateExpression:
        'SET reserved = reserved + :reserved, outstanding = outstanding + :outstanding, ' +
        'totalLimit = totalLimit + :totalLimit, available = available + :available, updatedAt = :now',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}
