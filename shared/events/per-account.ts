/**
 * Work over a batch of events per account: each account's items in the order given, one after another (their
 * order is the order of the changes), and up to ACCOUNTS_IN_PARALLEL accounts at once. Storing events
 * (repository.ts) and making notifications (shared/notifications/notifier.ts) both go this way.
 */
import pLimit from 'p-limit';

/** Accounts worked on at once; each account's own items go one after another. */
export const ACCOUNTS_IN_PARALLEL = 8;

export async function perAccountInOrder<T extends { accountId: string }, R>(
  items: readonly T[],
  run: (accountId: string, items: readonly T[]) => Promise<R>,
): Promise<R[]> {
  const byAccount = new Map<string, T[]>();
  for (const item of items) byAccount.set(item.accountId, [...(byAccount.get(item.accountId) ?? []), item]);
  const limit = pLimit(ACCOUNTS_IN_PARALLEL);
  return Promise.all([...byAccount].map(([accountId, list]) => limit(() => run(accountId, list))));
}
