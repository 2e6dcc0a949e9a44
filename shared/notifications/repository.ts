/**
 * Storage of customer notifications, in the main table beside their account:
 *
 *   ACCOUNT#<id> / CONTACT                        the contact: email (optional) and locale
 *   ACCOUNT#<id> / NOTIFICATION#<notificationId>  an inbox entry (ids sort by time: model.ts), with its email state
 *   ACCOUNT#<id> / NOTIFY_MARK#near_limit         the customer's day of the last near_limit notification
 *   MAIL_OUTBOX#<shard> / <sendAfter>#<id>        an email waiting to go (quiet hours, a failed send), by due time
 *
 * An inbox entry is put only if its id is new, in one transaction with its outbox entry (so an email is never
 * made without the notification, nor lost after it) and, for near_limit, the day marker (so a second one the
 * same day is never made). The outbox is sharded by account (OUTBOX_SHARDS partitions) so a night of deferred
 * emails (a nightly refresh changes many limits) does not crowd one partition.
 */
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountKey } from '../accounts/repository.js';
import { present } from '../assert.js';
import { sha256 } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import {
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import { type Contact, INBOX_PAGE_SIZE, type Locale, type MailState, type Notification } from './model.js';

const accountPk = (accountId: string) => `ACCOUNT#${accountId}`;
const NOTIFICATION_PREFIX = 'NOTIFICATION#';
export const contactKey = (accountId: string) => ({ pk: accountPk(accountId), sk: 'CONTACT' });
export const notificationKey = (accountId: string, id: string) => ({
  pk: accountPk(accountId),
  sk: `${NOTIFICATION_PREFIX}${id}`,
});
const nearLimitMarkKey = (accountId: string) => ({ pk: accountPk(accountId), sk: 'NOTIFY_MARK#near_limit' });

/** Partitions of the email outbox; a sweep reads each. */
export const OUTBOX_SHARDS = 16;
export const OUTBOX_PREFIX = 'MAIL_OUTBOX#';
export const outboxPartitions = (): string[] =>
  Array.from({ length: OUTBOX_SHARDS }, (_, shard) => `${OUTBOX_PREFIX}${shard}`);
const outboxShard = (accountId: string): number =>
  present(sha256(accountId)[0], 'a digest byte') % OUTBOX_SHARDS;

export interface OutboxEntry {
  key: { pk: string; sk: string };
  accountId: string;
  notificationId: string;
}

export function outboxEntry(accountId: string, notificationId: string, sendAfterIso: string): OutboxEntry {
  return {
    key: { pk: `${OUTBOX_PREFIX}${outboxShard(accountId)}`, sk: `${sendAfterIso}#${notificationId}` },
    accountId,
    notificationId,
  };
}

// ---- contacts ----

/** Replaces the contact; undefined when the account does not exist (accounts are never deleted: read, then put). */
export async function putContact(
  accountId: string,
  input: { email?: string | undefined; locale: Locale },
  nowIso: string = new Date().toISOString(),
): Promise<Contact | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: accountKey(accountId), ProjectionExpression: 'pk' }),
  );
  if (!Item) return undefined;
  const contact: Contact = {
    accountId,
    ...(input.email !== undefined ? { email: input.email } : {}),
    locale: input.locale,
    updatedAt: nowIso,
  };
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...contactKey(accountId), itemType: 'contact', ...contact },
    }),
  );
  return contact;
}

function contactFromItem(item: Record<string, unknown> | undefined): Contact | undefined {
  if (item?.['itemType'] !== 'contact') return undefined;
  const { pk: _pk, sk: _sk, itemType: _t, ...contact } = item;
  return contact as unknown as Contact;
}

