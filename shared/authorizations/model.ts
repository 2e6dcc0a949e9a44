/**
 * The authorization (hold) aggregate and its state machine, as pure functions over plain data.
 * The held remainder is amount - capturedAmount - releasedAmount; only live holds have one.
 */
import type { BalanceDelta } from '../accounts/model.js';
import { assert, present } from '../assert.js';
import type { AccountAttributeChanges, QuotaReturn } from '../accounts/repository.js';
import type { DeclineCode, ErrorCode } from '../contract/errors.js';
import type { JournalEntryType } from '../journal/model.js';
import type { TransactItem } from '../storage/transactions.js';
import type { HoldBudget } from '../budgets/draw.js';

export type AuthorizationStatus =
  | 'authorized'
  | 'pending_review'
  | 'partially_captured'
  | 'captured'
  | 'released'
  | 'expired'
  | 'declined';

export interface Authorization {
  id: string;
  accountId: string;
  clientId: string;
  orderId: string;
  currency: string;
  amount: number;
  capturedAmount: number;
  releasedAmount: number;
  refundedAmount: number;
  status: AuthorizationStatus;
  declineCode?: DeclineCode;
  category?: string;
  metadata?: Record<string, string>;
  /** What this hold drew from its category's quota (absent: nothing). */
  quota?: HoldQuota;
  /** The installment plan its capture made (at most one per hold). */
  installmentPlanId?: string;
  /** What this hold drew from each platform credit budget covering it (absent: none covered it). */
  budgets?: HoldBudget[];
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency version: every change is guarded by the version it was computed from. */
  version: number;
}

/**
 * The quota part of a hold. The held remainder is ordered: its quota part first, then general credit. A capture
 * takes from the front (quota first, which leaves the customer's general credit free), a release from the back
 * (general credit first, which keeps the quota on the order for later captures); a final settlement takes all.
 */
export interface HoldQuota {
  /** The grant drawn from (a grant is identified by its promotion on that account). */
  promotionId: string;
  drawn: number;
  captured: number;
  /** Given back, or let go when the grant had ended by the time the hold let it go. */
  returned: number;
}

/**
 * The rules a new hold is decided by. The service passes the risk settings in force (shared/settings/) and the
 * environment's hold TTL; a test passes any.
 */
export interface HoldRules extends ReviewRules {
  /** How long a hold lives before the sweeper expires it and gives its credit back. */
  holdTtlSeconds: number;
}

/** When a hold waits for manual review (the risk settings' thresholds). */
export interface ReviewRules {
  /** A hold of at least this amount (minor units) waits for manual review instead of being authorized. */
  reviewThresholdMinor: number;
  /** Per hold category, instead of reviewThresholdMinor (absent: none). */
  categoryReviewThresholds?: Readonly<Record<string, number>> | undefined;
}

/** The review threshold of a hold in `category`: its category's override, else the general one. */
export function reviewThresholdFor(rules: ReviewRules, category: string | undefined): number {
  const override = category === undefined ? undefined : rules.categoryReviewThresholds?.[category];
  return override ?? rules.reviewThresholdMinor;
}

