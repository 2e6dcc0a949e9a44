/**
 * Idempotent request records: one item per (client, Idempotency-Key), written in the same transaction as the
 * effect it records, holding the fingerprint of the request and the response given. A retry finds it and
 * gets the same status and body; a different request with the same key is refused. For an authorize, the
 * record *is* the authorization item (its id is derived from the same digest).
 */
import { BatchGetCommand, TransactGetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredResponse } from '../contract/results.js';
import { assert } from '../assert.js';
import { defaultStorage, type Storage, tableName } from '../storage/dynamo-client.js';
import { BATCH_GET_MAX_KEYS, TRANSACT_GET_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import type { TransactItem } from '../storage/transactions.js';
import { TTL_ATTRIBUTE } from '../storage/table.js';

/** Records of captures, releases, refunds and repayments are kept 7 days (the contract asks for >= 24 h). */
const OPERATION_RECORD_TTL_SECONDS = 7 * 86_400;

export type RequestKind = 'authorize' | 'capture' | 'release' | 'increment' | 'refund' | 'repayment';

export const requestKey = (digest: string) => ({ pk: `REQ#${digest}`, sk: 'REQ' });

export interface RequestRecordFields {
  kind: RequestKind;
  clientId: string;
  fingerprint: string;
  responseStatus: number;
  responseBody: string;
}

export function recordFields(
  kind: RequestKind,
  clientId: string,
  fingerprint: string,
  response: StoredResponse,
): RequestRecordFields {
  return { kind, clientId, fingerprint, responseStatus: response.status, responseBody: response.body };
}

/** The record of a non-authorize operation, put only if the key was never used. */
export function operationRecordPut(digest: string, fields: RequestRecordFields, nowMs: number): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...requestKey(digest),
        itemType: 'request',
        ...fields,
        createdAt: new Date(nowMs).toISOString(),
        [TTL_ATTRIBUTE]: Math.floor(nowMs / 1000) + OPERATION_RECORD_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

export type ExistingVerdict = { kind: 'replay'; response: StoredResponse } | { kind: 'reused' };

/** Same fingerprint: answer what was answered. Anything else: the key was used for another request. */
export function judgeExisting(item: Record<string, unknown>, fingerprint: string): ExistingVerdict {
  if (item['fingerprint'] === fingerprint && typeof item['responseBody'] === 'string') {
    return {
      kind: 'replay',
      response: { status: Number(item['responseStatus']), body: item['responseBody'] },
    };
  }
  return { kind: 'reused' };
}

/** Reads several items in one consistent round trip; undefined where missing; null if DynamoDB deferred some. */
export async function getItems(
  keys: Array<{ pk: string; sk: string }>,
  storage: Storage = defaultStorage,
): Promise<Array<Record<string, unknown> | undefined> | null> {
  // BatchGet refuses duplicate keys; the same key may be asked for twice (a key reused on its own hold).
  const unique = keys.filter((k, i) => keys.findIndex((o) => o.pk === k.pk && o.sk === k.sk) === i);
  assert(unique.length > 0, 'a BatchGet reads at least one key');
  assert(unique.length <= BATCH_GET_MAX_KEYS, `a BatchGet reads at most ${BATCH_GET_MAX_KEYS} keys`);
  const table = storage.tableName;
  const result = await storage.documentClient.send(
    new BatchGetCommand({ RequestItems: { [table]: { Keys: unique, ConsistentRead: true } } }),
  );
  const unprocessed = result.UnprocessedKeys?.[table]?.Keys?.length ?? 0;
  if (unprocessed > 0) return null;
  const found = result.Responses?.[table] ?? [];
  return keys.map((k) => found.find((item) => item['pk'] === k.pk && item['sk'] === k.sk));
}

/**
 * Reads a request record and the item it acts on as one snapshot (TransactGetItems is serializable with
 * TransactWriteItems; BatchGetItem is not: it can see the record missing and the hold already changed by that
 * very record's request, and answer a duplicate with an error instead of a replay). Null: read again.
 */
export async function readSnapshot(
  keys: Array<{ pk: string; sk: string }>,
  storage: Storage = defaultStorage,
): Promise<Array<Record<string, unknown> | undefined> | null> {
  const unique = keys.filter((k, i) => keys.findIndex((o) => o.pk === k.pk && o.sk === k.sk) === i);
  assert(unique.length > 0, 'a snapshot reads at least one key');
  assert(unique.length <= TRANSACT_GET_MAX_ITEMS, `a snapshot reads at most ${TRANSACT_GET_MAX_ITEMS} keys`);
  try {
    const result = await storage.documentClient.send(
      new TransactGetCommand({
        TransactItems: unique.map((Key) => ({ Get: { TableName: storage.tableName, Key } })),
      }),
    );
    const found = (result.Responses ?? []).map((r) => r.Item);
    return keys.map((k) => found[unique.findIndex((o) => o.pk === k.pk && o.sk === k.sk)]);
  } catch (error) {
    // A write transaction in flight on one of the items: the caller backs off and reads again.
    if ((error as { name?: string }).name === 'TransactionCanceledException') return null;
    throw error;
  }
}
