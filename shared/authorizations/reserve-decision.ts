/**
 * Why a reserve guard failed, read from the account's image at the moment DynamoDB evaluated the condition
 * (ALL_OLD). Pure: the same image always gives the same answer.
 */
import type { Account } from '../accounts/model.js';
import type { VelocityShape } from '../accounts/repository.js';
import type { DeclineCode } from '../http/errors.js';

export type ReserveFailure =
  | { kind: 'account_not_found' }
  | { kind: 'currency_mismatch' }
  | { kind: 'decline'; code: DeclineCode }
  /** The velocity update shape guessed wrong (or the window moved on): try again with this one. */
  | { kind: 'retry'; shape: VelocityShape; window: number };

export interface ReserveAttempt {
  amountMinor: number;
  currency: string;
  window: number;
  velocityMax: number;
}

export function explainReserveFailure(image: Account | undefined, attempt: ReserveAttempt): ReserveFailure {
  if (!image) return { kind: 'account_not_found' };
  if (image.currency !== attempt.currency) return { kind: 'currency_mismatch' };
  if (image.status === 'closed') return { kind: 'decline', code: 'account_closed' };
  if (image.status === 'frozen') return { kind: 'decline', code: 'account_frozen' };
  if (image.available < attempt.amountMinor) return { kind: 'decline', code: 'insufficient_credit' };
  // Another execution environment's clock may be a window ahead: join its window rather than reset it.
  const window = Math.max(attempt.window, image.velocityWindow);
  if (image.velocityWindow === window) {
    if (image.velocityCount >= attempt.velocityMax) return { kind: 'decline', code: 'velocity_exceeded' };
    return { kind: 'retry', shape: 'same_window', window };
  }
  return { kind: 'retry', shape: 'new_window', window };
}
