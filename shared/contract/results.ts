/**
 * What a domain write path hands back to the HTTP shell, as data: a response to send (fresh, or replayed from
 * the request's idempotency record) or a contract error code; and who asks, under which key.
 *
 * Part of the contract module: imports only the contract, so every domain and the HTTP shell may import it
 * without importing one another.
 */
import type { ErrorCode } from './errors.js';

/** A response exactly as first answered: what an idempotency record keeps and a replay sends again. */
export interface StoredResponse {
  status: number;
  /** The exact JSON text answered the first time. */
  body: string;
}

export type ServiceResult =
  | { kind: 'response'; response: StoredResponse; replayed: boolean }
  | { kind: 'error'; code: ErrorCode };

export interface RequestContext {
  clientId: string;
  /** Absent for operations that are not money-moving client requests (reviews, the sweeper). */
  idempotencyKey?: string;
  /** Fingerprint of method + path + canonical body (see ids.requestFingerprint). */
  fingerprint: string;
  /** Admins, reviewers and the sweeper act on any client's authorizations. */
  actsForAnyClient: boolean;
}

/** A response this request produced (not a replay). */
export const fresh = (response: StoredResponse): ServiceResult => ({
  kind: 'response',
  response,
  replayed: false,
});

/** The response an earlier copy of this request produced, sent again. */
export const replayed = (response: StoredResponse): ServiceResult => ({
  kind: 'response',
  response,
  replayed: true,
});

/** A contract error (nothing was stored under the key). */
export const failure = (code: ErrorCode): ServiceResult => ({ kind: 'error', code });
