/**
 * Why a reserve guard failed, read from the account's image at the moment DynamoDB evaluated the condition
 * (ALL_OLD). Pure: the same image always gives the same answer.
 */
import { type Account, figuresAt, isDrawable, VELOCITY_LOG_SLOTS } from '../accounts/model.js';
import { type QuotaShape, quotaDraw } from '../accounts/repository.js';
import type { DeclineCode } from '../contract/errors.js';

export type ReserveFailure =
  | { kind: 'account_not_found' }
  | { kind: 'currency_mismatch' }
  | { kind: 'decline'; code: DeclineCode }
  /**
   * The quota moved (or was guessed wrong), or the account has no velocity log yet (`startLog`), or a racing
   * write changed what the guard read: try again with these.
   */
  | { kind: 'retry'; startLog: boolean; quota: QuotaShape };

export interface ReserveAttempt {
  amountMinor: number;
  currency: string;
  /** The velocity rule, or undefined when it is off. */
  velocity: { max: number; windowMs: number; nowMs: number } | undefined;
  /** A category hold: its category (its quota is drawn first). */
  category?: string | undefined;
  nowIso: string;
}

/** The quota shape this image calls for: what a hold of `amountMinor` in `category` can draw right now. */
export function quotaShapeFor(
  image: Account,
  category: string | undefined,
  amountMinor: number,
  nowIso: string,
): QuotaShape {
  const quota = category === undefined ? undefined : image.quotas[category];
  if (!isDrawable(quota, nowIso)) return { kind: 'none' };
  return quota.unused >= amountMinor
    ? { kind: 'full', promotionId: quota.promotionId }
    : { kind: 'split', promotionId: quota.promotionId, unused: quota.unused };
}

/** Whether the velocity log already holds `max` approvals inside the window ending at `nowMs`. */
export function velocityFull(log: readonly number[], v: NonNullable<ReserveAttempt['velocity']>): boolean {
  const nthMostRecent = log[VELOCITY_LOG_SLOTS - v.max] ?? 0;
  return nthMostRecent > v.nowMs - v.windowMs;
}

export function explainReserveFailure(image: Account | undefined, attempt: ReserveAttempt): ReserveFailure {
  if (!image) return { kind: 'account_not_found' };
  if (image.currency !== attempt.currency) return { kind: 'currency_mismatch' };
  if (image.status === 'closed') return { kind: 'decline', code: 'account_closed' };
  if (image.status === 'frozen') return { kind: 'decline', code: 'account_frozen' };
  const quota = quotaShapeFor(image, attempt.category, attempt.amountMinor, attempt.nowIso);
  // What the general credit must cover: the amount less what the quota gives (and never a negative available),
  // with the credit of the promotion window in force at the guard's instant.
  const rest = attempt.amountMinor - quotaDraw(quota, attempt.amountMinor);
  if (figuresAt(image, attempt.nowIso).available < rest)
    return { kind: 'decline', code: 'insufficient_credit' };
  const log = image.velocityLog;
  if (attempt.velocity !== undefined && log !== undefined && velocityFull(log, attempt.velocity))
    return { kind: 'decline', code: 'velocity_exceeded' };
  return { kind: 'retry', startLog: attempt.velocity !== undefined && log === undefined, quota };
}
