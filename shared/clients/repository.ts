/**
 * Storage of API clients. The key itself is never stored, only its hash (shared/ids.ts `hashApiKey`). Two kinds
 * of item, always written together in one transaction:
 *
 *   CLIENT#<keyHash> / CLIENT     one per key: the client's id, name and scopes, and the key's own state
 *                                 (`expiresAt` once a rotation gave it one, `revokedAt`). Authentication reads
 *                                 only this item: one strongly consistent GetItem per lookup.
 *   CLIENTS          / <clientId> the client record: name, scopes, createdAt, revokedAt, its keys' hashes with
 *                                 their expiries, and a version. Found by id (revoke, rotate) and listed by one
 *                                 Query of the partition (GET /v1/clients), strongly consistent, with no index.
 *
 * Revoking and rotating read the record, then write the record and every key item they change in one
 * TransactWriteItems guarded by the version they read: a concurrent change makes them read again, so a record
 * and its key items never disagree. Expired and revoked key items stay (nothing deletes them): a key is never
 * made to work again, and the bootstrap below finds a key it wrote once even after a rotation retired it.
 *
 * The lookup is strongly consistent. Its answer gates authentication, and API Gateway caches the authorizer's
 * answer per key for 300 s (AUTHORIZER_CACHE_TTL_SECONDS in infra/constructs/api.ts): an eventually consistent
 * read right after `POST /v1/clients` may miss the new key, and that `invalid_api_key` would then be served from
 * the cache for five minutes.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { assert } from '../assert.js';
import { hashApiKey } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import { RETRY, retryAfter, withRetries } from '../storage/retry.js';
import {
  conditionFailed,
  isTransient,
  type TransactItem,
  TransactionCancelledError,
  transactWrite,
} from '../storage/transactions.js';
import { type ClientKey, type KeyState, liveKeys, MAX_KEYS_PER_CLIENT, planRotation } from './keys.js';
import { type Client, type ClientView, MAX_LISTED_CLIENTS } from './model.js';

const RECORDS_PARTITION = 'CLIENTS';
const keyItemKey = (keyHash: string) => ({ pk: `CLIENT#${keyHash}`, sk: 'CLIENT' });
const recordKey = (clientId: string) => ({ pk: RECORDS_PARTITION, sk: clientId });

/** Attribute names DynamoDB reserves (NAME, KEYS) or might: always through placeholders. */
const NAMES = { '#name': 'name', '#keys': 'keys', '#version': 'version' } as const;
/** The placeholders `expression` uses (DynamoDB refuses unused ones). */
const namesIn = (expression: string) =>
  Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => expression.includes(placeholder)));

/** Query pages one listing follows at most: far more than MAX_LISTED_CLIENTS records need. */
const MAX_LIST_PAGES = 20;

interface ClientRecord extends ClientView {
  keys: ClientKey[];
  version: number;
}

/** A key item as authentication reads it: whose key it is, and whether it still works. */
export interface KeyLookup extends KeyState {
  client: Client;
}

const clientOf = (c: Client): Client => ({
  id: c.id,
  name: c.name,
  scopes: c.scopes,
  createdAt: c.createdAt,
});
const viewOf = (r: ClientView): ClientView => ({
  ...clientOf(r),
  ...(r.revokedAt === undefined ? {} : { revokedAt: r.revokedAt }),
});

function recordFromItem(item: Record<string, unknown>): ClientRecord {
  const record = item as unknown as ClientRecord;
  assert(Array.isArray(record.keys), 'a client record lists its keys');
  assert(Number.isInteger(record.version), 'a client record has a version');
  assert(record.keys.length <= MAX_KEYS_PER_CLIENT, 'a client record lists at most MAX_KEYS_PER_CLIENT keys');
  return record;
}

const keyItem = (client: Client, hash: string) => ({
  ...keyItemKey(hash),
  itemType: 'client',
  ...clientOf(client),
});

