/**
 * Storage of authorizations: the item lives at its request record's key (REQ#<digest>), so the authorize
 * transaction's existence check is also its idempotency check. Live holds carry the sparse expiry-index keys.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { requestKey, type RequestRecordFields } from '../idempotency/records.js';
import { defaultStorage, documentClient, type Storage, tableName } from '../storage/dynamo-client.js';
import { EXPIRY_INDEX, EXPIRY_SHARDS, REVIEW_INDEX } from '../storage/table.js';
import type { TransactItem } from '../storage/transactions.js';
import { assert, present } from '../assert.js';
import { type Authorization, assertAuthorizationInvariants, type HoldAttribute, isLive } from './model.js';

const AUTH_ID = /^auth_([A-Za-z0-9_-]{22})$/;

export const authorizationIdFor = (digest: string): string => `auth_${digest}`;

/** The digest behind an authorization id, or undefined for anything that is not one of ours. */
export function digestOf(authorizationId: string): string | undefined {
  return AUTH_ID.exec(authorizationId)?.[1];
}

export function authorizationKey(authorizationId: string): { pk: string; sk: string } | undefined {
  const digest = digestOf(authorizationId);
  return digest ? requestKey(digest) : undefined;
}

/** Spreads open holds over EXPIRY_SHARDS index partitions by their (random) digest. */
export function expiryShard(authorizationId: string): number {
  const digest = digestOf(authorizationId) ?? authorizationId;
  return present(Buffer.from(digest, 'base64url')[0], 'a digest byte') % EXPIRY_SHARDS;
}

export const expiryPartition = (shard: number): string => `EXPIRY#${shard}`;

export const REVIEW_PARTITION = 'REVIEW';

/** The sparse index keys: live holds are in the expiry index, pending ones also in the review queue. */
function indexFields(a: Authorization): Record<string, string> {
  return {
    ...(isLive(a) ? { gsi1pk: expiryPartition(expiryShard(a.id)), gsi1sk: `${a.expiresAt}#${a.id}` } : {}),
    ...(a.status === 'pending_review' ? { gsi2pk: REVIEW_PARTITION, gsi2sk: `${a.createdAt}#${a.id}` } : {}),
  };
}

/** A hold as stored, its invariants checked on the way in (the pair of the check before every write). */
export function authorizationFromItem(item: Record<string, unknown>): Authorization {
  const {
    pk: _pk,
    sk: _sk,
    itemType: _t,
    kind: _k,
    fingerprint: _f,
    responseStatus: _s,
    responseBody: _b,
    gsi1pk: _g1,
    gsi1sk: _g2,
    gsi2pk: _g3,
    gsi2sk: _g4,
    installmentPlan: _plan,
    // A hold written before it could draw from several budgets recorded its one draw as `budget`.
    budget: onlyDraw,
    ...rest
  } = item;
  const authorization = (onlyDraw && !rest['budgets']
    ? { ...rest, budgets: [onlyDraw] }
    : rest) as unknown as Authorization;
  assertAuthorizationInvariants(authorization);
  return authorization;
}

export function isAuthorizationItem(item: Record<string, unknown> | undefined): boolean {
  return item?.['itemType'] === 'authorization';
}

