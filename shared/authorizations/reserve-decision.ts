/**
 * Why a reserve guard failed, read from the account's image at the moment DynamoDB evaluated the condition
 * (ALL_OLD). Pure: the same image always gives the same answer.
 */
import { type Account, isDrawable } from '../accounts/model.js';
import { type QuotaShape, quotaDraw, type VelocityShape } from '../accounts/repository.js';
import type { DeclineCode } from '../contract/errors.js';

export type ReserveFailure =
  | { kind: 'account_not_found' }
  | { kind: 'currency_mismatch' }
  | { kind: 'decline'; code: DeclineCode }
  /** An update shape guessed wrong (or the window or quota moved on): try again with these. */
  | { kind: 'retry'; shape: VelocityShape; window: number; quota: QuotaShape };

export interface ReserveAttempt {
  amountMinor: number;
  currency: string;
  window: number;
  velocityMax: number;
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

export function explainReserveFailure(image: Account | undefined, attempt: ReserveAttempt): ReserveFailure {
  if (!image) return { kind: 'account_not_found' };
  if (image.currency !== attempt.currency) return { kind: 'currency_mismatch' };
  if (image.status === 'closed') return { kind: 'decline', code: 'account_closed' };
  if (image.status === 'frozen') return { kind: 'decline', code: 'account_frozen' };
  const quota = quotaShapeFor(image, attempt.category, attempt.amountMinor, attempt.nowIso);
  // What the general credit must cover: the amount less what the quota gives (and never a negative available).
  const rest = attempt.amountMinor - quotaDraw(quota, attempt.amountMinor);
  if (image.available < rest) return { kind: 'decline', code: 'insufficient_credit' };
  // Another execution environment's clock may be a window ahead: join its window rather than reset it.
  const window = Math.max(attempt.window, image.velocityWindow);
  if (image.velocityWindow === window) {
    if (image.velocityCount >= attempt.velocityMax) return { kind: 'decline', code: 'velocity_exceeded' };
    return { kind: 'retry', shape: 'same_window', window, quota };
  }
  return { kind: 'retry', shape: 'new_window', window, quota };
}
