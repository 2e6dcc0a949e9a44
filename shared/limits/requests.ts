/**
 * A customer's limit-increase request, decided at once by the same policy as the scheduled refresh, at most
 * once per LIMIT_REQUEST_COOLDOWN_SECONDS per account. The decision is journaled with its reasons either way.
 */
import { config } from '../config.js';
import type { Reason } from '../journal/model.js';
import { listCurrentPromotions } from '../promotions/repository.js';
import { assess, loadAccounts, writeAssessment } from './refresh.js';

export type LimitRequestResult =
  | {
      ok: true;
      decision: 'approved' | 'declined' | 'partially_approved';
      creditLimit: number;
      reasons: Reason[];
    }
  | { ok: false; code: 'account_not_found' | 'unavailable' }
  /** Asked again within the cooldown: how long until the next request may be heard (whole seconds, at least 1). */
  | { ok: false; code: 'too_many_requests'; retryAfterSeconds: number };

/** Attempts when a refresh changes the limits between our read and our write. */
const MAX_ATTEMPTS = 3;

/** The rule a limit request is decided by (the environment's configuration unless a caller passes another). */
export interface LimitRequestRules {
  /** An account may ask again only this long after its last request. */
  limitRequestCooldownSeconds: number;
}

/** The earliest instant an account's previous request may have been made for one at `now` to be heard (ISO). */
export function cooldownSince(now: Date, rules: LimitRequestRules): string {
  return new Date(now.getTime() - rules.limitRequestCooldownSeconds * 1000).toISOString();
}

/**
 * Whole seconds until an account refused for its cooldown may ask again, from the last request the refusal read.
 * A last request older than the cooldown (or none) cannot have refused it: another request took the cooldown
 * between our read and our write, so it started just now.
 */
export function cooldownLeftSeconds(
  lastRequestAtIso: string | undefined,
  now: Date,
  rules: LimitRequestRules,
): number {
  const since = cooldownSince(now, rules);
  const lastMs =
    lastRequestAtIso !== undefined && lastRequestAtIso >= since
      ? Date.parse(lastRequestAtIso)
      : now.getTime();
  const endsMs = lastMs + rules.limitRequestCooldownSeconds * 1000;
  return Math.max(1, Math.ceil((endsMs - now.getTime()) / 1000));
}

/** What the policy's reasons say of the request it assessed. */
export function requestDecision(reasons: readonly Reason[]): 'approved' | 'declined' | 'partially_approved' {
  const codes = new Set(reasons.map((r) => r.code));
  if (codes.has('requested_limit_granted')) return 'approved';
  if (codes.has('requested_limit_partially_granted')) return 'partially_approved';
  return 'declined';
}

export async function requestLimitIncrease(
  accountId: string,
  requestedLimit: number | undefined,
  rules: LimitRequestRules = config,
): Promise<LimitRequestResult> {
  const now = new Date();
  const promotions = await listCurrentPromotions(now);
  const requestCooldownSinceIso = cooldownSince(now, rules);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const [loaded] = await loadAccounts([accountId]);
    if (!loaded) return { ok: false, code: 'account_not_found' };
    // No amount asked: as much as the policy supports now.
    const assessment = assess(loaded, promotions, now, requestedLimit ?? 'max');
    const outcome = await writeAssessment(assessment, { requestCooldownSinceIso });
    if (outcome === 'account_not_found') return { ok: false, code: 'account_not_found' };
    if (outcome === 'rate_limited')
      return {
        ok: false,
        code: 'too_many_requests',
        retryAfterSeconds: cooldownLeftSeconds(loaded.lastLimitRequestAt, now, rules),
      };
    if (outcome === 'stale') continue;
    const { reasons } = assessment;
    return {
      ok: true,
      decision: requestDecision(reasons),
      creditLimit: assessment.after.creditLimit,
      reasons,
    };
  }
  return { ok: false, code: 'unavailable' };
}
