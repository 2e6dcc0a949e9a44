/**
 * Idempotent answers every write path shares: replaying what a key already holds, and storing an answer that
 * moves no money (a decline, a conflict) under the key so every copy of the request gets it. Used by the
 * authorization and account write paths alike, so it lives here rather than in either domain's service.
 */
import { randomUUID } from 'node:crypto';
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
import {
  conditionFailed,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
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

/** Writes a result that moves no money (a decline) so its key answers the same forever. */
export async function storeOnce(
  items: TransactItem[],
  response: StoredResponse,
  fingerprint: string,
): Promise<Attempt<ServiceResult>> {
  const outcome = await transactWrite(items, randomUUID());
  if (outcome.committed) return fresh(response);
  if (conditionFailed(outcome.reasons, 0)) return fromExisting(outcome.reasons[0]?.item, fingerprint);
  // Anything else (a conflict, a throttle): the caller reads and decides again.
  return retryAfter(new TransactionCancelledError('store answer', outcome.reasons));
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
    [operationRecordPut(digest, recordFields(kind, ctx.clientId, ctx.fingerprint, response), nowMs)],
    response,
    ctx.fingerprint,
  );
}
