/**
 * The key lifecycle's decisions, as pure functions of the client's keys and `now` (shared/clients/repository.ts
 * does the I/O). A client has one or more keys, each stored as its hash: the current key has no expiry; a
 * rotation gives every other key that still works an expiry at most `overlapSeconds` away, and adds a new key.
 * A revocation stops every key of the client at once.
 */
import { assert } from '../assert.js';
import { TRANSACT_WRITE_MAX_ITEMS } from '../storage/dynamodb-limits.js';

/** One key of a client, as its record lists it. */
export interface ClientKey {
  /** hashApiKey(apiKey) (shared/ids.ts): the key itself is never stored. */
  hash: string;
  /** ISO time the key stops working (set by a rotation); absent: it works until the client is revoked. */
  expiresAt?: string;
}

/** What a key's own item says about it: what authentication reads. */
export interface KeyState {
  expiresAt?: string | undefined;
  revokedAt?: string | undefined;
}

/** The contract's default overlap of a rotation: the old key keeps working an hour. */
export const DEFAULT_OVERLAP_SECONDS = 3_600;
/** The contract's longest overlap: 7 days. */
export const MAX_OVERLAP_SECONDS = 604_800;
/** At least a second: an overlap of 0 would cut every caller still on the old key mid-request. */
export const MIN_OVERLAP_SECONDS = 1;

/**
 * Keys of one client that may work at once (the current one and those still in a rotation's overlap). Rotations
 * are rare (a caller's deploy), so ten leaves room for several within a 7-day overlap, and it bounds the record and
 * the transactions below: a rotation writes the record, the new key and at most this many old keys.
 */
export const MAX_KEYS_PER_CLIENT = 10;
assert(
  MAX_KEYS_PER_CLIENT + 2 <= TRANSACT_WRITE_MAX_ITEMS,
  'a rotation (record, new key, every live key) must fit one transaction',
);

/**
 * Clocks of different functions disagree by milliseconds (Lambda's are NTP-synced). A key that expired less than
 * this ago by our clock is still treated as live when revoking or rotating, so another function whose clock is a
 * little behind never finds a key working that a revocation skipped.
 */
export const CLOCK_SKEW_MS = 60_000;

/** Whether a key item authenticates at `nowMs`: not revoked, and not past its expiry. */
export function keyWorks(key: KeyState, nowMs: number): boolean {
  if (key.revokedAt !== undefined) return false;
  return key.expiresAt === undefined || nowMs < Date.parse(key.expiresAt);
}

/** The keys that may still work somewhere at `nowMs` (see CLOCK_SKEW_MS): what a revocation must stop. */
export function liveKeys(keys: readonly ClientKey[], nowMs: number): ClientKey[] {
  return keys.filter((k) => k.expiresAt === undefined || Date.parse(k.expiresAt) > nowMs - CLOCK_SKEW_MS);
}

export type RotationPlan =
  | {
      ok: true;
      /** The record's keys after the rotation: the live old keys (with their new expiries), then the new one. */
      keys: ClientKey[];
      /** Old keys whose expiry this rotation moves closer: their items are updated in the same transaction. */
      shortened: ClientKey[];
      /** When the last old key stops working. */
      previousKeyExpiresAt: string;
    }
  | { ok: false; code: 'too_many_api_keys' };

/**
 * A rotation at `nowMs`: every live key stops at the latest `overlapSeconds` from now (an earlier expiry is kept:
 * a rotation never extends a key), keys long expired drop out of the record, and `newHash` becomes current.
 */
export function planRotation(
  keys: readonly ClientKey[],
  newHash: string,
  nowMs: number,
  overlapSeconds: number,
): RotationPlan {
  assert(Number.isInteger(overlapSeconds), 'overlapSeconds is an integer');
  assert(overlapSeconds >= MIN_OVERLAP_SECONDS, 'overlapSeconds is at least the minimum');
  assert(overlapSeconds <= MAX_OVERLAP_SECONDS, 'overlapSeconds is at most the maximum');
  const live = liveKeys(keys, nowMs);
  if (live.length >= MAX_KEYS_PER_CLIENT) return { ok: false, code: 'too_many_api_keys' };
  const overlapEndMs = nowMs + overlapSeconds * 1_000;
  const overlapEnd = new Date(overlapEndMs).toISOString();
  const shortened: ClientKey[] = [];
  const kept = live.map((key) => {
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= overlapEndMs) return key;
    const moved = { hash: key.hash, expiresAt: overlapEnd };
    shortened.push(moved);
    return moved;
  });
  assert(!kept.some((k) => k.hash === newHash), 'the new key is not one of the old ones');
  const lastExpiryMs = Math.max(...kept.map((k) => Date.parse(k.expiresAt ?? overlapEnd)), nowMs);
  return {
    ok: true,
    keys: [...kept, { hash: newHash }],
    shortened,
    previousKeyExpiresAt: new Date(lastExpiryMs).toISOString(),
  };
}
