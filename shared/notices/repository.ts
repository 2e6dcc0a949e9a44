/**
 * Writes an account's due notices (model.ts), each once: its item sits in the account's notices partition
 * (`NOTICES#<accountId>`, sort key `<type>#<subject>`), out of the way of every other read of the account, and
 * is put only where none exists (a conditional put). What exists is read first (one Query), so a nightly run
 * that finds a statement already issued writes nothing. The change stream turns each insert into its event.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accountFromItem, accountKey } from '../accounts/repository.js';
import type { Config } from '../config.js';
import { listAccountCoupons } from '../coupons/repository.js';
import { getItems } from '../idempotency/records.js';
import { readAccountPlans } from '../installments/repository.js';
import { defaultStorage, type Storage } from '../storage/dynamo-client.js';
import { RETRY, withRetries } from '../storage/retry.js';
import { TTL_ATTRIBUTE } from '../storage/table.js';
import { type Notice, noticeKeptUntil, noticesDue, promotionNotices } from './model.js';

export const NOTICE_ITEM_TYPE = 'notice';
export const noticesPartition = (accountId: string) => `NOTICES#${accountId}`;
const noticeSk = (n: Pick<Notice, 'type' | 'subject'>) => `${n.type}#${n.subject}`;

/** What one account's notices need besides the account: the promotions' names, and maybe one promotion only. */
export interface NoticeContext {
  promotionNames: ReadonlyMap<string, string>;
  /** A promotion's start run: that promotion's notice only (no plans or coupons are read). */
  onlyPromotionId?: string;
  rules: Pick<Config, 'graceDays' | 'paymentDueDays'>;
}

/** The notices due for `accountId` at `nowMs`, read from the table. Undefined when the account does not exist. */
async function dueFor(
  accountId: string,
  nowMs: number,
  context: NoticeContext,
  storage: Storage,
): Promise<Notice[] | undefined> {
  if (context.onlyPromotionId !== undefined) {
    const items = await withRetries(
      'read account',
      async () => (await getItems([accountKey(accountId)], storage)) ?? RETRY,
    );
    const [item] = items;
    if (!item) return undefined;
    return promotionNotices(accountFromItem(item), context.promotionNames, nowMs, context.onlyPromotionId);
  }
  const read = await readAccountPlans(accountId, storage);
  if (!read) return undefined;
  const account = accountFromItem(read.account);
  const coupons = (await listAccountCoupons(accountId, storage)) ?? [];
  return noticesDue({
    account,
    plans: read.plans,
    coupons,
    promotionNames: context.promotionNames,
    nowMs,
    rules: context.rules,
  });
}

async function issuedKeys(accountId: string, storage: Storage): Promise<Set<string>> {
  const keys = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await storage.documentClient.send(
      new QueryCommand({
        TableName: storage.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': noticesPartition(accountId) },
        ProjectionExpression: 'sk',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) keys.add(String(item['sk']));
    start = page.LastEvaluatedKey;
  } while (start);
  return keys;
}

/** Puts one notice unless its item exists: true when this call issued it. */
async function putNotice(
  accountId: string,
  notice: Notice,
  nowMs: number,
  storage: Storage,
): Promise<boolean> {
  try {
    await storage.documentClient.send(
      new PutCommand({
        TableName: storage.tableName,
        Item: {
          pk: noticesPartition(accountId),
          sk: noticeSk(notice),
          itemType: NOTICE_ITEM_TYPE,
          accountId,
          type: notice.type,
          subject: notice.subject,
          createdAt: notice.createdAt,
          data: notice.data,
          [TTL_ATTRIBUTE]: noticeKeptUntil(notice, nowMs),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Issues the notices due for `accountId` at `nowMs` that were not issued before: how many it issued. */
export async function issueNotices(
  accountId: string,
  nowMs: number,
  context: NoticeContext,
  storage: Storage = defaultStorage,
): Promise<number> {
  const due = await dueFor(accountId, nowMs, context, storage);
  if (!due || due.length === 0) return 0;
  const issued = await issuedKeys(accountId, storage);
  const fresh = due.filter((n) => !issued.has(noticeSk(n)));
  const puts = await Promise.all(fresh.map((n) => putNotice(accountId, n, nowMs, storage)));
  return puts.filter(Boolean).length;
}
