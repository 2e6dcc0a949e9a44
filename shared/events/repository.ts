/**
 * Storage of events (table.ts). The stream consumer stores each event under its id, at most once (a conditional
 * put: a record read again keeps its first stamp), stamping `at` right before the put. An account's events list in
 * `at` order up to a settled horizon, like the journal (shared/journal/horizon.ts): every put is cut at the same
 * per-call deadline as the request path's writes, so an event stamped before `now - JOURNAL_SETTLE_MS` has either
 * committed or never will, and a cursor past it can never have an earlier one land behind it. Within an account,
 * the consumer stores events one after the other in stream order, so `at` order is the order of the changes.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import type { DomainEvent, EventType } from './model.js';
import { perAccountInOrder } from './per-account.js';
import { EVENTS_ORDER_INDEX, eventsTableOf } from './table.js';

export const eventsTable = (): string => eventsTableOf(tableName);

const accountPk = (accountId: string) => `ACCOUNT#${accountId}`;
const eventSk = (eventId: string) => `EVENT#${eventId}`;

/** Microseconds since the epoch, strictly increasing within this process (two puts in one ms still order). */
let lastStampUs = 0;
export function nextStampUs(nowMs: number = Date.now()): number {
  lastStampUs = Math.max(nowMs * 1000, lastStampUs + 1);
  return lastStampUs;
}
const atOf = (stampUs: number, eventId: string) => `${String(stampUs).padStart(17, '0')}#${eventId}`;

/** Stores events (in the order given, per account), each at most once. Returns how many were new. */
export async function recordEvents(events: readonly DomainEvent[]): Promise<number> {
  const counts = await perAccountInOrder(events, async (_accountId, list) => {
    let stored = 0;
    for (const event of list) if (await recordEvent(event)) stored += 1;
    return stored;
  });
  return counts.reduce((a, b) => a + b, 0);
}

async function recordEvent(event: DomainEvent): Promise<boolean> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: eventsTable(),
        Item: {
          pk: accountPk(event.accountId),
          sk: eventSk(event.id),
          [EVENTS_ORDER_INDEX.sortKey]: atOf(nextStampUs(), event.id),
          type: event.type,
          event,
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

export async function getEvent(accountId: string, eventId: string): Promise<DomainEvent | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: eventsTable(), Key: { pk: accountPk(accountId), sk: eventSk(eventId) } }),
  );
  return Item?.['event'] as DomainEvent | undefined;
}

export interface EventPage {
  events: DomainEvent[];
  /** Where the next page starts (past everything this one read, filtered out or not); null: still the start. */
  position: string | null;
  /** More stored events may follow right now (a poll with `position` later may find newer ones either way). */
  hasMore: boolean;
}

/**
 * One page of an account's events after `after` (a position a page handed out, or the start), stored before
 * `horizon`. With `type`, only those (the page may then hold fewer than `limit` and still go on).
 */
export async function listEvents(
  accountId: string,
  page: { limit: number; after: string | null; horizon: Date; type?: EventType },
): Promise<EventPage> {
  const upper = atOf(page.horizon.getTime() * 1000, '');
  if (page.after !== null && page.after >= upper) return { events: [], position: page.after, hasMore: false };
  const result = await documentClient.send(
    new QueryCommand({
      TableName: eventsTable(),
      IndexName: EVENTS_ORDER_INDEX.name,
      KeyConditionExpression: 'pk = :pk AND #at BETWEEN :from AND :to',
      ExpressionAttributeNames: {
        '#at': EVENTS_ORDER_INDEX.sortKey,
        ...(page.type ? { '#type': 'type' } : {}),
      },
      ExpressionAttributeValues: {
        ':pk': accountPk(accountId),
        ':from': page.after === null ? '0' : `${page.after}\u0000`,
        ':to': upper,
        ...(page.type ? { ':type': page.type } : {}),
      },
      ...(page.type ? { FilterExpression: '#type = :type' } : {}),
      Limit: page.limit,
      ConsistentRead: true,
    }),
  );
  const items = result.Items ?? [];
  const lastKey = result.LastEvaluatedKey?.[EVENTS_ORDER_INDEX.sortKey];
  const lastItem = items.at(-1)?.[EVENTS_ORDER_INDEX.sortKey];
  const position =
    typeof lastKey === 'string' ? lastKey : typeof lastItem === 'string' ? lastItem : page.after;
  return {
    events: items.map((item) => item['event'] as DomainEvent),
    position,
    hasMore: lastKey !== undefined,
  };
}

/** The local consumer's checkpoint in a shard: the last sequence number whose events are stored and delivered. */
export async function readCheckpoint(shardId: string): Promise<string | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: eventsTable(), Key: { pk: 'STREAM', sk: shardId }, ConsistentRead: true }),
  );
  return Item?.['sequenceNumber'] as string | undefined;
}

export async function writeCheckpoint(shardId: string, sequenceNumber: string): Promise<void> {
  await documentClient.send(
    new PutCommand({ TableName: eventsTable(), Item: { pk: 'STREAM', sk: shardId, sequenceNumber } }),
  );
}
