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
import { config, type Config } from '../config.js';
import { type Allocation, allocate, applyAllocation, type InstallmentPlan } from '../installments/plan.js';
import { isPlanItem, listPlanKeys, missesPlans, planFromItem, planPut } from '../installments/repository.js';
import { oneOffPrincipal } from '../installments/statement.js';
import type { TransactItem } from '../storage/transactions.js';
import {
  type Account,
  applyToAccount,
  type BalanceDelta,
  newAccount,
  OPENING_LIMIT_REASON,
  toAccountResource,
} from './model.js';
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
            reasons: [{ code: OPENING_LIMIT_REASON, message: 'Opening credit limit.' }],
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
 * A repayment: allocated over the account's plans and one-off purchases (shared/installments/plan.ts
 * `allocate`: overdue fee then principal, oldest first; the current statement; then future principal with no
 * future fees), journaled with its allocation, and answered with it. `outstanding` falls by the principal paid;
 * fees are owed on statements and never consumed credit. More than is owed is a 409.
 *
 * It lists the account's plans (the account's `planIds` and older pointers), then reads the key's record, the
 * account and every plan as one snapshot (again if the account lists a plan made meanwhile); the write is guarded
 * by the figures and plan versions read.
 */
export async function repay(
  ctx: { clientId: string; idempotencyKey: string; fingerprint: string },
  accountId: string,
  input: { amount: number; currency: string },
  rules: Pick<Config, 'graceDays'> = config,
): Promise<ServiceResult> {
  const digest = requestDigest(ctx.clientId, ctx.idempotencyKey);
  return withRetries('repayment', async () => {
    const planKeys = await listPlanKeys(accountId);
    const items = await readSnapshot([requestKey(digest), accountKey(accountId), ...planKeys]);
    if (items === null) return RETRY;
    const [existing, accountItem, ...planItems] = items;
    if (existing) return fromExisting(existing, ctx.fingerprint);
    if (!accountItem) return failure('account_not_found');
    if (missesPlans(accountItem, planKeys)) return RETRY; // a capture made a plan since they were listed
    const account = accountFromItem(accountItem);
    if (account.currency !== input.currency) return failure('currency_mismatch');
    const nowMs = Date.now();
    const plans = planItems.filter(isPlanItem).map((p) => planFromItem(p ?? {}));
    const decided = decideRepayment(account, plans, input.amount, nowMs, rules.graceDays);
    if (!decided) return storeConflict(digest, 'repayment', ctx, 'amount_exceeds_remaining', nowMs);
    const response = repaymentResponse(digest, input, decided);
    const outcome = await transactWrite(
      repaymentItems(ctx, digest, account, decided, response, nowMs),
      randomUUID(),
    );
    if (outcome.committed) return fresh(response);
    if (conditionFailed(outcome.reasons, 0)) return RETRY; // a concurrent copy won: the next read replays it
    if (conditionFailed(outcome.reasons, 1)) return RETRY; // the figures moved on: read them again
    if (outcome.reasons.slice(3).some((r) => r.code === 'ConditionalCheckFailed')) return RETRY; // a plan moved on
    if (isTransient(outcome.reasons))
      return retryAfter(new TransactionCancelledError('repayment', outcome.reasons));
    throw new TransactionCancelledError('repayment', outcome.reasons);
  });
}

interface DecidedRepayment {
  next: Account;
  delta: BalanceDelta;
  allocation: Allocation;
  /** Each plan the repayment paid on, after it, with the version it was computed from. */
  plans: Array<{ next: InstallmentPlan; expectedVersion: number }>;
  nowIso: string;
}

/** The allocation and what it does to the account and the plans; undefined when the amount is more than owed. */
function decideRepayment(
  account: Account,
  plans: InstallmentPlan[],
  amount: number,
  nowMs: number,
  graceDays: number,
): DecidedRepayment | undefined {
  const nowIso = new Date(nowMs).toISOString();
  const today = nowIso.slice(0, 10);
  const oneOff = oneOffPrincipal(account.outstanding, plans);
  const allocation = allocate({ plans, oneOffPrincipal: oneOff, amount, today, graceDays });
  // More than is owed; or principal beyond `outstanding` (a credit balance left by a refund: see oneOffPrincipal).
  if (allocation.unallocated > 0 || allocation.principal > account.outstanding) return undefined;
  const delta = { reserved: 0, outstanding: -allocation.principal, totalLimit: 0 };
  const paidOn = new Set(allocation.lines.map((l) => l.planId));
  return {
    next: applyToAccount(account, delta, nowIso),
    delta,
    allocation,
    plans: plans
      .filter((p) => paidOn.has(p.id))
      .map((p) => ({
        next: { ...applyAllocation(p, allocation.lines, today, graceDays, nowIso), version: p.version + 1 },
        expectedVersion: p.version,
      })),
    nowIso,
  };
}

function repaymentResponse(
  digest: string,
  input: { amount: number; currency: string },
  d: DecidedRepayment,
): StoredResponse {
  return {
    status: 201,
    body: JSON.stringify({
      id: `rpy_${digest}`,
      object: 'repayment',
      amount: input.amount,
      currency: input.currency,
      createdAt: d.nowIso,
      account: toAccountResource(d.next),
      allocation: d.allocation.lines,
    }),
  };
}

/** Record, guarded account movement, the journaled repayment with its allocation, each plan paid on. */
function repaymentItems(
  ctx: { clientId: string; fingerprint: string },
  digest: string,
  account: Account,
  d: DecidedRepayment,
  response: StoredResponse,
  nowMs: number,
): TransactItem[] {
  const { id: accountId } = account;
  const amount = d.allocation.principal + d.allocation.fee;
  return [
    operationRecordPut(digest, recordFields('repayment', ctx.clientId, ctx.fingerprint, response), nowMs),
    movementUpdate(accountId, d.delta, d.nowIso, { requireFigures: account }),
    journalPut(
      newJournalEntry({
        accountId,
        type: 'repayment',
        amount,
        delta: d.delta,
        nowIso: d.nowIso,
        allocation: d.allocation.lines,
      }),
    ),
    ...d.plans.map((p) => planPut(p.next, p.expectedVersion)),
  ];
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
