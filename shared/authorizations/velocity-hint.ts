/**
 * Which velocity update shape to try first for an account. The guard in DynamoDB decides; this only saves a
 * round trip: an account this environment saw in the current window most likely needs "same_window".
 * Bounded so a flash sale over millions of accounts cannot grow memory.
 */
import type { VelocityShape } from '../accounts/repository.js';

const MAX_ENTRIES = 10_000;
const lastWindowByAccount = new Map<string, number>();

export function guessShape(accountId: string, window: number): VelocityShape {
  return lastWindowByAccount.get(accountId) === window ? 'same_window' : 'new_window';
}

export function remember(accountId: string, window: number): void {
  lastWindowByAccount.delete(accountId);
  lastWindowByAccount.set(accountId, window);
  if (lastWindowByAccount.size > MAX_ENTRIES) {
    const oldest = lastWindowByAccount.keys().next().value;
    if (oldest !== undefined) lastWindowByAccount.delete(oldest);
  }
}
