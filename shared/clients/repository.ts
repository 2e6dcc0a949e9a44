/**
 * Storage of API clients, keyed by the hash of their key: the key itself is never stored.
 *
 * The lookup is a strongly consistent read. Its answer gates authentication, and API Gateway caches the
 * authorizer's answer per key for 300 s (AUTHORIZER_CACHE_TTL_SECONDS in infra/constructs/api.ts): an
 * eventually consistent read right after `POST /v1/clients` may miss the new key, and that `invalid_api_key`
 * would then be served from the cache for five minutes.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { hashApiKey } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import type { Client } from './model.js';

const clientKey = (keyHash: string) => ({ pk: `CLIENT#${keyHash}`, sk: 'CLIENT' });

export async function putClient(client: Client, apiKey: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...clientKey(hashApiKey(apiKey)), itemType: 'client', ...client },
    }),
  );
}

export async function findClientByApiKey(apiKey: string): Promise<Client | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: clientKey(hashApiKey(apiKey)), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, itemType: _t, ...client } = result.Item;
  return client as Client;
}
