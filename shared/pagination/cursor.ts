/**
 * Opaque list cursors that only this service can make. A cursor is `<payload>.<mac>`: the payload is base64url
 * JSON (where a list continues, and for the journal the running balances up to there); the mac is an HMAC-SHA256
 * over a version tag, the cursor's scope and the payload. The scope names the list and, for per-account lists, the
 * account (`journal:<accountId>`), so a cursor is valid only on the list it came from: one account's journal
 * cursor cannot be replayed on another's, where its balances would be wrong. The payload is still validated after
 * the mac matches (a key shared by mistake must not turn into a 500).
 *
 * Pure: the key is passed in. Where the key comes from is shared/pagination/cursors.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as z from 'zod/mini';
import { safeParse } from '../zod.js';
import { assert } from '../assert.js';

/** Bumped if the payload layout or the mac input ever changes: old cursors then fail closed (400), never misread. */
const CURSOR_VERSION = 'cursor.v1';
const MAC_BYTES = 32;
/** HMAC-SHA256 keys shorter than its 32-byte output weaken it (RFC 2104 §3); generated keys are longer. */
export const MIN_CURSOR_KEY_BYTES = 32;
/** The query parameter takes at most 2,048 characters (PageQuery); anything longer was never ours. */
const MAX_CURSOR_CHARS = 2_048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function mac(key: Uint8Array, scope: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${CURSOR_VERSION}\n${scope}\n${payload}`).digest();
}

export function sealCursor(key: Uint8Array, scope: string, payload: unknown): string {
  assert(key.length >= MIN_CURSOR_KEY_BYTES, `cursor key shorter than ${MIN_CURSOR_KEY_BYTES} bytes`);
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(key, scope, body).toString('base64url')}`;
}

/**
 * The payload of a cursor this service sealed for `scope`, or undefined for anything else: malformed, forged,
 * altered in any byte, sealed for another list or account, or sealed with another key.
 */
export function openCursor<S extends z.core.$ZodType>(
  key: Uint8Array,
  scope: string,
  raw: string,
  schema: S,
): z.output<S> | undefined {
  if (raw.length > MAX_CURSOR_CHARS) return undefined;
  const parts = raw.split('.');
  if (parts.length !== 2) return undefined;
  const [body, tag] = parts as [string, string];
  if (!BASE64URL.test(body) || !BASE64URL.test(tag)) return undefined;
  const given = Buffer.from(tag, 'base64url');
  const expected = mac(key, scope, body);
  // Canonical encoding only: base64url decoding ignores stray trailing bits, so compare the re-encoding too.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== tag || !timingSafeEqual(given, expected))
    return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = safeParse(schema, json);
  return parsed.success ? parsed.data : undefined;
}
