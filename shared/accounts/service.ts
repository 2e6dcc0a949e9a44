/**
 * Account write paths: opening, repayments and freezes. Each is one transaction that journals what it did,
 * so a journal replay from nothing reproduces every figure of the account.
 */
import { randomUUID } from 'node:crypto';
import { failure, fresh, type ServiceResult, type StoredResponse } from '../contract/results.js';
import { requestDigest } from '../ids.js';
import { operationRecordPut, readSnapshot, recordFields, requestKey } from '../idempotency/records.js';
import { fromExisting, storeConflict } from '../idempotency/results.js';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import type { CreditProfile } from '../profiles/model.js';
import { profilePut } from '../profiles/repository.js';
import { tableName } from '../storage/dynamo-client.js';
import { RETRY, retryAfter, withRetries } from '../storage/retry.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  transactWrite,
} from '../storage/transactions.js';
import { type Account, applyToAccount, newAccount, toAccountResource } from './model.js';
import {
  accountFromItem,
  accountKey,
  getAccount,
  movementUpdate,
  newAccountItem,
  statusUpdate,
} from './repository.js';

export type OpenAccountResult = { ok: true; account: Account } | { ok: false; code: 'account_exists' };

/**
 * Opens an account, with its credit profile if one is given, in one transaction: the account (only if the id is
 * new), the opening `limit_change` entry and the profile item. An existing id writes nothing.
 */
export async function openAccount(input: {
  id: string;
  currency: string;
  creditLimit: number;
  riskTier?: string;
  profile?: CreditProfile | undefined;
}): Promise<OpenAccountResult> {
  const { profile, ...fields } = input;
  return withRetries('open account', async () => {
    const nowIso = new Date().toISOString();
    const account = newAccount({ ...fields, riskTier: fields.riskTier ?? 'unrated', now: nowIso });
    const outcome = await transactWrite(
      [
        {
          Put: {
            TableName: tableName,
            Item: newAccountItem(account),
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
        ...(profile ? [profilePut({ accountId: account.id, profile, updatedAt: nowIso })] : []),
      ],
      randomUUID(),
    );
    if (outcome.committed) return { ok: true, account } as const;
    if (conditionFailed(outcome.reasons, 0)) return { ok: false, code: 'account_exists' } as const;
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('open account', outcome.reasons));
    throw new TransactionCancelledError('open account', outcome.reasons);
  });
}

/**
 * A repayment lowers `outstanding`. It reads the account (with its key's record, one BatchGet) so the answer
 * carries the account exactly as this repayment left it; the write is guarded by the figures read.
 */
export async function repay(
  ctx: { clientId: string; idempotencyKey: string; fingerprint: string },
  accountId: string,
  input: { amount: number; currency: string },
): Promise<ServiceResult> {
  const digest = requestDigest(ctx.clientId, ctx.idempotencyKey);
  return withRetries('repayment', async () => {
    const items = await readSnapshot([requestKey(digest), accountKey(accountId)]);
    if (items === null) return RETRY;
    const [existing, accountItem] = items;
    if (existing) return fromExisting(existing, ctx.fingerprint);
    if (!accountItem) return failure('account_not_found');
    const account = accountFromItem(accountItem);
    if (account.currency !== input.currency) return failure('currency_mismatch');
    const nowMs = Date.now();
    if (input.amount > account.outstanding)
      return storeConflict(digest, 'repayment', ctx, 'amount_exceeds_remaining', nowMs);

    const nowIso = new Date(nowMs).toISOString();
    const delta = { reserved: 0, outstanding: -input.amount, totalLimit: 0 };
    const next = applyToAccount(account, delta, nowIso);
    const response: StoredResponse = {
      status: 201,
      body: JSON.stringify({
        id: `rpy_${digest}`,
        object: 'repayment',
        amount: input.amount,
        currency: input.currency,
        createdAt: nowIso,
        account: toAccountResource(next),
      }),
    };
    const outcome = await transactWrite(
      [
        operationRecordPut(digest, recordFields('repayment', ctx.clientId, ctx.fingerprint, response), nowMs),
        movementUpdate(accountId, delta, nowIso, { requireFigures: account }),
        journalPut(newJournalEntry({ accountId, type: 'repayment', amount: input.amount, delta, nowIso })),
      ],
      randomUUID(),
    );
    if (outcome.committed) return fresh(response);
    if (conditionFailed(outcome.reasons, 0)) return RETRY; // a concurrent copy won: the next read replays it
    if (conditionFailed(outcome.reasons, 1)) return RETRY; // the figures moved on: read them again
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('repayment', outcome.reasons));
    throw new TransactionCancelledError('repayment', outcome.reasons);
  });
}

export type StatusResult =
  | { ok: true; account: Account }
  | { ok: false; code: 'account_not_found' | 'invalid_state' };

/** Freeze or unfreeze (risk): journaled with a zero delta so the history shows who stopped credit and why. */
export async function setAccountStatus(
  accountId: string,
  status: 'active' | 'frozen',
  reason: string,
): Promise<StatusResult> {
  const written = await withRetries(`set status ${status}`, async () => {
    const nowIso = new Date().toISOString();
    const outcome = await transactWrite(
      [
        statusUpdate(accountId, status, reason, nowIso),
        journalPut(
          newJournalEntry({
            accountId,
            type: status === 'frozen' ? 'freeze' : 'unfreeze',
            amount: 0,
            delta: { reserved: 0, outstanding: 0, totalLimit: 0 },
            reasons: [{ code: status === 'frozen' ? 'account_frozen' : 'account_unfrozen', message: reason }],
            nowIso,
          }),
        ),
      ],
      randomUUID(),
    );
    if (outcome.committed) return { ok: true } as const;
    // Only the account's own condition answers for the account: no image means no account, an image a closed one.
    if (conditionFailed(outcome.reasons, 0))
      return { ok: false, code: outcome.reasons[0]?.item ? 'invalid_state' : 'account_not_found' } as const;
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError(`set status ${status}`, outcome.reasons));
    throw new TransactionCancelledError(`set status ${status}`, outcome.reasons);
  });
  if (!written.ok) return written;
  const account = await getAccount(accountId);
  return account ? { ok: true, account } : { ok: false, code: 'account_not_found' };
}
