/**
 * Idempotent answers every write path shares: replaying what a key already holds, and storing an answer that
 * moves no money (a decline, a conflict) under the key so every copy of the request gets it. Used by the
 * authorization and account write paths alike, so it lives here rather than in either domain's service.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { present } from '../assert.js';
import { type ErrorCode, errorBody } from '../contract/errors.js';
import {
  failure,
  fresh,
  replayed,
  type RequestContext,
  type ServiceResult,
  type StoredResponse,
} from '../contract/results.js';
import { type Attempt, retryAfter } from '../storage/retry.js';
import { documentClient } from '../storage/dynamo-client.js';
import type { TransactItem } from '../storage/transactions.js';
import { judgeExisting, operationRecordPut, type RequestKind, recordFields } from './records.js';

/**
 * Answers decided after the operation began executing (the hold or account was read): stored under the key like
 * a success, so every copy of a request gets the first answer, as the contract asks. Bad input (400) and unknown
 * ids (404) are not stored: nothing began executing, and a corrected retry must be able to use the key (Stripe).
 */
const STORED_CONFLICTS: ReadonlySet<ErrorCode> = new Set([
  'invalid_state',
  'authorization_expired',
  'amount_exceeds_remaining',
]);

export const isStoredConflict = (code: ErrorCode): boolean => STORED_CONFLICTS.has(code);

/** What the key already holds: a replay of the same request, or `idempotency_key_reused` for another one. */
export function fromExisting(item: Record<string, unknown> | undefined, fingerprint: string): ServiceResult {
  if (!item) return failure('internal_error');
  const verdict = judgeExisting(item, fingerprint);
  return verdict.kind === 'replay' ? replayed(verdict.response) : failure('idempotency_key_reused');
}

/**
 * Writes a result that moves no money (a decline) so its key answers the same forever: one conditional put (the
 * key's record, new only). A PutItem, not a one-item transaction: half the write units in AWS, and locally it
 * does not queue behind the transactions (near a budget's exhaustion most holds end here, and a decline that
 * waited there for its own transaction passed its deadline: a 503 instead of the stored 402).
 */
export async function storeOnce(
  item: TransactItem,
  response: StoredResponse,
  fingerprint: string,
): Promise<Attempt<ServiceResult>> {
  const put = present(item.Put, 'an answer is stored with a Put');
  try {
    await documentClient.send(new PutCommand({ ...put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
    return fresh(response);
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ConditionalCheckFailedException') {
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      return fromExisting(old ? unmarshall(old) : undefined, fingerprint);
    }
    // A transaction on the same key in flight (a copy of this request): read and decide again.
    if (name === 'TransactionConflictException') return retryAfter(error);
    throw error;
  }
}

/** Stores a conflict under the key (or replays whatever the key already holds). */
export async function storeConflict(
  digest: string,
  kind: RequestKind,
  ctx: Pick<RequestContext, 'clientId' | 'fingerprint'>,
  code: ErrorCode,
  nowMs: number,
): Promise<Attempt<ServiceResult>> {
  const response: StoredResponse = { status: 409, body: JSON.stringify(errorBody(code)) };
  return storeOnce(
    operationRecordPut(digest, recordFields(kind, ctx.clientId, ctx.fingerprint, response), nowMs),
    response,
    ctx.fingerprint,
  );
}
