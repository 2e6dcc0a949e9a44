/**
 * Applying the limit policy to one account: read account + profile (batched by the caller), assess in pure
 * code, and write a change as one guarded transaction (limits update + `limit_change` journal entry with the
 * policy's reason codes and version). Safe while reserves race it: the update adds the difference to
 * totalLimit and available atomically and is guarded only by the limits it was computed from.
 */
import { randomUUID } from 'node:crypto';
import {
  type Account,
  type CategoryQuota,
  drawnQuota,
  type PromotionWindow,
  type StagedPromotion,
} from '../accounts/model.js';
import { accountFromItem, accountKey, limitChangeUpdate } from '../accounts/repository.js';
import { getItems } from '../idempotency/records.js';
import { BATCH_GET_MAX_KEYS, TRANSACT_WRITE_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import { logger } from '../observability/logger.js';
import type { Reason } from '../journal/model.js';
import { assessLimit, type QuotaGrant } from '../policy/limit-policy.js';
import {
  planWindows,
  samePromotions,
  sameWindows,
  stagedPromotions,
  stagingReasons,
} from '../policy/promotion-windows.js';
import type { Promotion } from '../promotions/model.js';
import type { CreditProfile } from '../profiles/model.js';
import { profileFromItem, profileKey } from '../profiles/repository.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import { assert } from '../assert.js';

export interface Assessment {
  accountId: string;
  before: Pick<Account, 'creditLimit' | 'promoLimit' | 'totalLimit' | 'riskTier'>;
  after: { creditLimit: number; promoLimit: number; totalLimit: number; riskTier: string };
  reasons: Reason[];
  policyVersion: string;
  /** Category quotas to (re)write, each with the value it was computed from. */
  quotaWrites: QuotaWrite[];
  /** The promotion windows and promotions to stage (policy/promotion-windows.ts), relative to `after`. */
  staging: { windows: PromotionWindow[]; promotions: StagedPromotion[] };
  /** Limits, tier or quotas differ: something to write. */
  changed: boolean;
  /**
   * A refresh run's key for this account (see accountRunKey): written with the change, and an account already
   * holding it is skipped, so re-running a run writes nothing twice.
   */
  runKey?: string;
}

export interface QuotaWrite {
  category: string;
  before: CategoryQuota | null;
  after: CategoryQuota;
}

/**
 * From the grants the policy says the account should hold to the writes that get it there, and the drawn quota
 * that stays in promoLimit. A grant kept is the same grant, untouched: draws and give-backs keep
 * `unused + drawn` equal to its promotion's amount, so the refresh never recomputes them (only an earlier end,
 * set by `POST /v1/promotions/{id}/end`, is copied onto it). A grant that ends (or is replaced) is written as an ended marker
 * that remembers its promotion, and its drawn amount leaves promoLimit; holds that drew from it then settle as
 * plain credit (see authorizations/model.withoutQuotaReturn).
 */
export function planQuotas(
  quotas: Readonly<Record<string, CategoryQuota>>,
  grants: Readonly<Record<string, QuotaGrant>>,
  nowIso: string,
): { writes: QuotaWrite[]; keptDrawn: number } {
  const writes: QuotaWrite[] = [];
  let keptDrawn = 0;
  for (const category of [...new Set([...Object.keys(quotas), ...Object.keys(grants)])].sort()) {
    const before = quotas[category];
    const grant = grants[category];
    const live = before?.promotionId === undefined ? undefined : before;
    if (live && grant && grant.promotionId === live.promotionId) {
      keptDrawn += live.drawn;
      if (grant.endsAt !== live.endsAt)
        writes.push({ category, before: live, after: { ...live, endsAt: grant.endsAt } });
      continue;
    }
    if (!live && !grant) continue;
    // A grant replaced before its start never applied: its promotion may still be granted later.
    const started = live !== undefined && (live.startsAt === undefined || live.startsAt <= nowIso);
    const ended = [...(before?.ended ?? []), ...(started && live?.promotionId ? [live.promotionId] : [])];
    const after: CategoryQuota = grant
      ? {
          promotionId: grant.promotionId,
          unused: grant.amount,
          drawn: 0,
          ...(grant.startsAt === undefined ? {} : { startsAt: grant.startsAt }),
          endsAt: grant.endsAt,
          ended,
        }
      : { unused: 0, drawn: 0, endsAt: nowIso, ended };
    writes.push({ category, before: before ?? null, after });
  }
  return { writes, keptDrawn };
}

export interface LoadedAccount {
  account: Account;
  profile: CreditProfile | undefined;
  /** When the profile was last written: a new profile makes a new run key, so a same-day re-run sees it. */
  profileUpdatedAt: string | undefined;
  lastRefreshKey: string | undefined;
  lastIncreaseAt: string | undefined;
  /** The customer's last limit request: its cooldown says when the next one may be heard (shared/limits/requests.ts). */
  lastLimitRequestAt: string | undefined;
}

/** Accounts read per BatchGet, each with its profile. */
const LOAD_BATCH_ACCOUNTS = 50;
/** Keys read per account: the account and its profile. */
const KEYS_PER_ACCOUNT = 2;
assert(
  LOAD_BATCH_ACCOUNTS * KEYS_PER_ACCOUNT <= BATCH_GET_MAX_KEYS,
  'one load batch must fit one BatchGet (accounts x keys per account)',
);
/** BatchGets of one batch while DynamoDB defers some of its keys (it answers none deferred when not throttled). */
const MAX_LOAD_ATTEMPTS = 5;

/** Reads accounts with their profiles, LOAD_BATCH_ACCOUNTS accounts (their keys and profiles') per BatchGet. */
export async function loadAccounts(accountIds: readonly string[]): Promise<LoadedAccount[]> {
  const loaded: LoadedAccount[] = [];
  for (let i = 0; i < accountIds.length; i += LOAD_BATCH_ACCOUNTS) {
    const ids = accountIds.slice(i, i + LOAD_BATCH_ACCOUNTS);
    let items: Array<Record<string, unknown> | undefined> | null = null;
    for (let attempt = 0; items === null && attempt < MAX_LOAD_ATTEMPTS; attempt += 1) {
      items = await getItems(ids.flatMap((id) => [accountKey(id), profileKey(id)]));
    }
    if (items === null) throw new Error(`BatchGet kept deferring keys after ${MAX_LOAD_ATTEMPTS} attempts`);
    const got = items;
    ids.forEach((_id, j) => {
      const accountItem = got[2 * j];
      if (!accountItem) return;
      loaded.push({
        account: accountFromItem(accountItem),
        profile: profileFromItem(got[2 * j + 1]),
        profileUpdatedAt: got[2 * j + 1]?.['updatedAt'] as string | undefined,
        lastRefreshKey: accountItem['lastRefreshKey'] as string | undefined,
        lastIncreaseAt: accountItem['lastIncreaseAt'] as string | undefined,
        lastLimitRequestAt: accountItem['lastLimitRequestAt'] as string | undefined,
      });
    });
  }
  return loaded;
}

export function assess(
  loaded: LoadedAccount,
  promotions: readonly Promotion[],
  now: Date,
  requestedLimit?: number | 'max',
): Assessment {
  const { account, profile } = loaded;
  const result = assessLimit({
    profile,
    // The policy decides the uplift; drawn quota is promoLimit's other part and is planned below.
    account: { ...account, promoLimit: account.promoLimit - drawnQuota(account) },
    promotions: [...promotions],
    now,
    ...(requestedLimit === undefined ? {} : { requestedLimit }),
    ...(loaded.lastIncreaseAt === undefined ? {} : { lastIncreaseAt: loaded.lastIncreaseAt }),
  });
  const quotas = planQuotas(account.quotas, result.categoryQuotas, now.toISOString());
  const promoLimit = result.promoLimit + quotas.keptDrawn;
  const staging = stage(account, result, promotions, now);
  const after = {
    creditLimit: result.creditLimit,
    promoLimit,
    totalLimit: result.creditLimit + promoLimit,
    riskTier: result.riskTier,
  };
  return {
    accountId: account.id,
    before: {
      creditLimit: account.creditLimit,
      promoLimit: account.promoLimit,
      totalLimit: account.totalLimit,
      riskTier: account.riskTier,
    },
    after,
    reasons: [...result.reasons, ...stagingReasons(staging.promotions, now.toISOString(), account.currency)],
    policyVersion: result.policyVersion,
    quotaWrites: quotas.writes,
    staging,
    changed:
      after.totalLimit !== account.totalLimit ||
      after.creditLimit !== account.creditLimit ||
      after.riskTier !== account.riskTier ||
      quotas.writes.length > 0 ||
      !sameWindows(staging.windows, account.windows) ||
      !samePromotions(staging.promotions, account.promotions),
  };
}

/** What to stage on the account: the windows of its uplifts' later starts and ends, and its promotions. */
function stage(
  account: Account,
  result: { creditLimit: number; riskTier: string; categoryQuotas: Record<string, QuotaGrant> },
  promotions: readonly Promotion[],
  now: Date,
): Assessment['staging'] {
  const s = { promotions, tier: result.riskTier, creditLimit: result.creditLimit, now };
  return {
    windows: planWindows(s),
    promotions: stagedPromotions(s, result.categoryQuotas, account.promotions),
  };
}

/**
 * An account's key within a run: the run's key (day, policy version, promotions in force) and the profile's
 * version. Re-running a run skips accounts already written under it, but a profile written since (a new overdue
 * record, many new inquiries) makes a new key, so a same-day re-run applies it at once.
 */
export const accountRunKey = (runKey: string, loaded: Pick<LoadedAccount, 'profileUpdatedAt'>): string =>
  `${runKey}|${loaded.profileUpdatedAt ?? 'no-profile'}`;

export type WriteOutcome = 'written' | 'stale' | 'already_refreshed' | 'rate_limited' | 'account_not_found';

function assessmentItems(
  a: Assessment,
  options: { requestCooldownSinceIso?: string },
  nowIso: string,
): TransactItem[] {
  const deltaMinor = a.after.totalLimit - a.before.totalLimit;
  const items = [
    limitChangeUpdate({
      accountId: a.accountId,
      before: a.before,
      creditLimit: a.after.creditLimit,
      promoLimit: a.after.promoLimit,
      riskTier: a.after.riskTier,
      nowIso,
      ...options,
      ...(a.runKey === undefined ? {} : { refreshKey: a.runKey }),
      ...(a.quotaWrites.length ? { quotaWrites: a.quotaWrites } : {}),
      staging: a.staging,
    }),
    journalPut(
      newJournalEntry({
        accountId: a.accountId,
        type: 'limit_change',
        amount: Math.abs(deltaMinor),
        delta: { reserved: 0, outstanding: 0, totalLimit: deltaMinor },
        reasons: a.reasons,
        policyVersion: a.policyVersion,
        windows: a.staging.windows.map(({ startsAt, endsAt, promoDeltaMinor }) => ({
          startsAt,
          endsAt,
          promoDeltaMinor,
        })),
        nowIso,
      }),
    ),
  ];
  assert(
    items.length === ITEMS_PER_ACCOUNT_WRITE,
    'an account change writes ITEMS_PER_ACCOUNT_WRITE items (the batch bound rests on it)',
  );
  return items;
}

/**
 * Writes many accounts' changes in one transaction (each account's limits update + journal entry stays atomic;
 * the batch only saves round trips). Any cancellation (a checkout racing one of the accounts) falls back to one
 * transaction per account, which sorts out who was stale. TransactWriteItems takes at most 100 items.
 *
 * One outcome per account, whatever happens in the fallback: an account whose own transaction throws is
 * 'failed' (logged) and the others keep theirs, so none is counted twice or lost. Only the batch transaction
 * itself throwing throws (nothing of the batch is known to be written: the caller counts it failed).
 */
export const MAX_ACCOUNTS_PER_WRITE = 50;
/** What one account's change writes: its limits update and its `limit_change` journal entry. */
const ITEMS_PER_ACCOUNT_WRITE = 2;
assert(
  MAX_ACCOUNTS_PER_WRITE * ITEMS_PER_ACCOUNT_WRITE <= TRANSACT_WRITE_MAX_ITEMS,
  'a batch of account changes must fit one TransactWriteItems (accounts x items per account)',
);
export type BatchWriteOutcome = WriteOutcome | 'failed';
export async function writeAssessments(batch: readonly Assessment[]): Promise<BatchWriteOutcome[]> {
  assert(batch.length <= MAX_ACCOUNTS_PER_WRITE, `at most ${MAX_ACCOUNTS_PER_WRITE} accounts per write`);
  if (batch.length > 1) {
    const nowIso = new Date().toISOString();
    const outcome = await transactWrite(
      batch.flatMap((a) => assessmentItems(a, {}, nowIso)),
      randomUUID(),
    );
    if (outcome.committed) return batch.map(() => 'written');
  }
  const outcomes: BatchWriteOutcome[] = [];
  for (const a of batch) {
    outcomes.push(
      await writeAssessment(a).catch((error: unknown) => {
        logger.error('limit refresh failed for an account', { accountId: a.accountId, error });
        return 'failed' as const;
      }),
    );
  }
  return outcomes;
}

function quotasMoved(now: Account, writes: readonly QuotaWrite[]): boolean {
  return writes.some(({ category, before }) => {
    const q = now.quotas[category];
    return before === null
      ? q !== undefined
      : q === undefined || q.unused !== before.unused || q.drawn !== before.drawn;
  });
}

/** Writes an assessment (limits + journal) in one transaction; 'stale' means the limits moved: assess again. */
export async function writeAssessment(
  a: Assessment,
  options: { requestCooldownSinceIso?: string } = {},
): Promise<WriteOutcome> {
  const items = assessmentItems(a, options, new Date().toISOString());
  const outcome = await transactWrite(items, randomUUID());
  if (outcome.committed) return 'written';
  if (isTransient(outcome.reasons)) return 'stale';
  if (!conditionFailed(outcome.reasons, 0))
    throw new TransactionCancelledError('limit change', outcome.reasons);
  const image = outcome.reasons[0]?.item;
  if (!image) return 'account_not_found';
  if (a.runKey !== undefined && image['lastRefreshKey'] === a.runKey) return 'already_refreshed';
  if (image['creditLimit'] !== a.before.creditLimit || image['promoLimit'] !== a.before.promoLimit)
    return 'stale';
  // A checkout drew from or gave back to a quota being rewritten.
  if (a.quotaWrites.length > 0 && quotasMoved(accountFromItem(image), a.quotaWrites)) return 'stale';
  return 'rate_limited';
}
