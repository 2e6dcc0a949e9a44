/**
 * Storage of installment plans. Two items per plan, both put in the capture's one transaction:
 *   REQ#<digest>         / PLAN             the plan, whole schedule inside, beside the authorization it belongs
 *                                           to (`plan_<digest>` of `auth_<digest>`): a refund or capture reads
 *                                           it in the same snapshot as the hold, without knowing the account
 *   ACCOUNT#<accountId>  / PLAN#<planId>    an immutable pointer: an account's plans are one Query
 * A plan changes by a whole-item Put guarded by the version it was computed from.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accountKey } from '../accounts/repository.js';
import { assert, present } from '../assert.js';
import { digestOf } from '../authorizations/repository.js';
import { getItems, requestKey } from '../idempotency/records.js';
import { defaultStorage, type Storage } from '../storage/dynamo-client.js';
import { BATCH_GET_MAX_KEYS, TRANSACT_GET_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import { RETRY, withRetries } from '../storage/retry.js';
import type { TransactItem } from '../storage/transactions.js';
import type { InstallmentPlan } from './plan.js';
import { MAX_INSTALLMENTS } from './schedule.js';

/**
 * Plans one account read returns at most: a repayment reads them in one TransactGet beside its record and the
 * account. An account with more plans than this is far beyond a consumer line; the reads say so (an invariant)
 * instead of silently dropping plans.
 */
export const MAX_ACCOUNT_PLANS = TRANSACT_GET_MAX_ITEMS - 2;
const POINTER_PREFIX = 'PLAN#';
const PLAN_ID = /^plan_([A-Za-z0-9_-]{22})$/;

/** The plan of an authorization: one per hold. */
export const planIdFor = (authorizationId: string): string =>
  `plan_${present(digestOf(authorizationId), 'an authorization digest')}`;

export function planKey(planId: string): { pk: string; sk: string } | undefined {
  const digest = PLAN_ID.exec(planId)?.[1];
  return digest ? { pk: requestKey(digest).pk, sk: 'PLAN' } : undefined;
}
const pointerKey = (accountId: string, planId: string) => ({
  pk: accountKey(accountId).pk,
  sk: `${POINTER_PREFIX}${planId}`,
});

function assertPlan(plan: InstallmentPlan): void {
  assert(plan.installments.length === plan.count, `plan ${plan.id} has one row per installment`);
  assert(plan.count <= MAX_INSTALLMENTS, `plan ${plan.id} has at most ${MAX_INSTALLMENTS} rows`);
  for (const i of plan.installments) {
    assert(
      i.paidPrincipal >= 0 && i.paidPrincipal <= i.principal,
      `plan ${plan.id} row ${i.sequence} principal`,
    );
    assert(i.paidFee >= 0 && i.paidFee <= i.fee, `plan ${plan.id} row ${i.sequence} fee`);
  }
}

export function isPlanItem(item: Record<string, unknown> | undefined): boolean {
  return item?.['itemType'] === 'installment_plan';
}

export function planFromItem(item: Record<string, unknown>): InstallmentPlan {
  const { pk: _pk, sk: _sk, itemType: _t, ...rest } = item;
  const plan = rest as unknown as InstallmentPlan;
  assertPlan(plan);
  return plan;
}

/** A new plan and its pointer (inside the capture's transaction): put only if the hold has none yet. */
export function newPlanItems(plan: InstallmentPlan): TransactItem[] {
  assert(plan.version === 1, `new plan ${plan.id} is at version 1`);
  assertPlan(plan);
  const key = present(planKey(plan.id), `the key of plan ${plan.id}`);
  return [
    {
      Put: {
        TableName: defaultStorage.tableName,
        Item: { ...key, itemType: 'installment_plan', ...plan },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: defaultStorage.tableName,
        Item: { ...pointerKey(plan.accountId, plan.id), itemType: 'plan_pointer', planId: plan.id },
      },
    },
  ];
}

/** The next state of a plan, guarded by the version it was computed from. */
export function planPut(next: InstallmentPlan, expectedVersion: number): TransactItem {
  assert(next.version === expectedVersion + 1, `plan ${next.id} version advances by one`);
  assertPlan(next);
  return {
    Put: {
      TableName: defaultStorage.tableName,
      Item: { ...present(planKey(next.id), 'a plan key'), itemType: 'installment_plan', ...next },
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  };
}

export async function getPlan(
  planId: string,
  storage: Storage = defaultStorage,
): Promise<InstallmentPlan | undefined> {
  const key = planKey(planId);
  if (!key) return undefined;
  const result = await storage.documentClient.send(
    new GetCommand({ TableName: storage.tableName, Key: key, ConsistentRead: true }),
  );
  return isPlanItem(result.Item) ? planFromItem(result.Item as Record<string, unknown>) : undefined;
}

export interface AccountPlans {
  account: Record<string, unknown>;
  plans: InstallmentPlan[];
}

/** The account item and its plans (oldest first), in a Query and one BatchGet. Undefined: no such account. */
/** The keys of the account's plans, from their pointers (one Query). */
export async function listPlanKeys(
  accountId: string,
  storage: Storage = defaultStorage,
): Promise<Array<{ pk: string; sk: string }>> {
  const page = await storage.documentClient.send(
    new QueryCommand({
      TableName: storage.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': accountKey(accountId).pk, ':prefix': POINTER_PREFIX },
      ConsistentRead: true,
      Limit: MAX_ACCOUNT_PLANS + 1,
    }),
  );
  const ids = (page.Items ?? []).map((i) => String(i['planId']));
  assert(ids.length <= MAX_ACCOUNT_PLANS, `account ${accountId} holds at most ${MAX_ACCOUNT_PLANS} plans`);
  return ids.flatMap((id) => {
    const key = planKey(id);
    return key ? [key] : [];
  });
}

export async function readAccountPlans(
  accountId: string,
  storage: Storage = defaultStorage,
): Promise<AccountPlans | undefined> {
  // Keys DynamoDB deferred (UnprocessedKeys): read again, a bounded number of times (withRetries).
  return withRetries('read account plans', async () => {
    const keys = await listPlanKeys(accountId, storage);
    assert(keys.length < BATCH_GET_MAX_KEYS, 'an account and its plans fit one BatchGet');
    const items = await getItems([accountKey(accountId), ...keys], storage);
    if (items === null) return RETRY;
    const [account, ...plans] = items;
    if (!account) return undefined;
    return {
      account,
      plans: plans
        .filter(isPlanItem)
        .map((p) => planFromItem(p as Record<string, unknown>))
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)),
    };
  });
}
