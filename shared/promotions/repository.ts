/**
 * Storage of promotions (festival uplifts, category quotas). Promotions are data; the limit policy decides what
 * they do to a limit. They are never deleted, so old ones accumulate: nothing here reads "the first N".
 *
 * Two items per promotion, always written in one transaction:
 *   PROMOTIONS         / <id>             the promotion: found by id (create once, end), listed by id (GET, paged)
 *   PROMOTIONS#BY_END  / <endsAt>#<id>    a copy keyed by its end, so the limit paths read only promotions that
 *                                        have not ended (`sk > now`), however many ended ones pile up; ending a
 *                                        promotion moves its copy to the new key in the same transaction
 * Both live in the base table, not in a GSI: reads are strongly consistent, so a refresh started right after an
 * end already sees it. Moving a copy deletes the old one, the service's only delete: the end route's role alone
 * holds DeleteItem, and only for keys in this partition (infra/route-permissions.ts). Every timestamp is stored normalized (`toISOString`), so the end key orders by time.
 *
 * A table written before the end index existed holds promotions without their copy. A marker item, at a sort key
 * after every timestamp (so every `sk > now` read returns it), says the index is complete. Until it exists, reads
 * page through every promotion instead; the next create indexes the existing promotions, then writes it.
 */
import { GetCommand, PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { ResourceId } from '../money.js';
import { endedAt, normalizePromotion, normalizeTimestamp, type Promotion } from './model.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { RETRY, retryAfter, withRetries } from '../storage/retry.js';
import { PROMOTIONS_BY_END_PARTITION } from '../storage/table.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  transactWrite,
} from '../storage/transactions.js';
import { assert, present } from '../assert.js';

const PARTITION = 'PROMOTIONS';
const BY_END_PARTITION = PROMOTIONS_BY_END_PARTITION;
/** '~' sorts after every character of an ISO timestamp. */
const INDEX_COMPLETE_SK = '~index-complete';
/** Transactions in flight while indexing the promotions of an older table (once per table). */
const INDEXING_CONCURRENCY = 8;

export const promotionKey = (promotionId: string) => ({ pk: PARTITION, sk: promotionId });
/** The marker that says every promotion has its end-index copy (exported for the migration test). */
export const END_INDEX_COMPLETE_KEY = { pk: BY_END_PARTITION, sk: INDEX_COMPLETE_SK };
const byEndKey = (promotion: Promotion) => ({
  pk: BY_END_PARTITION,
  sk: `${normalizeTimestamp(promotion.endsAt)}#${promotion.id}`,
});
const byEndItem = (promotion: Promotion) => ({
  ...byEndKey(promotion),
  itemType: 'promotion_by_end',
  promotion,
});

/** `promotion.endsAt` (placeholders: the expression stays valid whatever DynamoDB reserves next). */
const ENDS_AT = '#promotion.#endsAt';
const ENDS_AT_NAMES = { '#promotion': 'promotion', '#endsAt': 'endsAt' };

const endsAfter = (asOf: Date) => (promotion: Promotion) => Date.parse(promotion.endsAt) > asOf.getTime();

/**
 * Pages of promotions one read follows at most (up to 1 MB each: millions of promotions). Far beyond any table
 * this service will hold; reaching it means a loop that does not end, not a big table.
 */
const MAX_PROMOTION_PAGES = 10_000;

/** Every item of a key condition, following LastEvaluatedKey to the end. */
async function queryAll(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    assert(pages < MAX_PROMOTION_PAGES, `a promotions read follows at most ${MAX_PROMOTION_PAGES} pages`);
    pages += 1;
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...input,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Creates a promotion (timestamps normalized) with its end-index copy; undefined when the id is taken (nothing is
 * written then). Returns the promotion as stored.
 */
export async function createPromotion(input: Promotion): Promise<Promotion | undefined> {
  const promotion = normalizePromotion(input);
  const createdAt = new Date().toISOString();
  const attempt = () =>
    withRetries(`create promotion ${promotion.id}`, async () => {
      const outcome = await transactWrite(
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...promotionKey(promotion.id), itemType: 'promotion', promotion, createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tableName, Item: byEndItem(promotion) } },
          {
            ConditionCheck: {
              TableName: tableName,
              Key: END_INDEX_COMPLETE_KEY,
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
        randomUUID(),
      );
      if (outcome.committed) return { created: promotion };
      if (conditionFailed(outcome.reasons, 0)) return { created: undefined };
      if (conditionFailed(outcome.reasons, 2)) return 'index_incomplete' as const;
      if (isTransient(outcome.reasons))
        return retryAfter(new TransactionCancelledError('create promotion', outcome.reasons));
      throw new TransactionCancelledError('create promotion', outcome.reasons);
    });
  let result = await attempt();
  if (result === 'index_incomplete') {
    await completeEndIndex();
    result = await attempt();
  }
  assert(result !== 'index_incomplete', 'the promotion end index is still incomplete after indexing it');
  return result.created;
}

/** Every promotion, past, present and future, in id order (pages through all of them). */
export async function listPromotions(): Promise<Promotion[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': PARTITION },
  });
  return items.map((item) => item['promotion'] as Promotion);
}

