/** Storage of credit profiles: one item beside its account, written only while the account exists. */
import { randomUUID } from 'node:crypto';
import { accountKey } from '../accounts/repository.js';
import type { CreditProfile } from './model.js';
import { tableName } from '../storage/dynamo-client.js';
import { retryAfter, withRetries } from '../storage/retry.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';

export const profileKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' });

export interface StoredProfile {
  accountId: string;
  profile: CreditProfile;
  updatedAt: string;
}

/** The write that stores a profile (here, and with a new account in its opening transaction). */
export function profilePut(stored: StoredProfile): TransactItem {
  return {
    Put: { TableName: tableName, Item: { ...profileKey(stored.accountId), itemType: 'profile', ...stored } },
  };
}

/**
 * Replaces the profile; undefined when the account does not exist. A cancellation says which: the account's
 * ConditionCheck failing means no account; a conflict (a reserve in flight on the account) or a throttle is
 * retried like every other write, then RetriesExhaustedError (503 `unavailable`).
 */
export async function putProfile(
  accountId: string,
  profile: CreditProfile,
): Promise<StoredProfile | undefined> {
  return withRetries('put profile', async () => {
    const stored: StoredProfile = { accountId, profile, updatedAt: new Date().toISOString() };
    const outcome = await transactWrite(
      [
        {
          ConditionCheck: {
            TableName: tableName,
            Key: accountKey(accountId),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        profilePut(stored),
      ],
      randomUUID(),
    );
    if (outcome.committed) return stored;
    if (conditionFailed(outcome.reasons, 0)) return undefined;
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('put profile', outcome.reasons));
    throw new TransactionCancelledError('put profile', outcome.reasons);
  });
}

export function profileFromItem(item: Record<string, unknown> | undefined): CreditProfile | undefined {
  return item?.['itemType'] === 'profile' ? (item['profile'] as CreditProfile) : undefined;
}