/** Gets the keys' items in one BatchGetItem (again for keys DynamoDB left unprocessed), by sort key. */
async function batchGet(
  keys: Array<{ pk: string; sk: string }>,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt >= 5) throw new Error('notifications: keys left unprocessed by BatchGetItem');
    if (attempt > 0) await sleep(20 * 2 ** attempt);
    const result = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[tableName] ?? []) found.set(String(item['sk']), item);
    pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Array<{ pk: string; sk: string }>;
  }
  return found;
}

/** Who a notification of the account is for: the contact (if any) and the account's currency, in one read. */
export async function readRecipient(
  accountId: string,
): Promise<{ contact: Contact | undefined; currency: string | undefined }> {
  const items = await batchGet([contactKey(accountId), accountKey(accountId)]);
  const currency = items.get(accountKey(accountId).sk)?.['currency'];
  return {
    contact: contactFromItem(items.get(contactKey(accountId).sk)),
    currency: typeof currency === 'string' ? currency : undefined,
  };
}

// ---- the inbox ----

/** Attributes of the email's progress on an inbox item, never part of the notification. */
const MAIL_ATTRIBUTES = ['mailClaim', 'mailClaimedAt', 'mailSentAt', 'mailAttempts'] as const;

export function notificationFromItem(item: Record<string, unknown>): Notification {
  const { pk: _pk, sk: _sk, itemType: _t, ...rest } = item;
  for (const name of MAIL_ATTRIBUTES) delete rest[name];
  return rest as unknown as Notification;
}

/** The newest notifications of the account, newest first (at most INBOX_PAGE_SIZE). */
export async function listNotifications(
  accountId: string,
  limit: number = INBOX_PAGE_SIZE,
): Promise<Notification[]> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': accountPk(accountId), ':prefix': NOTIFICATION_PREFIX },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map(notificationFromItem);
}

/** Marks it read, once: a second read keeps the first `readAt`. Undefined when there is no such notification. */
export async function markRead(
  accountId: string,
  id: string,
  nowIso: string = new Date().toISOString(),
): Promise<Notification | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: notificationKey(accountId, id),
        UpdateExpression: 'SET readAt = if_not_exists(readAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': nowIso },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? notificationFromItem(Attributes) : undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

export type Creation = 'created' | 'exists' | 'already_today';

/**
 * Puts a new notification, only if its id is new; with `outbox`, its email's outbox entry; with `nearLimitDay`,
 * only if no near_limit was made for the account that day (or later). One transaction: all or nothing.
 */
export async function createNotification(
  notification: Notification,
  options: { outbox?: OutboxEntry; nearLimitDay?: string } = {},
): Promise<Creation> {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...notificationKey(notification.accountId, notification.id),
          itemType: 'notification',
          ...notification,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (options.nearLimitDay !== undefined)
    items.push(nearLimitMark(notification.accountId, options.nearLimitDay));
  if (options.outbox !== undefined) items.push(outboxPut(options.outbox));
  const outcome = await transactWrite(items, randomUUID());
  if (outcome.committed) return 'created';
  const [made, marked] = outcome.reasons;
  if (made?.code === 'ConditionalCheckFailed') return 'exists';
  if (options.nearLimitDay !== undefined && marked?.code === 'ConditionalCheckFailed') return 'already_today';
  throw new TransactionCancelledError(
    isTransient(outcome.reasons) ? 'create notification (transient)' : 'create notification',
    outcome.reasons,
  );
}

function nearLimitMark(accountId: string, day: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: nearLimitMarkKey(accountId),
      UpdateExpression: 'SET #day = :day, itemType = :type',
      ConditionExpression: 'attribute_not_exists(pk) OR #day < :day',
      ExpressionAttributeNames: { '#day': 'day' },
      ExpressionAttributeValues: { ':day': day, ':type': 'notification_mark' },
    },
  };
}

function outboxPut(entry: OutboxEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...entry.key,
        itemType: 'mail_outbox',
        accountId: entry.accountId,
        notificationId: entry.notificationId,
      },
    },
  };
}

// ---- the outbox ----

