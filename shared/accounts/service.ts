/**
 * Account lifecycle writes. Opening an account journals its opening limit in the same transaction, so a
 * journal replay from nothing reproduces every figure of the account.
 */
import { randomUUID } from 'node:crypto';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import { transactWrite } from '../storage/transactions.js';
import { type Account, newAccount } from './model.js';
import { accountKey } from './repository.js';
import { tableName } from '../storage/dynamo-client.js';

export type OpenAccountResult = { ok: true; account: Account } | { ok: false; code: 'account_exists' };

export async function openAccount(input: { id: string; currency: string; creditLimit: number; riskTier?: string }): Promise<OpenAccountResult> {
  const nowIso = new Date().toISOString();
  const account = newAccount({ ...input, riskTier: input.riskTier ?? 'unrated', now: nowIso });
  const outcome = await transactWrite(
    [
      {
        Put: {
          TableName: tableName,
          Item: { ...accountKey(account.id), itemType: 'account', ...account },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      journalPut(
        newJournalEntry({
          accountId: account.id,
          type: 'limit_change',
          amount: account.totalLimit,
          delta: { reserved: 0, outstanding: 0, totalLimit: account.totalLimit },
          reasons: [{ code: 'account_opened', message: 'Opening credit limit.' }],
          nowIso,
        }),
      ),
    ],
    randomUUID(),
  );
  return outcome.committed ? { ok: true, account } : { ok: false, code: 'account_exists' };
}
