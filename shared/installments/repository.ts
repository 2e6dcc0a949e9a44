/**
 * Storage of installment plans. A plan is kept on its authorization's own item (attribute `installmentPlan`,
 * the whole plan inside in its compact form, `stored-plan.ts`; `plan_<digest>` of `auth_<digest>`), and its id on
 * the account:
 *   REQ#<digest>         / REQ              the authorization, and on it its plan: the capture writes the plan
 *                                           by the hold's own update (one transaction item fewer than a plan
 *                                           item of its own), a refund reads it in the hold it reads anyway
 *   ACCOUNT#<accountId>  / ACCOUNT          the account's `planIds` string set: the capture adds the plan's id in
 *                                           the account update it writes anyway (one more item fewer)
 *   ACCOUNT#<accountId>  / PLAN#<planId>    an immutable pointer, written by captures before the ids moved onto
 *                                           the account; still read, never written
 * A plan changes by an update of that attribute guarded by the plan's version it was computed from (the hold's
 * own version is not touched: a repayment or the billing job does not change the hold).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accountKey, PLAN_IDS_ATTRIBUTE } from '../accounts/repository.js';
import { assert, present } from '../assert.js';
import type { HoldAttribute } from '../authorizations/model.js';
import { digestOf, isAuthorizationItem } from '../authorizations/repository.js';
import { getItems, requestKey } from '../idempotency/records.js';
import { defaultStorage, type Storage } from '../storage/dynamo-client.js';
import { BATCH_GET_MAX_KEYS, TRANSACT_GET_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import { RETRY, withRetries } from '../storage/retry.js';
import type { TransactItem } from '../storage/transactions.js';
import type { InstallmentPlan } from './plan.js';
import { MAX_INSTALLMENTS } from './schedule.js';
import { planFromStored, planToStored, type StoredPlan } from './stored-plan.js';

/**
 * Plans one account read returns at most: a repayment reads them in one TransactGet beside its record and the
 * account. An account with more plans than this is far beyond a consumer line; the reads say so (an invariant)
 * instead of silently dropping plans.
 */
export const MAX_ACCOUNT_PLANS = TRANSACT_GET_MAX_ITEMS - 2;
const POINTER_PREFIX = 'PLAN#';
const PLAN_ID = /^plan_([A-Za-z0-9_-]{22})$/;
/** The attribute of the authorization item that holds its plan. */
export const PLAN_ATTRIBUTE = 'installmentPlan';

/** The plan of an authorization: one per hold. */
export const planIdFor = (authorizationId: string): string =>
  `plan_${present(digestOf(authorizationId), 'an authorization digest')}`;

/** The key of the item that holds the plan: its authorization's. */
export function planKey(planId: string): { pk: string; sk: string } | undefined {
  const digest = PLAN_ID.exec(planId)?.[1];
  return digest ? requestKey(digest) : undefined;
}

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

/** An item that holds a plan: an authorization captured with installments. */
export function isPlanItem(item: Record<string, unknown> | undefined): boolean {
  return isAuthorizationItem(item) && typeof item?.[PLAN_ATTRIBUTE] === 'object';
}

export function planFromItem(item: Record<string, unknown>): InstallmentPlan {
  const stored = item[PLAN_ATTRIBUTE] as StoredPlan | InstallmentPlan;
  // A plan written before the compact form (its rows as a list of maps) reads as it is; its next write is compact.
  const plan = 'installments' in stored ? stored : planFromStored(stored);
  assertPlan(plan);
  return plan;
}

/** A new plan on its hold (written by the capture's hold update, only if the hold has none yet). */
export function newPlanOnHold(plan: InstallmentPlan): HoldAttribute {
  assert(plan.version === 1, `new plan ${plan.id} is at version 1`);
  assertPlan(plan);
  return { name: PLAN_ATTRIBUTE, value: planToStored(plan), expectedVersion: undefined };
}

/** The next state of a plan on its hold, when the hold changes too (a refund): guarded by the plan's version. */
export function planOnHold(next: InstallmentPlan, expectedVersion: number): HoldAttribute {
  assert(next.version === expectedVersion + 1, `plan ${next.id} version advances by one`);
  assertPlan(next);
  return { name: PLAN_ATTRIBUTE, value: planToStored(next), expectedVersion };
}

/** The next state of a plan alone (a repayment, the billing job), guarded by the version it was computed from. */
export function planPut(next: InstallmentPlan, expectedVersion: number): TransactItem {
  assert(next.version === expectedVersion + 1, `plan ${next.id} version advances by one`);
  assertPlan(next);
  return {
    Update: {
      TableName: defaultStorage.tableName,
      Key: present(planKey(next.id), 'a plan key'),
      UpdateExpression: 'SET #plan = :plan',
      ConditionExpression: '#plan.version = :expected',
      ExpressionAttributeNames: { '#plan': PLAN_ATTRIBUTE },
      ExpressionAttributeValues: { ':plan': planToStored(next), ':expected': expectedVersion },
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

/** The ids of the plans an account item lists (its `planIds` string set; none on an account without plans). */
export function planIdsOn(account: Record<string, unknown> | undefined): string[] {
  const set = account?.[PLAN_IDS_ATTRIBUTE];
  return set instanceof Set ? [...set].map(String) : [];
}

/**
 * True when `account`, read in the same snapshot as the plans at `keys`, lists a plan that is not among them: a
 * capture made it after the keys were listed, so the caller reads again rather than decide without it.
 */
export function missesPlans(
  account: Record<string, unknown> | undefined,
  keys: ReadonlyArray<{ pk: string; sk: string }>,
): boolean {
  const read = new Set(keys.map((k) => `${k.pk}/${k.sk}`));
  return planIdsOn(account).some((id) => {
    const key = planKey(id);
    return key !== undefined && !read.has(`${key.pk}/${key.sk}`);
  });
}

/**
 * The keys of the account's plans: the ids on the account item, and the pointer items captures wrote before the
 * ids moved onto the account (one Query, beside the account's Get).
 */
export async function listPlanKeys(
  accountId: string,
  storage: Storage = defaultStorage,
): Promise<Array<{ pk: string; sk: string }>> {
  const [page, account] = await Promise.all([
    storage.documentClient.send(
      new QueryCommand({
        TableName: storage.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': accountKey(accountId).pk, ':prefix': POINTER_PREFIX },
        ConsistentRead: true,
        Limit: MAX_ACCOUNT_PLANS + 1,
      }),
    ),
    storage.documentClient.send(
      new GetCommand({
        TableName: storage.tableName,
        Key: accountKey(accountId),
        ConsistentRead: true,
        ProjectionExpression: '#plans',
        ExpressionAttributeNames: { '#plans': PLAN_IDS_ATTRIBUTE },
      }),
    ),
  ]);
  const pointed = (page.Items ?? []).map((i) => String(i['planId']));
  const ids = [...new Set([...pointed, ...planIdsOn(account.Item)])].sort();
  assert(ids.length <= MAX_ACCOUNT_PLANS, `account ${accountId} holds at most ${MAX_ACCOUNT_PLANS} plans`);
  return ids.flatMap((id) => {
    const key = planKey(id);
    return key ? [key] : [];
  });
}

/** The account item and its plans (oldest first), read after listing them. Undefined: no such account. */
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
    if (missesPlans(account, keys)) return RETRY;
    return {
      account,
      plans: plans
        .filter(isPlanItem)
        .map((p) => planFromItem(p as Record<string, unknown>))
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)),
    };
  });
}
