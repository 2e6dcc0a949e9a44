/** Storage of API clients, keyed by the hash of their key: the key itself is never stored. */
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
    new GetCommand({ TableName: tableName, Key: clientKey(hashApiKey(apiKey)) }),
  );
  if (!result.Item) return undefined;
  const { pk: _pk, sk: _sk, itemType: _t, ...client } = result.Item;
  return client as Client;
}