/** The outbox entries of one partition due at `nowIso`, oldest first. */
export async function dueOutboxEntries(
  partition: string,
  nowIso: string,
  limit: number,
): Promise<OutboxEntry[]> {
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk <= :due',
      ExpressionAttributeValues: { ':pk': partition, ':due': `${nowIso}#~` },
      Limit: limit,
    }),
  );
  return Items.map((item) => ({
    key: { pk: String(item['pk']), sk: String(item['sk']) },
    accountId: String(item['accountId']),
    notificationId: String(item['notificationId']),
  }));
}

/** The notification and the contact an outbox entry's email needs, in one read. */
export async function readForMail(
  entry: OutboxEntry,
): Promise<{ notification: Notification | undefined; contact: Contact | undefined }> {
  const key = notificationKey(entry.accountId, entry.notificationId);
  const items = await batchGet([key, contactKey(entry.accountId)]);
  const item = items.get(key.sk);
  return {
    notification: item ? notificationFromItem(item) : undefined,
    contact: contactFromItem(items.get(contactKey(entry.accountId).sk)),
  };
}

/**
 * Claims the email for one sender: `pending`, or `sending` under a claim older than `staleBeforeIso` (a sender
 * that died mid-send). Returns the attempts made before this one, or undefined when another claim holds it.
 */
export async function claimMail(
  accountId: string,
  id: string,
  claim: { token: string; nowIso: string; staleBeforeIso: string },
): Promise<number | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: notificationKey(accountId, id),
        UpdateExpression: 'SET mail = :sending, mailClaim = :token, mailClaimedAt = :now',
        ConditionExpression: 'mail = :pending OR (mail = :sending AND mailClaimedAt < :stale)',
        ExpressionAttributeValues: {
          ':sending': 'sending',
          ':pending': 'pending',
          ':token': claim.token,
          ':now': claim.nowIso,
          ':stale': claim.staleBeforeIso,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const attempts = Attributes?.['mailAttempts'];
    return typeof attempts === 'number' ? attempts : 0;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

/** Gives a claim back after a failed send, counting the attempt: `pending` again, for the outbox sweep. */
export async function releaseMail(accountId: string, id: string, token: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: notificationKey(accountId, id),
        UpdateExpression: 'SET mail = :pending ADD mailAttempts :one REMOVE mailClaim, mailClaimedAt',
        ConditionExpression: 'mailClaim = :token',
        ExpressionAttributeValues: { ':pending': 'pending', ':token': token, ':one': 1 },
      }),
    );
  } catch (error) {
    // Another sender took over the stale claim meanwhile: the email is its business now.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * Records the email's end under the claim (`sent`; `skipped`: no email on file any more; `failed`: every attempt
 * failed) and removes its outbox entry, in one transaction. False when the claim was lost (a stale claim taken
 * over by another sender): nothing written.
 */
export async function finishMail(
  entry: OutboxEntry,
  outcome: { state: Exclude<MailState, 'pending' | 'sending'>; token: string; nowIso: string },
): Promise<boolean> {
  const result = await transactWrite([
    {
      Update: {
        TableName: tableName,
        Key: notificationKey(entry.accountId, entry.notificationId),
        UpdateExpression: 'SET mail = :state, mailSentAt = :now REMOVE mailClaim, mailClaimedAt',
        ConditionExpression: 'mailClaim = :token',
        ExpressionAttributeValues: {
          ':state': outcome.state,
          ':now': outcome.nowIso,
          ':token': outcome.token,
        },
      },
    },
    { Delete: { TableName: tableName, Key: entry.key } },
  ]);
  if (result.committed) return true;
  if (result.reasons[0]?.code === 'ConditionalCheckFailed') return false;
  throw new TransactionCancelledError('finish notification email', result.reasons);
}

/** Drops an outbox entry whose email needs nothing more (sent, skipped, or its notification gone). */
export async function dropOutboxEntry(entry: OutboxEntry): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: entry.key }));
}
