/**
 * Identifiers and digests. Server ids are opaque; the authorization id is derived from the client and its
 * Idempotency-Key, which is what makes a retried authorize land on the same item (DESIGN.md "Write paths").
 */
import { createHash, randomBytes } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** 128 bits, base64url: collision-free in practice and short in keys. */
const DIGEST_BYTES = 16;

export function sha256(input: string): Buffer {
  return createHash('sha256').update(input).digest();
}

/** Digest of (client, idempotency key): the identity of one logical request. */
export function requestDigest(clientId: string, idempotencyKey: string): string {
  return sha256(`${clientId}\n${idempotencyKey}`).subarray(0, DIGEST_BYTES).toString('base64url');
}

/** Fingerprint of what was asked: method, path and the canonical (key-sorted) parsed body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return sha256(`${method} ${path}\n${stringify(body ?? null)}`).toString('base64url');
}

export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(DIGEST_BYTES).toString('base64url')}`;
}

/** API keys are shown once and stored only as this hash. 32 random bytes make brute force pointless. */
export function newApiKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(apiKey: string): string {
  return sha256(`api-key\n${apiKey}`).toString('hex');
}
