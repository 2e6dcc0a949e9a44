/**
 * API-key authentication, shared by the API Gateway Lambda authorizer and the local server (which runs the
 * same authorizer module). Results are cached per execution environment for AUTH_CACHE_TTL_MS, as API
 * Gateway caches authorizer results, so the authorize hot path makes no DynamoDB call for its key.
 */
import type { ErrorCode } from '../contract/errors.js';
import type { Principal } from './model.js';
import { findClientByApiKey } from './repository.js';

/** Matches the API Gateway authorizer cache TTL set in infra/. */
export const AUTH_CACHE_TTL_MS = 300_000;
const MAX_CACHED_KEYS = 10_000;
const cache = new Map<string, { principal: Principal | null; expiresAtMs: number }>();

export type Authentication = { ok: true; principal: Principal } | { ok: false; code: ErrorCode };

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

export async function authenticate(authorizationHeader: string | undefined): Promise<Authentication> {
  if (!authorizationHeader) return { ok: false, code: 'missing_api_key' };
  const apiKey = BEARER.exec(authorizationHeader.trim())?.[1];
  if (!apiKey) return { ok: false, code: 'invalid_api_key' };
  const nowMs = Date.now();
  const cached = cache.get(apiKey);
  let principal: Principal | null;
  if (cached && cached.expiresAtMs > nowMs) {
    principal = cached.principal;
  } else {
    const client = await findClientByApiKey(apiKey);
    principal = client ? { clientId: client.id, scopes: client.scopes } : null;
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    // Only positive results are cached: a key created a moment ago must work at once.
    if (principal) cache.set(apiKey, { principal, expiresAtMs: nowMs + AUTH_CACHE_TTL_MS });
  }
  return principal ? { ok: true, principal } : { ok: false, code: 'invalid_api_key' };
}