/**
 * Every promotion that has not ended at `asOf` (endsAt > asOf): in force or still to come. What the limit paths
 * need (a promotion in force at `asOf` is among them), read from the end index, so ended promotions cost nothing.
 */
export async function listCurrentPromotions(asOf: Date): Promise<Promotion[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk > :asOf',
    ExpressionAttributeValues: { ':pk': BY_END_PARTITION, ':asOf': asOf.toISOString() },
  });
  // Without the marker some promotions may have no copy yet (an older table): read them all instead.
  if (!items.some((item) => item['sk'] === INDEX_COMPLETE_SK))
    return (await listPromotions()).filter(endsAfter(asOf));
  return items
    .filter((item) => item['sk'] !== INDEX_COMPLETE_SK)
    .map((item) => item['promotion'] as Promotion)
    .filter(endsAfter(asOf));
}

export interface PromotionPage {
  data: Promotion[];
  /** The id the next page starts after; null on the last page. */
  after: string | null;
}

/** Where a reader of the promotion list is (the payload of its sealed cursor). */
export const PromotionListPosition = z.strictObject({ after: ResourceId });

/** One page of every promotion in id order. Reads one more than asked, so the last page says so (`after` null). */
export async function listPromotionsPage(limit: number, afterId?: string): Promise<PromotionPage> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PARTITION },
      Limit: limit + 1,
      ConsistentRead: true,
      ...(afterId === undefined ? {} : { ExclusiveStartKey: promotionKey(afterId) }),
    }),
  );
  const items = result.Items ?? [];
  const data = items.slice(0, limit).map((item) => item['promotion'] as Promotion);
  // More than asked: there is a next page. Fewer with a LastEvaluatedKey (the 1 MB page bound): maybe one.
  const after =
    items.length > limit ? data.at(-1)?.id : (result.LastEvaluatedKey?.['sk'] as string | undefined);
  return { data, after: after ?? null };
}

/**
 * Ends a promotion at `now`: its window closes at max(now, startsAt) (policy `endedAt`), and its end-index copy
 * moves with it. Idempotent: a promotion that has already ended is returned unchanged. Undefined if there is no
 * such promotion. The refresh withdraws what it granted.
 */
export async function endPromotion(promotionId: string, now: Date): Promise<Promotion | undefined> {
  return withRetries(`end promotion ${promotionId}`, async () => {
    const read = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: promotionKey(promotionId), ConsistentRead: true }),
    );
    if (!read.Item) return undefined;
    const current = read.Item['promotion'] as Promotion;
    const ended = endedAt(current, now);
    if (!ended) return current;
    const outcome = await transactWrite(
      [
        {
          Update: {
            TableName: tableName,
            Key: promotionKey(promotionId),
            UpdateExpression: `SET ${ENDS_AT} = :endsAt`,
            // Guarded by the end it was computed from: a concurrent end makes us read again.
            ConditionExpression: `${ENDS_AT} = :was`,
            ExpressionAttributeNames: ENDS_AT_NAMES,
            ExpressionAttributeValues: { ':endsAt': ended.endsAt, ':was': current.endsAt },
          },
        },
        { Delete: { TableName: tableName, Key: byEndKey(current) } },
        { Put: { TableName: tableName, Item: byEndItem(ended) } },
      ],
      randomUUID(),
    );
    if (outcome.committed) return ended;
    if (conditionFailed(outcome.reasons, 0)) return RETRY; // a concurrent end: read it again
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('end promotion', outcome.reasons));
    throw new TransactionCancelledError('end promotion', outcome.reasons);
  });
}

/**
 * Gives every existing promotion its end-index copy, then writes the marker. Each copy is written only while the
 * promotion still ends where it was read: one ended meanwhile already has its copy from that end.
 */
async function completeEndIndex(): Promise<void> {
  const promotions = await listPromotions();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < promotions.length; i = next++)
      await indexPromotion(present(promotions[i], 'a promotion in range'));
  };
  await Promise.all(Array.from({ length: Math.min(INDEXING_CONCURRENCY, promotions.length) }, worker));
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...END_INDEX_COMPLETE_KEY,
        itemType: 'promotion_index_marker',
        createdAt: new Date().toISOString(),
      },
    }),
  );
}

async function indexPromotion(promotion: Promotion): Promise<void> {
  await withRetries(`index promotion ${promotion.id}`, async () => {
    const outcome = await transactWrite(
      [
        {
          ConditionCheck: {
            TableName: tableName,
            Key: promotionKey(promotion.id),
            ConditionExpression: `${ENDS_AT} = :endsAt`,
            ExpressionAttributeNames: ENDS_AT_NAMES,
            ExpressionAttributeValues: { ':endsAt': promotion.endsAt },
          },
        },
        { Put: { TableName: tableName, Item: byEndItem(promotion) } },
      ],
      randomUUID(),
    );
    if (outcome.committed || conditionFailed(outcome.reasons, 0)) return true;
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('index promotion', outcome.reasons));
    throw new TransactionCancelledError('index promotion', outcome.reasons);
  });
}