/** A new client's two items, each written only if it does not exist yet. */
function creation(client: Client, hash: string): TransactItem[] {
  const record = {
    ...recordKey(client.id),
    itemType: 'client_record',
    ...clientOf(client),
    keys: [{ hash }],
  };
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...record, version: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: keyItem(client, hash),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/** Creates a client with one key: its record and its key item, in one transaction. */
export async function putClient(client: Client, apiKey: string): Promise<void> {
  await withRetries(`create client ${client.id}`, async () => {
    // 128 random bits of id and 256 of key: a taken one is a bug, not a collision, so no condition is retried.
    return commit('create client', creation(client, hashApiKey(apiKey)), []);
  });
}

/** The key item of `apiKey` (strongly consistent), whether or not the key still works; undefined if none. */
export async function findApiKey(apiKey: string): Promise<KeyLookup | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keyItemKey(hashApiKey(apiKey)), ConsistentRead: true }),
  );
  const item = result.Item;
  if (!item) return undefined;
  return {
    client: clientOf(item as unknown as Client),
    expiresAt: item['expiresAt'] as string | undefined,
    revokedAt: item['revokedAt'] as string | undefined,
  };
}

async function getRecord(clientId: string): Promise<ClientRecord | undefined> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: recordKey(clientId), ConsistentRead: true }),
  );
  return result.Item ? recordFromItem(result.Item) : undefined;
}

/** Every client in id order (at most MAX_LISTED_CLIENTS), revoked ones included; never a key or a hash. */
export async function listClients(): Promise<{ clients: ClientView[]; hasMore: boolean }> {
  const clients: ClientView[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page === 0 || start; page += 1) {
    assert(page < MAX_LIST_PAGES, `a client listing follows at most ${MAX_LIST_PAGES} pages`);
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        // Only what the API shows: the key hashes never leave the table.
        ProjectionExpression: 'id, #name, scopes, createdAt, revokedAt',
        ExpressionAttributeNames: namesIn('#name'),
        ExpressionAttributeValues: { ':pk': RECORDS_PARTITION },
        ConsistentRead: true,
        Limit: MAX_LISTED_CLIENTS + 1 - clients.length,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    clients.push(...(result.Items ?? []).map((item) => viewOf(item as unknown as ClientView)));
    start = clients.length > MAX_LISTED_CLIENTS ? undefined : result.LastEvaluatedKey;
  }
  return { clients: clients.slice(0, MAX_LISTED_CLIENTS), hasMore: clients.length > MAX_LISTED_CLIENTS };
}

/** The record's update, guarded by the version it was read at and by the client not being revoked. */
function recordUpdate(record: ClientRecord, set: string, values: Record<string, unknown>): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: recordKey(record.id),
      UpdateExpression: `SET ${set}, #version = #version + :one`,
      ConditionExpression: '#version = :version AND attribute_not_exists(revokedAt)',
      ExpressionAttributeNames: namesIn(`${set} #version`),
      ExpressionAttributeValues: { ...values, ':one': 1, ':version': record.version },
    },
  };
}

/** An existing key item's update (a missing one would be created by an Update: that is a broken record). */
function keyUpdate(hash: string, set: string, values: Record<string, unknown>): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keyItemKey(hash),
      UpdateExpression: `SET ${set}`,
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Commits `items`: true; RETRY when a condition of an item in `raceOn` failed (someone changed what was read:
 * read again); a RetryAfter when DynamoDB said "not now". Any other cancellation is a broken invariant.
 */
async function commit(operation: string, items: TransactItem[], raceOn: readonly number[]) {
  const outcome = await transactWrite(items, randomUUID());
  if (outcome.committed) return true as const;
  if (raceOn.some((index) => conditionFailed(outcome.reasons, index))) return RETRY;
  if (isTransient(outcome.reasons))
    return retryAfter(new TransactionCancelledError(operation, outcome.reasons));
  throw new TransactionCancelledError(operation, outcome.reasons);
}

/** Record first: only its version guard can fail from a race (key items change only with their record). */
const RECORD_RACE = [0] as const;

/**
 * Revokes the client at `now`: the record and every key that may still work get `revokedAt`, in one transaction.
 * Idempotent: a revoked client is answered as it is (its first `revokedAt`). Undefined if there is no such client.
 */
