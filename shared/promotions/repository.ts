/**
 * Storage of promotions (festival uplifts, category quotas): a handful of items in one partition, read whole
 * by each refresh run. Promotions are data; the limit policy decides what they do to a limit.
 */
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Promotion } from '../policy/promotions.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';

const PARTITION = 'PROMOTIONS';
/** A refresh reads every promotion: more than this many live at once is a configuration mistake. */
export const MAX_PROMOTIONS = 500;

export async function createPromotion(promotion: Promotion): Promise<boolean> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: PARTITION, sk: promotion.id, itemType: 'promotion', promotion, createdAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export async function listPromotions(): Promise<Promotion[]> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PARTITION },
      Limit: MAX_PROMOTIONS,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => item['promotion'] as Promotion);
}

/** Ends a promotion now (its uplift is withdrawn by the next refresh); undefined if there is no such promotion. */
export async function endPromotion(promotionId: string, nowIso: string): Promise<Promotion | undefined> {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: PARTITION, sk: promotionId },
        UpdateExpression: 'SET promotion.endsAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND promotion.endsAt > :now',
        ExpressionAttributeValues: { ':now': nowIso },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes?.['promotion'] as Promotion;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}
