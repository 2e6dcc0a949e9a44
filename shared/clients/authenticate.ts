/**
 * API-key authentication, shared by the API Gateway Lambda authorizer and the local server (which runs the
 * same authorizer module). A key works while its item says so: not revoked, not past the expiry a rotation gave it
 * (shared/clients/keys.ts).
 *
 * Caching. In AWS, API Gateway caches the authorizer's answer per key for AUTHORIZER_CACHE_TTL_SECONDS (300 s,
 * infra/constructs/api.ts), and that cache alone: inside Lambda nothing is cached here, so a revoked key stops
 * working at most 300 s after the revocation, not 300 s after an execution environment's own cache would have
 * let go of it as well (up to 600 s). The cost is one GetItem per API Gateway cache miss: one per key per 300 s.
 *
 * Locally there is no API Gateway: this module's cache stands in for it, so the authorize hot path makes no
 * DynamoDB call for its key (as in AWS). It keeps only positive answers (a new key works at once), each at most
 * AUTH_CACHE_TTL_MS and never past the key's own expiry, and the revoke and rotate routes, which run in the same
 * process, drop their client's entries (`forgetClient`): locally a revoked key fails on the very next request.
 */
import { config } from '../config.js';
import type { ErrorCode } from '../contract/errors.js';
import { keyWorks } from './keys.js';
import type { Principal } from './model.js';
import { findApiKey } from './repository.js';

/** Matches the API Gateway authorizer cache TTL set in infra/. */
export const AUTH_CACHE_TTL_MS = 300_000;
const MAX_CACHED_KEYS = 10_000;
const cache = new Map<string, { principal: Principal; expiresAtMs: number }>();
/**
 * Bumped by every forgetClient: a lookup that started before a revocation may read the key as it was, and must
 * not then put that answer in the cache after the revocation emptied it.
 */
let generation = 0;

export type Authentication = { ok: true; principal: Principal } | { ok: false; code: ErrorCode };

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * @param cacheAnswers whether answers are cached here: outside Lambda only, by default (see the module comment).
 */
export async function authenticate(
  authorizationHeader: string | undefined,
  cacheAnswers: boolean = !config.inLambda,
): Promise<Authentication> {
  if (!authorizationHeader) return { ok: false, code: 'missing_api_key' };
  const apiKey = BEARER.exec(authorizationHeader.trim())?.[1];
  if (!apiKey) return { ok: false, code: 'invalid_api_key' };
  const nowMs = Date.now();
  const cached = cacheAnswers ? cachedPrincipal(apiKey, nowMs) : undefined;
  if (cached) return { ok: true, principal: cached };
  const startedAt = generation;
  const key = await findApiKey(apiKey);
  if (!key || !keyWorks(key, nowMs)) return { ok: false, code: 'invalid_api_key' };
  const principal = { clientId: key.client.id, scopes: key.client.scopes };
  if (cacheAnswers && startedAt === generation) {
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    const keyExpiresAtMs = key.expiresAt === undefined ? Infinity : Date.parse(key.expiresAt);
    cache.set(apiKey, { principal, expiresAtMs: Math.min(nowMs + AUTH_CACHE_TTL_MS, keyExpiresAtMs) });
  }
  return { ok: true, principal };
}

function cachedPrincipal(apiKey: string, nowMs: number): Principal | undefined {
  const cached = cache.get(apiKey);
  return cached && cached.expiresAtMs > nowMs ? cached.principal : undefined;
}

/**
 * The answer this process's cache holds for the header, without any lookup; undefined when it holds none (a miss,
 * an expired entry, a key dropped by forgetClient, or a header that is not a bearer key). The local server asks it
 * first, as API Gateway consults its authorizer cache before invoking the authorizer: a hit invokes nothing.
 */
export function cachedAuthentication(authorizationHeader: string | undefined): Authentication | undefined {
  const apiKey = authorizationHeader ? BEARER.exec(authorizationHeader.trim())?.[1] : undefined;
  const principal = apiKey ? cachedPrincipal(apiKey, Date.now()) : undefined;
  return principal ? { ok: true, principal } : undefined;
}

/**
 * Drops every cached answer for `clientId`'s keys, and keeps lookups already under way from caching theirs: called
 * after a revocation or rotation commits. It reaches this execution environment only; in AWS nothing is cached
 * here, and API Gateway's cache bounds how long a revoked key keeps working (see the module comment).
 */
export function forgetClient(clientId: string): void {
  generation += 1;
  for (const [apiKey, entry] of cache) if (entry.principal.clientId === clientId) cache.delete(apiKey);
}