/** A new authorization (approved, pending review or declined), put only if its key was never used. */
export function newAuthorizationPut(a: Authorization, record: RequestRecordFields): TransactItem {
  const key = present(authorizationKey(a.id), `the key of authorization ${a.id}`);
  assert(a.version === 1, `new authorization ${a.id} is not at version 1`);
  assertAuthorizationInvariants(a);
  return {
    Put: {
      TableName: tableName,
      Item: { ...key, itemType: 'authorization', ...record, ...a, ...indexFields(a) },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Writes the next state of an authorization, guarded by the version it was computed from; `attribute`, a
 * versioned document kept on the same item (an installment plan), is written with it under its own guard.
 */
export function authorizationUpdate(
  next: Authorization,
  expectedVersion: number,
  attribute?: HoldAttribute,
): TransactItem {
  const key = present(authorizationKey(next.id), `the key of authorization ${next.id}`);
  assert(next.version === expectedVersion + 1, `authorization ${next.id} version must advance by one`);
  assertAuthorizationInvariants(next);
  const dropped = [
    ...(isLive(next) ? [] : ['gsi1pk', 'gsi1sk']),
    ...(next.status === 'pending_review' ? [] : ['gsi2pk', 'gsi2sk']),
  ];
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression:
        'SET #status = :status, amount = :amount, capturedAmount = :captured, releasedAmount = :released, ' +
        'refundedAmount = :refunded, updatedAt = :updatedAt, version = :version' +
        (next.declineCode ? ', declineCode = :declineCode' : '') +
        (next.quota ? ', quota = :quota' : '') +
        (next.installmentPlanId ? ', installmentPlanId = :plan' : '') +
        (next.budgets ? ', budgets = :budgets' : '') +
        (attribute ? ', #attr = :attr' : '') +
        (dropped.length ? ` REMOVE ${dropped.join(', ')}` : ''),
      ConditionExpression: `version = :expected${attribute ? attributeGuard(attribute) : ''}`,
      ExpressionAttributeNames: { '#status': 'status', ...(attribute ? { '#attr': attribute.name } : {}) },
      ExpressionAttributeValues: {
        ':status': next.status,
        ':amount': next.amount,
        ':captured': next.capturedAmount,
        ':released': next.releasedAmount,
        ':refunded': next.refundedAmount,
        ':updatedAt': next.updatedAt,
        ':version': next.version,
        ':expected': expectedVersion,
        ...(next.declineCode ? { ':declineCode': next.declineCode } : {}),
        ...(next.quota ? { ':quota': next.quota } : {}),
        ...(next.installmentPlanId ? { ':plan': next.installmentPlanId } : {}),
        ...(next.budgets ? { ':budgets': next.budgets } : {}),
        ...(attribute ? { ':attr': attribute.value } : {}),
        ...(attribute?.expectedVersion === undefined ? {} : { ':attrVersion': attribute.expectedVersion }),
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

const attributeGuard = (a: HoldAttribute): string =>
  a.expectedVersion === undefined ? ' AND attribute_not_exists(#attr)' : ' AND #attr.version = :attrVersion';

export async function getAuthorization(
  authorizationId: string,
  storage: Storage = defaultStorage,
): Promise<(Authorization & { clientId: string }) | undefined> {
  const key = authorizationKey(authorizationId);
  if (!key) return undefined;
  const result = await storage.documentClient.send(
    new GetCommand({ TableName: storage.tableName, Key: key, ConsistentRead: true }),
  );
  return result.Item && isAuthorizationItem(result.Item) ? authorizationFromItem(result.Item) : undefined;
}

/**
 * Where a reader of the review queue is: the last index key it was given (the queue's sort key and the item's
 * table key). Validated again after the cursor's seal is checked.
 */
export const ReviewQueuePosition = z.strictObject({
  pk: z.string().check(z.minLength(1), z.maxLength(256)),
  sk: z.string().check(z.minLength(1), z.maxLength(256)),
  [REVIEW_INDEX.partitionKey]: z.literal(REVIEW_PARTITION),
  [REVIEW_INDEX.sortKey]: z.string().check(z.minLength(1), z.maxLength(512)),
});
export type ReviewQueuePosition = z.infer<typeof ReviewQueuePosition>;

/** The review queue, oldest first, after `after` (from the start when undefined); `next` is null on the last page. */
export async function listPendingReviews(
  limit: number,
  after?: ReviewQueuePosition,
): Promise<{ data: Authorization[]; next: ReviewQueuePosition | null }> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: REVIEW_INDEX.name,
      KeyConditionExpression: `${REVIEW_INDEX.partitionKey} = :review`,
      ExpressionAttributeValues: { ':review': REVIEW_PARTITION },
      Limit: limit,
      ...(after ? { ExclusiveStartKey: after } : {}),
    }),
  );
  const last = result.LastEvaluatedKey;
  return {
    data: (result.Items ?? []).map(authorizationFromItem),
    next: last ? ReviewQueuePosition.parse(last) : null,
  };
}

/** Where a read of an expiry shard resumes: the index key of the last hold looked at (opaque to callers). */
export type DuePosition = Record<string, unknown>;

export interface DuePage {
  /** Each due hold with the position just after it, oldest first. */
  holds: Array<{ id: string; after: DuePosition }>;
  /** Where the next page starts; undefined when the shard has nothing more due. */
  next: DuePosition | undefined;
}

/**
 * Live holds in one expiry shard whose expiresAt is at or before `nowIso`, oldest first, from `from` on. Reading
 * on from a position (rather than from the start again) passes over a hold that failed to expire, so it cannot
 * hold up the holds behind it.
 */
export async function listDueHolds(
  shard: number,
  nowIso: string,
  limit: number,
  from?: DuePosition,
): Promise<DuePage> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: EXPIRY_INDEX.name,
      KeyConditionExpression: `${EXPIRY_INDEX.partitionKey} = :shard AND ${EXPIRY_INDEX.sortKey} <= :due`,
      // '#' sorts after every ISO digit, so "<expiresAt>#<id>" <= "<now>#~" covers holds due at `now` too.
      ExpressionAttributeValues: { ':shard': expiryPartition(shard), ':due': `${nowIso}#~` },
      Limit: limit,
      ...(from ? { ExclusiveStartKey: from } : {}),
    }),
  );
  // A keys-only index: each item is exactly the key a read resumes after.
  const holds = (result.Items ?? []).flatMap((item) => {
    const sortKey = String(item[EXPIRY_INDEX.sortKey] ?? '');
    const id = sortKey.slice(sortKey.indexOf('#') + 1);
    return digestOf(id) ? [{ id, after: item }] : [];
  });
  return { holds, next: result.LastEvaluatedKey };
}
