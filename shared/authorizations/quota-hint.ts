/**
 * Which quota shape to try first for a category hold. The guard in DynamoDB decides; this only saves a round
 * trip: a category hold most likely meets its quota the way the last one on this account did, or, for an account
 * not seen yet, the way the last one in its category did (a promotion grants every eligible account the same
 * grant, so one account's image predicts the next one's). Bounded so a flash sale over millions of accounts
 * cannot grow memory.
 */
import type { QuotaShape } from '../accounts/repository.js';

const MAX_ENTRIES = 10_000;
/** `promotionId` of the grant last drawn from, or null for "nothing drawable". */
const lastGrantByAccountCategory = new Map<string, string | null>();
const lastGrantByCategory = new Map<string, string | null>();

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

const accountCategory = (accountId: string, category: string): string => `${accountId}\u0000${category}`;

/** A first guess: draw it all from the grant last seen, or nothing. A wrong guess is corrected from the image. */
export function guessQuotaShape(accountId: string, category: string): QuotaShape {
  const key = accountCategory(accountId, category);
  const grant = lastGrantByAccountCategory.has(key)
    ? lastGrantByAccountCategory.get(key)
    : lastGrantByCategory.get(category);
  return grant ? { kind: 'full', promotionId: grant } : { kind: 'none' };
}

export function rememberQuota(accountId: string, category: string, shape: QuotaShape): void {
  // A split used the quota up: the next hold on this account meets none.
  const grant = shape.kind === 'full' ? shape.promotionId : null;
  touch(lastGrantByAccountCategory, accountCategory(accountId, category), grant);
  if (shape.kind !== 'split') touch(lastGrantByCategory, category, grant);
}
