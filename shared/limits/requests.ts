/**
 * A customer's limit-increase request, decided at once by the same policy as the scheduled refresh, at most
 * once per LIMIT_REQUEST_COOLDOWN_SECONDS per account. The decision is journaled with its reasons either way.
 */
import { config } from '../config.js';
import type { Reason } from '../journal/model.js';
import { activePromotions } from '../promotions/model.js';
import { listCurrentPromotions } from '../promotions/repository.js';
import { assess, loadAccounts, writeAssessment } from './refresh.js';

export type LimitRequestResult =
  | {
      ok: true;
      decision: 'approved' | 'declined' | 'partially_approved';
      creditLimit: number;
      reasons: Reason[];
    }
  | { ok: false; code: 'account_not_found' | 'too_many_requests' | 'unavailable' };

/** Attempts when a refresh changes the limits between our read and our write. */
const MAX_ATTEMPTS = 3;

export async function requestLimitIncrease(
  accountId: string,
  requestedLimit: number | undefined,
): Promise<LimitRequestResult> {
  const now = new Date();
  const promotions = activePromotions(await listCurrentPromotions(now), now);
  const cooldownSince = new Date(now.getTime() - config.limitRequestCooldownSeconds * 1000).toISOString();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const [loaded] = await loadAccounts([accountId]);
    if (!loaded) return { ok: false, code: 'account_not_found' };
    // No amount asked: as much as the policy supports now.
    const assessment = assess(loaded, promotions, now, requestedLimit ?? 'max');
    const outcome = await writeAssessment(assessment, { requestCooldownSinceIso: cooldownSince });
    if (outcome === 'account_not_found') return { ok: false, code: 'account_not_found' };
    if (outcome === 'rate_limited') return { ok: false, code: 'too_many_requests' };
    if (outcome === 'stale') continue;
    const codes = new Set(assessment.reasons.map((r) => r.code));
    const decision = codes.has('requested_limit_granted')
      ? 'approved'
      : codes.has('requested_limit_partially_granted')
        ? 'partially_approved'
        : 'declined';
    return { ok: true, decision, creditLimit: assessment.after.creditLimit, reasons: assessment.reasons };
  }
  return { ok: false, code: 'unavailable' };
}