/** What a checkout asks to hold. */
export interface HoldRequest {
  accountId: string;
  amount: number;
  currency: string;
  orderId: string;
  category?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/**
 * A new hold as decided at `nowMs`: authorized, or waiting for review at or above the review threshold; living
 * `holdTtlSeconds`; with the quota its reserve draws, if any. Pure: the same inputs give the same hold.
 */
export function newHold(
  fields: { id: string; clientId: string; request: HoldRequest; quota: HoldQuota | undefined; nowMs: number },
  rules: HoldRules,
): Authorization {
  const { request, nowMs } = fields;
  const nowIso = new Date(nowMs).toISOString();
  return {
    id: fields.id,
    accountId: request.accountId,
    clientId: fields.clientId,
    orderId: request.orderId,
    currency: request.currency,
    amount: request.amount,
    capturedAmount: 0,
    releasedAmount: 0,
    refundedAmount: 0,
    status: request.amount >= reviewThresholdFor(rules, request.category) ? 'pending_review' : 'authorized',
    ...(request.category ? { category: request.category } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(fields.quota ? { quota: fields.quota } : {}),
    expiresAt: new Date(nowMs + rules.holdTtlSeconds * 1000).toISOString(),
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
  };
}

/**
 * The same hold declined by the reserve guard: nothing held and no quota drawn, over at once. Stored so a replay
 * of the request answers the same 402.
 */
export function declinedHold(a: Authorization, code: DeclineCode): Authorization {
  const { quota: _none, budgets: _undrawn, ...undrawn } = a;
  return { ...undrawn, status: 'declined', declineCode: code, expiresAt: a.createdAt };
}

/** The part of the held remainder drawn from budget draw `b` (all of it, for a hold drawn in full). */
export function heldBudget(a: Authorization, b: HoldBudget | undefined = a.budgets?.[0]): number {
  return b && isLive(a) ? b.drawn - b.captured - b.returned : 0;
}

/** The part of the held remainder that came from the quota. */
export function heldQuota(a: Authorization): number {
  return a.quota && isLive(a) ? a.quota.drawn - a.quota.captured - a.quota.returned : 0;
}

export interface AuthorizationResource {
  id: string;
  object: 'authorization';
  accountId: string;
  orderId: string;
  currency: string;
  amount: number;
  capturedAmount: number;
  releasedAmount: number;
  refundedAmount: number;
  status: AuthorizationStatus;
  declineCode?: DeclineCode;
  category?: string;
  metadata?: Record<string, string>;
  installmentPlanId?: string;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

export function toAuthorizationResource(a: Authorization): AuthorizationResource {
  return {
    id: a.id,
    object: 'authorization',
    accountId: a.accountId,
    orderId: a.orderId,
    currency: a.currency,
    amount: a.amount,
    capturedAmount: a.capturedAmount,
    releasedAmount: a.releasedAmount,
    refundedAmount: a.refundedAmount,
    status: a.status,
    ...(a.declineCode ? { declineCode: a.declineCode } : {}),
    ...(a.category ? { category: a.category } : {}),
    ...(a.metadata ? { metadata: a.metadata } : {}),
    ...(a.installmentPlanId ? { installmentPlanId: a.installmentPlanId } : {}),
    expiresAt: a.expiresAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

const LIVE: ReadonlySet<AuthorizationStatus> = new Set([
  'authorized',
  'partially_captured',
  'pending_review',
]);

export function isLive(a: Authorization): boolean {
  return LIVE.has(a.status);
}

export function heldAmount(a: Authorization): number {
  return isLive(a) ? a.amount - a.capturedAmount - a.releasedAmount : 0;
}

export function isExpired(a: Authorization, nowMs: number): boolean {
  return Date.parse(a.expiresAt) <= nowMs;
}

/** One journaled movement a transition makes (the account moves by the sum of them). */
export interface Movement {
  type: JournalEntryType;
  amount: number;
  delta: BalanceDelta;
}

/** A release's delta: held credit goes back to available, except its quota part, which leaves totalLimit too. */
const releaseDelta = (amount: number, quotaBack: number): BalanceDelta => ({
  reserved: -amount,
  outstanding: 0,
  totalLimit: 0 - quotaBack,
});

/**
 * What the account write must check besides existing: the full reserve guard (status, available, velocity)
 * for money going out, or a floor on `outstanding` for money coming back.
 */
export type AccountGuard = 'reserve' | { outstandingAtLeast: number };

/** The result of a decided state change: the next authorization, and the movements it makes. */
export interface Transition {
  next: Authorization;
  movements: Movement[];
  accountGuard?: AccountGuard;
  /** Drawn quota going back to its grant (its movements' deltas already take it out of totalLimit). */
  quotaReturn?: QuotaReturn;
  /** Drawn budget going back to the slices the hold drew it from (one per budget, each exactly once). */
  budgetReturns?: BudgetReturn[];
  /** An increment's draws from the hold's budget slices (its `next.budgets` already count them). */
  budgetDraws?: BudgetReturn[];
}

export interface BudgetReturn {
  budgetId: string;
  slice: number;
  amount: number;
}

export function totalDelta(movements: readonly Movement[]): BalanceDelta {
  return movements.reduce(
    (sum, m) => ({
      reserved: sum.reserved + m.delta.reserved,
      outstanding: sum.outstanding + m.delta.outstanding,
      totalLimit: sum.totalLimit + m.delta.totalLimit,
    }),
    { reserved: 0, outstanding: 0, totalLimit: 0 },
  );
}

export const captureMovement = (amount: number): Movement => ({
  type: 'capture',
  amount,
  delta: { reserved: -amount, outstanding: amount, totalLimit: 0 },
});
export const releaseMovement = (
  amount: number,
  type: JournalEntryType = 'release',
  quotaBack = 0,
): Movement => ({
  type,
  amount,
  delta: releaseDelta(amount, quotaBack),
});
const nonZero = (movements: Movement[]): Movement[] => movements.filter((m) => m.amount > 0);

export type Decision = { ok: true; transition: Transition } | { ok: false; code: ErrorCode };

/** Status once nothing is held any more, or while something still is. */
function settledStatus(
  capturedAmount: number,
  stillHeld: number,
  current: AuthorizationStatus,
): AuthorizationStatus {
  if (stillHeld > 0) return capturedAmount > 0 ? 'partially_captured' : current;
  return capturedAmount > 0 ? 'captured' : 'released';
}

/**
 * What every hold must satisfy, checked in pairs: when a transition is decided and before a hold is written
 * (repository.newAuthorizationPut / authorizationUpdate), and again when one is read (authorizationFromItem).
 * One condition per assertion.
 */
export function assertAuthorizationInvariants(a: Authorization): void {
  const id = a.id;
  for (const figure of AUTHORIZATION_FIGURES)
    assert(Number.isSafeInteger(a[figure]), `authorization ${id} ${figure} is not an integer`);
  assert(a.capturedAmount >= 0, `authorization ${id} capturedAmount is negative`);
  assert(a.releasedAmount >= 0, `authorization ${id} releasedAmount is negative`);
  assert(a.refundedAmount >= 0, `authorization ${id} refundedAmount is negative`);
  assert(a.capturedAmount + a.releasedAmount <= a.amount, `authorization ${id} over-settled`);
  assert(a.refundedAmount <= a.capturedAmount, `authorization ${id} refunded more than it captured`);
  assert(a.version >= 1, `authorization ${id} version is below 1`);
  for (const b of a.budgets ?? []) {
    assert(b.captured + b.returned <= b.drawn, `authorization ${id} budget ${b.budgetId} over-settled`);
    assert(b.drawn <= a.amount, `authorization ${id} drew more budget than it holds`);
    assert(heldBudget(a, b) <= heldAmount(a), `authorization ${id} holds more budget than it holds`);
  }
  const ids = (a.budgets ?? []).map((b) => b.budgetId);
  assert(new Set(ids).size === ids.length, `authorization ${id} drew twice from one budget`);
  if (!a.quota) return;
  assert(a.quota.captured + a.quota.returned <= a.quota.drawn, `authorization ${id} quota over-settled`);
  assert(a.quota.captured <= a.capturedAmount, `authorization ${id} captured more quota than it captured`);
  assert(heldQuota(a) <= heldAmount(a), `authorization ${id} holds more quota than it holds`);
}

/** The money figures and counters of a hold, all integers. */
const AUTHORIZATION_FIGURES = [
  'amount',
  'capturedAmount',
  'releasedAmount',
  'refundedAmount',
  'version',
] as const satisfies ReadonlyArray<keyof Authorization>;

function assertTransition(t: Transition): Transition {
  assertAuthorizationInvariants(t.next);
  return t;
}

function bump(a: Authorization, changes: Partial<Authorization>, nowIso: string): Authorization {
  return { ...a, ...changes, updatedAt: nowIso, version: a.version + 1 };
}

/**
 * How a settlement of a live hold splits between quota and general credit: `capture` from the front (quota
 * first), then `release` from the back (general first). Returns the hold's next quota and what goes back.
 */
function settleQuota(
  a: Authorization,
  capture: number,
  release: number,
): { quota?: HoldQuota; quotaReturn?: QuotaReturn } {
  if (!a.quota) return {};
  const held = heldAmount(a);
  const quotaHeld = heldQuota(a);
  const quotaCaptured = Math.min(capture, quotaHeld);
  const generalLeft = held - capture - (quotaHeld - quotaCaptured);
  const quotaBack = Math.max(0, release - Math.max(0, generalLeft));
  const quota = {
    ...a.quota,
    captured: a.quota.captured + quotaCaptured,
    returned: a.quota.returned + quotaBack,
  };
  return {
    quota,
    ...(quotaBack > 0 && a.category
      ? { quotaReturn: { category: a.category, promotionId: a.quota.promotionId, amount: quotaBack } }
      : {}),
  };
}

/**
 * How a settlement falls on one of the hold's budget draws: a capture keeps it drawn (from the front), a release
 * gives back from the back, as the quota part does: what the release takes beyond the general part goes back.
 * Each draw settles on its own figures (an increment made after a budget ended drew nothing from it).
 */
function settleBudget(
  a: Authorization,
  b: HoldBudget,
  capture: number,
  release: number,
): { budget: HoldBudget; back: number } {
  const held = heldAmount(a);
  const budgetHeld = heldBudget(a, b);
  const budgetCaptured = Math.min(capture, budgetHeld);
  const otherLeft = held - capture - (budgetHeld - budgetCaptured);
  const back = Math.min(budgetHeld - budgetCaptured, Math.max(0, release - Math.max(0, otherLeft)));
  return { budget: { ...b, captured: b.captured + budgetCaptured, returned: b.returned + back }, back };
}

/** A settlement's budget part, merged into the next hold and the transition: one give-back per budget drawn. */
function withBudget(a: Authorization, capture: number, release: number) {
  if (!a.budgets?.length) return { next: {}, transition: {} };
  const settled = a.budgets.map((b) => settleBudget(a, b, capture, release));
  const budgetReturns = settled
    .filter((s) => s.back > 0)
    .map(({ budget, back }) => ({ budgetId: budget.budgetId, slice: budget.slice, amount: back }));
  return {
    next: { budgets: settled.map((s) => s.budget) },
    transition: budgetReturns.length ? { budgetReturns } : {},
  };
}

/**
 * The same transition when the grant the hold drew from has ended: the refresh that ended it already took all
 * drawn quota (this hold's included) out of promoLimit and totalLimit, so the quota part comes back as ordinary
 * available credit and totalLimit does not move again.
 */
export function withoutQuotaReturn(t: Transition): Transition {
  if (!t.quotaReturn) return t;
  const { quotaReturn: _gone, ...rest } = t;
  return {
    ...rest,
    movements: t.movements.map((m) =>
      m.delta.totalLimit < 0 && m.delta.reserved < 0 ? { ...m, delta: releaseDelta(m.amount, 0) } : m,
    ),
  };
}

/**
 * Capture `amount` (default: all that is held). A final capture releases whatever remains; a non-final one
 * leaves it held for later captures.
 */
export function decideCapture(
  a: Authorization,
  request: { amount?: number | undefined; final?: boolean | undefined },
  nowMs: number,
): Decision {
  if (a.status === 'pending_review' || !isLive(a)) return { ok: false, code: 'invalid_state' };
  if (isExpired(a, nowMs)) return { ok: false, code: 'authorization_expired' };
  const held = heldAmount(a);
  const capture = request.amount ?? held;
  if (capture > held) return { ok: false, code: 'amount_exceeds_remaining' };
  const final = request.final ?? true;
  const release = final ? held - capture : 0;
  const capturedAmount = a.capturedAmount + capture;
  const releasedAmount = a.releasedAmount + release;
  const stillHeld = held - capture - release;
  const nowIso = new Date(nowMs).toISOString();
  const { quota, quotaReturn } = settleQuota(a, capture, release);
  const spent = withBudget(a, capture, release);
  return {
    ok: true,
    transition: assertTransition({
      next: bump(
        a,
        {
          capturedAmount,
          releasedAmount,
          status: settledStatus(capturedAmount, stillHeld, a.status),
          ...(quota ? { quota } : {}),
          ...spent.next,
        },
        nowIso,
      ),
      movements: nonZero([
        captureMovement(capture),
        releaseMovement(release, 'release', quotaReturn?.amount),
      ]),
      ...(quotaReturn ? { quotaReturn } : {}),
      ...spent.transition,
    }),
  };
}

/** Release `amount` (default: all that is held) back to the account. Works on expired-but-unswept holds too. */
export function decideRelease(
  a: Authorization,
  request: { amount?: number | undefined },
  nowMs: number,
): Decision {
  if (!isLive(a) || a.status === 'pending_review') return { ok: false, code: 'invalid_state' };
  const held = heldAmount(a);
  const release = request.amount ?? held;
  if (release > held) return { ok: false, code: 'amount_exceeds_remaining' };
  const releasedAmount = a.releasedAmount + release;
  const stillHeld = held - release;
  const nowIso = new Date(nowMs).toISOString();
  const { quota, quotaReturn } = settleQuota(a, 0, release);
  const spent = withBudget(a, 0, release);
  return {
    ok: true,
    transition: assertTransition({
      next: bump(
        a,
        {
          releasedAmount,
          status: settledStatus(a.capturedAmount, stillHeld, a.status),
          ...(quota ? { quota } : {}),
          ...spent.next,
        },
        nowIso,
      ),
      movements: nonZero([releaseMovement(release, 'release', quotaReturn?.amount)]),
      ...(quotaReturn ? { quotaReturn } : {}),
      ...spent.transition,
    }),
  };
}

/**
 * Raise a live hold by `amount`. The account side goes through the same guard as a new reserve (status,
 * available, velocity), so the transition asks for it with `accountGuard: 'reserve'`. While new holds are
 * paused (the risk settings' switch), so are increments: both are new credit.
 */
export function decideIncrement(
  a: Authorization,
  request: { amount: number },
  nowMs: number,
  rules: ReviewRules & { newHoldsPaused?: boolean | undefined },
): Decision {
  if (a.status === 'pending_review' || !isLive(a)) return { ok: false, code: 'invalid_state' };
  if (isExpired(a, nowMs)) return { ok: false, code: 'authorization_expired' };
  if (rules.newHoldsPaused) return { ok: false, code: 'holds_paused' };
  // A hold that grows to the review threshold would skip review: such an order needs a new authorization.
  if (a.amount + request.amount >= reviewThresholdFor(rules, a.category))
    return { ok: false, code: 'risk_declined' };
  const nowIso = new Date(nowMs).toISOString();
  return {
    ok: true,
    transition: assertTransition({
      next: bump(
        a,
        {
          amount: a.amount + request.amount,
          ...(a.budgets?.length
            ? { budgets: a.budgets.map((b) => ({ ...b, drawn: b.drawn + request.amount })) }
            : {}),
        },
        nowIso,
      ),
      movements: [
        {
          type: 'increment',
          amount: request.amount,
          delta: { reserved: request.amount, outstanding: 0, totalLimit: 0 },
        },
      ],
      accountGuard: 'reserve',
      ...(a.budgets?.length
        ? {
            budgetDraws: a.budgets.map((b) => ({
              budgetId: b.budgetId,
              slice: b.slice,
              amount: request.amount,
            })),
          }
        : {}),
    }),
  };
}

/** The same increment when some of the hold's budgets are no longer in force: it draws nothing from those. */
export function withoutBudgetDraws(
  t: Transition,
  current: Authorization,
  off: ReadonlySet<string>,
): Transition {
  if (!t.budgetDraws || off.size === 0) return t;
  const { budgetDraws, ...rest } = t;
  const kept = budgetDraws.filter((d) => !off.has(d.budgetId));
  const budgets = t.next.budgets?.map((b) =>
    off.has(b.budgetId)
      ? present(
          current.budgets?.find((c) => c.budgetId === b.budgetId),
          'a drawn budget',
        )
      : b,
  );
  return {
    ...rest,
    ...(kept.length ? { budgetDraws: kept } : {}),
    next: { ...t.next, ...(budgets ? { budgets } : {}) },
  };
}

/** Refund part of what was captured: outstanding falls, capturedAmount stays, refundedAmount grows. */
export function decideRefund(a: Authorization, request: { amount: number }, nowMs: number): Decision {
  if (a.capturedAmount === 0) return { ok: false, code: 'invalid_state' };
  if (request.amount > a.capturedAmount - a.refundedAmount)
    return { ok: false, code: 'amount_exceeds_remaining' };
  const nowIso = new Date(nowMs).toISOString();
  return {
    ok: true,
    transition: {
      next: bump(a, { refundedAmount: a.refundedAmount + request.amount }, nowIso),
      movements: [
        {
          type: 'refund',
          amount: request.amount,
          delta: { reserved: 0, outstanding: -request.amount, totalLimit: 0 },
        },
      ],
      accountGuard: { outstandingAtLeast: request.amount },
    },
  };
}

/** The sweeper's decision: a live hold past expiresAt returns what it holds and becomes `expired`. */
export function decideExpire(a: Authorization, nowMs: number): Decision {
  if (!isLive(a)) return { ok: false, code: 'invalid_state' };
  if (!isExpired(a, nowMs)) return { ok: false, code: 'invalid_state' };
  const held = heldAmount(a);
  const nowIso = new Date(nowMs).toISOString();
  const { quota, quotaReturn } = settleQuota(a, 0, held);
  const spent = withBudget(a, 0, held);
  return {
    ok: true,
    transition: assertTransition({
      next: bump(
        a,
        {
          releasedAmount: a.releasedAmount + held,
          status: 'expired',
          ...(quota ? { quota } : {}),
          ...spent.next,
        },
        nowIso,
      ),
      movements: nonZero([releaseMovement(held, 'expire', quotaReturn?.amount)]),
      ...(quotaReturn ? { quotaReturn } : {}),
      ...spent.transition,
    }),
  };
}

/** A reviewer approves a pending hold: it becomes an ordinary authorized hold. No money moves. */
export function decideReviewApprove(a: Authorization, nowMs: number): Decision {
  if (a.status !== 'pending_review') return { ok: false, code: 'invalid_state' };
  if (isExpired(a, nowMs)) return { ok: false, code: 'authorization_expired' };
  return {
    ok: true,
    transition: { next: bump(a, { status: 'authorized' }, new Date(nowMs).toISOString()), movements: [] },
  };
}

/** A reviewer declines a pending hold: it becomes declined (`risk_declined`) and its credit goes back. */
export function decideReviewDecline(a: Authorization, nowMs: number): Decision {
  if (a.status !== 'pending_review') return { ok: false, code: 'invalid_state' };
  const held = heldAmount(a);
  const nowIso = new Date(nowMs).toISOString();
  const { quota, quotaReturn } = settleQuota(a, 0, held);
  const spent = withBudget(a, 0, held);
  return {
    ok: true,
    transition: assertTransition({
      next: bump(
        a,
        {
          status: 'declined',
          declineCode: 'risk_declined',
          releasedAmount: a.releasedAmount + held,
          ...(quota ? { quota } : {}),
          ...spent.next,
        },
        nowIso,
      ),
      movements: nonZero([releaseMovement(held, 'review_decline', quotaReturn?.amount)]),
      ...(quotaReturn ? { quotaReturn } : {}),
      ...spent.transition,
    }),
  };
}

/**
 * Items a settlement adds to its one transaction (a capture's installment plan and coupon redemption, a refund's
 * plan update), decided from the hold, the transition and items read in the hold's own snapshot. A condition of
 * an attached item failing means a race (the coupon was just redeemed, the plan moved on): decide again.
 */
export interface SettleAttachment {
  /** Keys read in the same snapshot as the hold (at most a few). */
  keys: Array<{ pk: string; sk: string }>;
  attach: (
    hold: Authorization,
    transition: Transition,
    read: ReadonlyArray<Record<string, unknown> | undefined>,
    nowMs: number,
    /** The hold's item as stored: what an attachment keeps on it (see HoldAttribute). */
    holdItem: Record<string, unknown>,
  ) =>
    | {
        ok: true;
        transition: Transition;
        items: TransactItem[];
        onHold?: HoldAttribute;
        /**
         * Attributes the account update changes too (a new plan's id, a coupon's state): no item of their own.
         * A failed guard answers its `refusals` entry (a coupon redeemed meanwhile: `coupon_unavailable`).
         */
        onAccount?: AccountAttributeChanges;
        refusals?: AttributeRefusals;
      }
    | { ok: false; code: ErrorCode };
}

/** What a settlement answers when one of its account attribute guards fails (AccountAttributeChanges). */
export interface AttributeRefusals {
  /** The set was full (`add.max`). */
  add?: ErrorCode;
  /** The attribute was not `swap.from`. */
  swap?: ErrorCode;
}

/**
 * A versioned document an attachment keeps on the hold's own item (an installment plan), written by the hold's
 * update in the same transaction item: one item fewer than a separate one. Guarded by the document's own
 * `version` (`expectedVersion`), or by its absence when undefined, besides the hold's version.
 */
export interface HoldAttribute {
  name: string;
  value: { version: number };
  expectedVersion: number | undefined;
}