export async function revokeClient(clientId: string, now: Date): Promise<ClientView | undefined> {
  return withRetries(`revoke client ${clientId}`, async () => {
    const record = await getRecord(clientId);
    if (!record) return { view: undefined };
    if (record.revokedAt !== undefined) return { view: viewOf(record) };
    const revokedAt = now.toISOString();
    const keys = liveKeys(record.keys, now.getTime());
    const committed = await commit(
      'revoke client',
      [
        recordUpdate(record, 'revokedAt = :at', { ':at': revokedAt }),
        ...keys.map((k) => keyUpdate(k.hash, 'revokedAt = :at', { ':at': revokedAt })),
      ],
      RECORD_RACE,
    );
    return committed === true ? { view: viewOf({ ...record, revokedAt }) } : committed;
  }).then((result) => result.view);
}

export type RotationResult =
  | { ok: true; client: ClientView; previousKeyExpiresAt: string }
  | { ok: false; code: 'client_not_found' | 'client_revoked' | 'too_many_api_keys' };

/**
 * Makes `newApiKey` the client's current key at `now`; every other key that works stops at the latest
 * `overlapSeconds` later (shared/clients/keys.ts `planRotation`). Record, new key item and every shortened key
 * item in one transaction. A repeated call makes another key: the one before it becomes an old key in turn.
 */
export async function rotateClientKey(
  clientId: string,
  newApiKey: string,
  now: Date,
  overlapSeconds: number,
): Promise<RotationResult> {
  const newHash = hashApiKey(newApiKey);
  return withRetries(`rotate client ${clientId}`, async () => {
    const record = await getRecord(clientId);
    if (!record) return { ok: false, code: 'client_not_found' } as const;
    if (record.revokedAt !== undefined) return { ok: false, code: 'client_revoked' } as const;
    const plan = planRotation(record.keys, newHash, now.getTime(), overlapSeconds);
    if (!plan.ok) return plan;
    const committed = await commit(
      'rotate client',
      [
        recordUpdate(record, '#keys = :keys', { ':keys': plan.keys }),
        {
          Put: {
            TableName: tableName,
            Item: keyItem(record, newHash),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...plan.shortened.map((k) => keyUpdate(k.hash, 'expiresAt = :at', { ':at': k.expiresAt })),
      ],
      RECORD_RACE,
    );
    if (committed !== true) return committed;
    return { ok: true, client: viewOf(record), previousKeyExpiresAt: plan.previousKeyExpiresAt } as const;
  });
}

export type BootstrapOutcome = 'created' | 'key_added' | 'existed' | 'revoked';

/**
 * Makes `apiKey` a key of `client` unless it already is a key of anyone: the local admin at `npm start` and the
 * deployed stack's bootstrap admin (shared/clients/bootstrap.ts). Creates the client if it does not exist; adds
 * the key to it if it does (a restart with another ADMIN_API_KEY); a key that exists stays as it is, working or not
 * (a rotation retired it, and no redeploy brings it back); a revoked client gets no key. Only hashes are written,
 * each guarded by attribute_not_exists or the record's version.
 */
export async function bootstrapClient(client: Client, apiKey: string): Promise<BootstrapOutcome> {
  const hash = hashApiKey(apiKey);
  return withRetries(`bootstrap client ${client.id}`, async () => {
    const existing = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: keyItemKey(hash), ConsistentRead: true }),
    );
    if (existing.Item) return 'existed' as const;
    const record = await getRecord(client.id);
    if (record?.revokedAt !== undefined) return 'revoked' as const;
    if (!record) {
      // Either item taken meanwhile (another start-up): read again.
      const created = await commit('create bootstrap client', creation(client, hash), [0, 1]);
      return created === true ? ('created' as const) : created;
    }
    const keys = liveKeys(record.keys, Date.now());
    assert(
      keys.length < MAX_KEYS_PER_CLIENT,
      `${client.id} has ${keys.length} keys that work: revoke it first`,
    );
    const added = {
      Put: {
        TableName: tableName,
        Item: keyItem(record, hash),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const committed = await commit(
      'add bootstrap key',
      [recordUpdate(record, '#keys = :keys', { ':keys': [...keys, { hash }] }), added],
      [0, 1],
    );
    return committed === true ? ('key_added' as const) : committed;
  });
}
