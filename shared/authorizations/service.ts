/**
 * The authorization write paths. Each is one guarded TransactWriteItems over the request record /
 * authorization, the account and the journal; failures are explained from the cancellation reasons, not by
 * reading again. Results are data: a response to send (fresh or replayed) or a contract error code.
 *
 * Each path's parent function holds its branches (committed, replay, retry, refuse, decline); the leaves build
 * the hold, the items and the answers. The rules they decide by (review threshold, hold TTL, velocity) are a
 * parameter, the environment's configuration by default.
 */
import { randomUUID } from 'node:crypto';
import type { BalanceDelta } from '../accounts/model.js';
import { type AccountAttributeChanges, movementUpdate, quotaAttribute } from '../accounts/repository.js';
import { assert, present } from '../assert.js';
import { config } from '../config.js';
import { type DeclineCode, type ErrorCode, errorBody } from '../contract/errors.js';
import {
  failure,
  fresh,
  type RequestContext,
  type ServiceResult,
  type StoredResponse,
} from '../contract/results.js';
import { requestDigest } from '../ids.js';
import {
  operationRecordPut,
  readSnapshot,
  recordFields,
  requestKey,
  type RequestKind,
} from '../idempotency/records.js';
import { fromExisting, isStoredConflict, storeConflict, storeOnce } from '../idempotency/results.js';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import { countAuthorization, countQuotaDraw } from '../observability/emf.js';
import { type Attempt, RETRY, RetryAfter, retryAfter, withRetries } from '../storage/retry.js';
import {
  type CancellationReason,
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import {
  type AttributeRefusals,
  type Authorization,
  type BudgetReturn,
  type Decision,
  declinedHold,
  type HoldAttribute,
  type HoldRequest,
  type HoldRules,
  newHold,
  type SettleAttachment,
  type Transition,
  toAuthorizationResource,
  totalDelta,
  withoutBudgetDraws,
  withoutQuotaReturn,
} from './model.js';
import {
  authorizationFromItem,
  authorizationIdFor,
  authorizationKey,
  authorizationUpdate,
  isAuthorizationItem,
  newAuthorizationPut,
} from './repository.js';
import { ReserveShape, type VelocityRule } from './reserve-shape.js';
import {
  BudgetDraw,
  coverSlice,
  MAX_SLICE_TRIES,
  readingSettled,
  sliceDraw,
  sliceReturn,
} from '../budgets/draw.js';
import { budgetRegistry } from '../budgets/registry.js';

/**
 * The rules a new hold is decided by: the hold's own, the velocity rule its reserve is guarded by, and the risk
 * team's pause (shared/settings/: while set, every new hold is declined `holds_paused`).
 */
export type AuthorizeRules = HoldRules & VelocityRule & { newHoldsPaused?: boolean | undefined };

/** What POST /v1/authorizations asks for: the hold request. */
export type AuthorizeInput = HoldRequest;

/**
 * Reserve: Put authorization (new key only) + guarded account Update + journal Put, in one round trip.
 * A decline is stored as a declined authorization so a replay answers the same 402. While new holds are paused,
 * the hold is declined before any account is touched: still one round trip (the declined hold's put), and a key
 * used before the pause still replays its first answer.
 */
export async function authorize(
  ctx: RequestContext & { idempotencyKey: string },
  input: AuthorizeInput,
  rules: AuthorizeRules = config,
  /** The clock the hold is stamped and the velocity window is read by (tests move it to a window's edges). */
  clock: () => number = Date.now,
): Promise<ServiceResult> {
  const id = authorizationIdFor(requestDigest(ctx.clientId, ctx.idempotencyKey));
  const reserve = new ReserveShape(input.accountId, input.category, rules);
  // The budgets covering the hold, from this environment's registry (read once, then refreshed in the background).
  if (!budgetRegistry.ready) await budgetRegistry.load();
  const budgets = new BudgetChoice(id, input);

  return withRetries('authorize', async () => {
    const nowMs = clock();
    if (rules.newHoldsPaused) {
      const hold = newHold({ id, clientId: ctx.clientId, request: input, quota: undefined, nowMs }, rules);
      return storeDeclinedHold(ctx, declinedHold(hold, 'holds_paused'), 'holds_paused');
    }
    const quota = reserve.holdQuota(input.amount);
    const hold = newHold({ id, clientId: ctx.clientId, request: input, quota, nowMs }, rules);
    const draws = await budgets.at(hold.createdAt);
    const authorization = draws.length
      ? { ...hold, budgets: draws.map((d) => d.holdBudget(input.amount)) }
      : hold;
    const response = created(authorization);
    const items = reserveItems(ctx, authorization, reserve, response, nowMs);
    for (const draw of draws) items.push(draw.item(input.amount, authorization.createdAt));
    const outcome = await transactWrite(items, randomUUID()).catch((error: unknown) => {
      for (const draw of draws) draw.notCommitted();
      throw error;
    });
    if (outcome.committed) {
      reserve.committed();
      for (const draw of draws) draw.committed();
      countNewHold(authorization);
      return fresh(response);
    }
    const { reasons } = outcome;
    // Draws their slices did not refuse give their claims back to the view (refused ones read their images).
    for (const [i, draw] of draws.entries())
      if (!conditionFailed(reasons, BUDGET_ITEM + i)) draw.notCommitted();
    if (conditionFailed(reasons, 0)) return fromExisting(reasons[0]?.item, ctx.fingerprint);
    if (isTransient(reasons)) return retryAfter(new TransactionCancelledError('authorize', reasons));
    if (draws.length && !conditionFailed(reasons, 1) && budgetItemFailed(reasons, draws.length))
      return budgetRefused(ctx, budgets, authorization, reasons);
    if (!conditionFailed(reasons, 1)) throw new TransactionCancelledError('authorize', reasons);
    const why = reserve.explain(
      reasons[1]?.item,
      input.amount,
      input.currency,
      nowMs,
      authorization.createdAt,
    );
    switch (why.kind) {
      case 'account_not_found':
      case 'currency_mismatch':
        return failure(why.kind);
      case 'retry':
        return RETRY;
      case 'decline':
        return storeDeclinedHold(ctx, declinedHold(authorization, why.code), why.code);
    }
  });
}

/** Where the budgets' slice draws sit in the authorize transaction: after the hold, the account and the journal. */
const BUDGET_ITEM = 3;

const budgetItemFailed = (reasons: CancellationReason[], draws: number): boolean =>
  Array.from({ length: draws }, (_, i) => BUDGET_ITEM + i).some((at) => conditionFailed(reasons, at));

/**
 * The budgets an authorize draws from across its attempts: every one the registry says covers the hold at the
 * attempt's instant, except those whose slices said they are not in force after all (ended in another process).
 * A budget keeps its draw (and so its slice) from attempt to attempt.
 */
class BudgetChoice {
  draws: BudgetDraw[] = [];
  readonly notInForce = new Set<string>();
  constructor(
    private readonly id: string,
    private readonly input: AuthorizeInput,
  ) {}
  async at(nowIso: string): Promise<BudgetDraw[]> {
    const refs = budgetRegistry
      .covering(this.input.currency, this.input.category, nowIso)
      .filter((ref) => !this.notInForce.has(ref.id));
    for (const ref of refs) await readingSettled(ref.id);
    this.draws = refs.map(
      (ref) => this.draws.find((d) => d.ref.id === ref.id) ?? new BudgetDraw(ref, this.id),
    );
    return this.draws;
  }
}

/**
 * Only slices' guards failed: a budget not in force after all (draw nothing from it), another slice may cover
 * the hold (try it), or one budget as a whole cannot: a stored `budget_exhausted` decline. A rebalance that
 * failed transiently declines nothing: the attempt is made again as after any transient failure.
 */
async function budgetRefused(
  ctx: RequestContext,
  budgets: BudgetChoice,
  authorization: Authorization,
  reasons: CancellationReason[],
): Promise<Attempt<ServiceResult>> {
  let again: Attempt<ServiceResult> = RETRY;
  for (const [i, draw] of budgets.draws.entries()) {
    if (!conditionFailed(reasons, BUDGET_ITEM + i)) continue;
    const image = reasons[BUDGET_ITEM + i]?.item;
    const next = await draw.refused(image, authorization.amount, authorization.createdAt);
    if (next.kind === 'not_in_force') budgets.notInForce.add(draw.ref.id);
    if (next.kind === 'again') again = retryAfter(next.cause);
    if (next.kind === 'exhausted')
      return storeDeclinedHold(ctx, declinedHold(authorization, 'budget_exhausted'), 'budget_exhausted');
  }
  return again;
}

/** A new hold in the metrics: its outcome, and what it drew from a category quota. */
function countNewHold(authorization: Authorization): void {
  const { status, quota, currency } = authorization;
  assert(
    status === 'authorized' || status === 'pending_review',
    'a new hold is authorized or pending review',
  );
  countAuthorization(status);
  if (quota && quota.drawn > 0) countQuotaDraw(currency, quota.drawn);
}

/** The answer to a new hold: 201 with the authorization. */
function created(authorization: Authorization): StoredResponse {
  return { status: 201, body: JSON.stringify(toAuthorizationResource(authorization)) };
}

/** The authorize transaction: the hold at its key (new only), the guarded reserve, the `reserve` journal entry. */
function reserveItems(
  ctx: RequestContext,
  authorization: Authorization,
  reserve: ReserveShape,
  response: StoredResponse,
  nowMs: number,
): TransactItem[] {
  const { id, accountId, amount, currency, createdAt: nowIso } = authorization;
  return [
    newAuthorizationPut(authorization, recordFields('authorize', ctx.clientId, ctx.fingerprint, response)),
    reserve.guard(amount, currency, nowMs, nowIso),
    journalPut(
      newJournalEntry({
        accountId,
        type: 'reserve',
        amount,
        // Drawn quota joins totalLimit with the hold, so replaying the journal still gives the account.
        delta: { reserved: amount, outstanding: 0, totalLimit: authorization.quota?.drawn ?? 0 },
        authorizationId: id,
        nowIso,
      }),
    ),
  ];
}

/**
 * Stores a declined hold under its key (it moves no money), or replays what the key already holds. Counted in
 * the metrics once, by the request that stored it.
 */
async function storeDeclinedHold(
  ctx: RequestContext,
  declined: Authorization,
  code: DeclineCode,
): Promise<Attempt<ServiceResult>> {
  const response = declineOf(code, declined);
  const stored = await storeOnce(
    newAuthorizationPut(declined, recordFields('authorize', ctx.clientId, ctx.fingerprint, response)),
    response,
    ctx.fingerprint,
  );
  if (isFresh(stored)) countAuthorization('declined', code);
  return stored;
}

/** An answer this request produced, not a replay and not another attempt. */
const isFresh = (result: Attempt<ServiceResult>): boolean =>
  result !== RETRY && !(result instanceof RetryAfter) && result.kind === 'response' && !result.replayed;

function declineOf(code: DeclineCode, authorization: Authorization): StoredResponse {
  return {
    status: 402,
    body: JSON.stringify({ ...errorBody(code), authorization: toAuthorizationResource(authorization) }),
  };
}

export interface SettleOperation {
  kind: RequestKind | 'review' | 'expire';
  authorizationId: string;
  decide: (a: Authorization, nowMs: number) => Decision;
  attachment?: SettleAttachment;
  /** The answer for a committed transition (default: 200 with the authorization). */
  respond?: (next: Authorization, transition: Transition) => { status: number; body: unknown };
}

/** One settlement's fixed inputs and the state its attempts carry from one to the next. */
interface SettleRun {
  ctx: RequestContext;
  op: SettleOperation;
  /** The digest of the request's key; undefined for operations without one (reviews, the sweeper). */
  digest: string | undefined;
  rule: VelocityRule;
  /** The reserve guard's shapes, once a transition asks for the reserve guard (an increment). */
  reserve: ReserveShape | undefined;
  /** Set when the grant this hold drew from turned out to have ended: settle without giving quota back. */
  grantEnded: boolean;
  /** The hold's budgets that turned out not to be in force: an increment draws nothing from them. */
  budgetsOff?: Set<string>;
  /** Rebalances an increment's draw has asked for (bounded, like a new hold's slice tries). */
  budgetTries?: number;
}

/**
 * Everything that changes an existing hold (capture, release, increment, refund, review, expiry): read the hold
 * and the key's record in one consistent snapshot, decide in pure code, then one transaction guarded by the
 * hold's version (+ the account guard the transition asks for). A lost race re-reads and decides again.
 */
export async function settle(
  ctx: RequestContext,
  op: SettleOperation,
  rule: VelocityRule = config,
): Promise<ServiceResult> {
  const authKey = authorizationKey(op.authorizationId);
  if (!authKey) return failure('authorization_not_found');
  const digest =
    ctx.idempotencyKey === undefined ? undefined : requestDigest(ctx.clientId, ctx.idempotencyKey);
  const run: SettleRun = { ctx, op, digest, rule, reserve: undefined, grantEnded: false };

  return withRetries(op.kind, async () => {
    const read = await readHold(run, authKey);
    if ('answer' in read) return read.answer;
    const nowMs = Date.now();
    const decision = op.decide(read.hold, nowMs);
    if (!decision.ok) return refuse(run, decision.code, nowMs);
    const attached = op.attachment?.attach(
      read.hold,
      decision.transition,
      read.extra,
      nowMs,
      read.holdItem,
    ) ?? { ok: true as const, transition: decision.transition, items: [] };
    if (!attached.ok) return failure(attached.code);
    const plan = planSettlement(run, read.hold, attached.transition, nowMs, attached);
    const outcome = await transactWrite(plan.items, randomUUID());
    if (outcome.committed) {
      run.reserve?.committed();
      return fresh(plan.response);
    }
    return explainSettleFailure(run, plan, outcome.reasons, nowMs);
  });
}

type HoldRead =
  | {
      hold: Authorization;
      holdItem: Record<string, unknown>;
      extra: ReadonlyArray<Record<string, unknown> | undefined>;
    }
  | { answer: Attempt<ServiceResult> };

/** The hold and the key's record as one snapshot: the hold to decide on, or the answer without deciding. */
async function readHold(run: SettleRun, authKey: { pk: string; sk: string }): Promise<HoldRead> {
  const recordKey = run.digest === undefined ? undefined : requestKey(run.digest);
  const extraKeys = run.op.attachment?.keys ?? [];
  const items = await readSnapshot([...(recordKey ? [recordKey] : []), authKey, ...extraKeys]);
  if (items === null) return { answer: RETRY };
  const [existing, authItem] = recordKey ? items : [undefined, items[0]];
  const extra = items.slice(recordKey ? 2 : 1);
  if (existing) return { answer: fromExisting(existing, run.ctx.fingerprint) };
  if (!authItem || !isAuthorizationItem(authItem)) return { answer: failure('authorization_not_found') };
  const hold = authorizationFromItem(authItem);
  // Another client's hold is, to this client, no hold at all.
  if (hold.clientId !== run.ctx.clientId && !run.ctx.actsForAnyClient)
    return { answer: failure('authorization_not_found') };
  return { hold, holdItem: authItem, extra };
}

/** A refused decision: stored under the key when the contract keeps such answers (STORED_CONFLICTS). */
async function refuse(run: SettleRun, code: ErrorCode, nowMs: number): Promise<Attempt<ServiceResult>> {
  return run.digest !== undefined && isStoredConflict(code)
    ? storeConflict(run.digest, run.op.kind as RequestKind, run.ctx, code, nowMs)
    : failure(code);
}

/** A decided settlement: what it writes, what it answers, and where each part sits among the items. */
interface SettlePlan {
  current: Authorization;
  transition: Transition;
  delta: BalanceDelta;
  response: StoredResponse;
  accountUpdate: TransactItem | undefined;
  /** What the account's old image says a failed attribute guard answers (a coupon redeemed, too many plans). */
  attributeRefusal: (image: Record<string, unknown>) => ErrorCode | undefined;
  items: TransactItem[];
  /** Indexes into `items` (record -1: none; attached: where the attachment's items start). */
  at: { record: number; hold: number; account: number; budget: number; attached: number };
}

function planSettlement(
  run: SettleRun,
  current: Authorization,
  decided: Transition,
  nowMs: number,
  attached: {
    items: TransactItem[];
    onHold?: HoldAttribute;
    onAccount?: AccountAttributeChanges;
    refusals?: AttributeRefusals;
  } = { items: [] },
): SettlePlan {
  const { items: attachedItems, onHold, onAccount } = attached;
  const kept = run.grantEnded ? withoutQuotaReturn(decided) : decided;
  const transition = run.budgetsOff ? withoutBudgetDraws(kept, current, run.budgetsOff) : kept;
  const { next } = transition;
  const answer = run.op.respond?.(next, transition) ?? { status: 200, body: toAuthorizationResource(next) };
  const response: StoredResponse = { status: answer.status, body: JSON.stringify(answer.body) };
  const delta = totalDelta(transition.movements);
  const accountUpdate = accountUpdateFor(run, current, transition, delta, nowMs, onAccount);
  const record =
    run.digest === undefined ? [] : [operationRecordPut(run.digest, settleRecord(run, response), nowMs)];
  const own = [
    ...record,
    authorizationUpdate(next, current.version, onHold),
    ...(accountUpdate ? [accountUpdate] : []),
    ...journalPuts(transition),
  ];
  const budget = budgetItems(transition);
  return {
    current,
    transition,
    delta,
    response,
    accountUpdate,
    attributeRefusal: (image) => attributeRefusal(image, onAccount, attached.refusals),
    items: [...own, ...budget, ...attachedItems],
    at: {
      record: record.length ? 0 : -1,
      hold: record.length,
      account: record.length + 1,
      budget: budget.length ? own.length : -1,
      attached: attachedItems.length ? own.length + budget.length : -1,
    },
  };
}

/** Which attribute guard of `changes` the account's old image fails, as the attachment's answer for it. */
function attributeRefusal(
  image: Record<string, unknown>,
  changes: AccountAttributeChanges | undefined,
  refusals: AttributeRefusals | undefined,
): ErrorCode | undefined {
  const { add, swap } = changes ?? {};
  if (swap?.from !== undefined && image[swap.attribute] !== swap.from)
    return refusals?.swap ?? 'invalid_state';
  const held = image[add?.attribute ?? ''];
  if (add?.max !== undefined && held instanceof Set && held.size >= add.max)
    return refusals?.add ?? 'invalid_state';
  return undefined;
}

const settleRecord = (run: SettleRun, response: StoredResponse) =>
  recordFields(run.op.kind as RequestKind, run.ctx.clientId, run.ctx.fingerprint, response);

/** The account side: the full reserve guard (an increment), a plain movement, or nothing (no money moves). */
function accountUpdateFor(
  run: SettleRun,
  current: Authorization,
  transition: Transition,
  delta: BalanceDelta,
  nowMs: number,
  onAccount?: AccountAttributeChanges,
): TransactItem | undefined {
  const { next, accountGuard, quotaReturn } = transition;
  // Only captures and refunds change account attributes (a plan, a coupon), and both move money by movementUpdate.
  assert(
    onAccount === undefined || (accountGuard !== 'reserve' && transition.movements.length > 0),
    'account attribute changes ride on a movement update',
  );
  if (accountGuard === 'reserve') {
    run.reserve ??= new ReserveShape(current.accountId, undefined, run.rule);
    return run.reserve.guard(delta.reserved, current.currency, nowMs, next.updatedAt);
  }
  if (transition.movements.length === 0) return undefined;
  return movementUpdate(current.accountId, delta, next.updatedAt, {
    ...(accountGuard ? { requireOutstandingAtLeast: accountGuard.outstandingAtLeast } : {}),
    ...(quotaReturn ? { quotaReturn } : {}),
    ...(onAccount ? { changes: onAccount } : {}),
  });
}

/** Why a settlement's transaction was cancelled, and what follows: a replay, another attempt, an answer, a throw. */
async function explainSettleFailure(
  run: SettleRun,
  plan: SettlePlan,
  reasons: CancellationReason[],
  nowMs: number,
): Promise<Attempt<ServiceResult>> {
  const { at } = plan;
  if (at.record >= 0 && conditionFailed(reasons, at.record))
    return fromExisting(reasons[at.record]?.item, run.ctx.fingerprint);
  if (conditionFailed(reasons, at.hold)) return RETRY; // the hold moved on: decide again
  if (isTransient(reasons)) return retryAfter(new TransactionCancelledError(run.op.kind, reasons));
  // An attached item's race (a coupon redeemed meanwhile, a plan moved on): read and decide again.
  if (at.attached >= 0 && reasons.slice(at.attached).some((r) => r.code === 'ConditionalCheckFailed'))
    return RETRY;
  // The account moved on from what a guarded attribute needed (a coupon redeemed meanwhile, a plan too many).
  const refusal = conditionFailed(reasons, at.account)
    ? plan.attributeRefusal(reasons[at.account]?.item ?? {})
    : undefined;
  if (refusal) return failure(refusal);
  if (plan.accountUpdate && conditionFailed(reasons, at.account))
    return accountRefused(run, plan, reasons[at.account]?.item, nowMs);
  const draws = plan.transition.budgetDraws ?? [];
  const refused = draws.findIndex((_, i) => at.budget >= 0 && conditionFailed(reasons, at.budget + i));
  if (refused >= 0)
    return budgetDrawRefused(
      run,
      plan,
      present(draws[refused], 'a draw'),
      reasons[at.budget + refused]?.item,
      nowMs,
    );
  throw new TransactionCancelledError(run.op.kind, reasons);
}

/** The account's condition failed: its grant ended, the money is no longer there, or the reserve guard refused. */
async function accountRefused(
  run: SettleRun,
  plan: SettlePlan,
  image: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<Attempt<ServiceResult>> {
  const { quotaReturn, accountGuard, next } = plan.transition;
  if (quotaReturn && image) {
    // The only account condition a give-back adds is "the grant is still the one drawn from".
    assert(
      !grantStillThere(image, quotaReturn.category, quotaReturn.promotionId),
      `${run.op.kind} found less quota drawn than the hold holds`,
    );
    run.grantEnded = true;
    return RETRY;
  }
  if (accountGuard !== 'reserve') {
    return run.digest === undefined
      ? failure('amount_exceeds_remaining')
      : storeConflict(run.digest, run.op.kind as RequestKind, run.ctx, 'amount_exceeds_remaining', nowMs);
  }
  const why = present(run.reserve, 'the reserve of an account guard').explain(
    image,
    plan.delta.reserved,
    plan.current.currency,
    nowMs,
    next.updatedAt,
  );
  if (why.kind === 'retry') return RETRY;
  if (why.kind !== 'decline') return failure(why.kind);
  const declined = declineOf(why.code, plan.current);
  if (run.digest === undefined) return fresh(declined);
  return storeOnce(
    operationRecordPut(run.digest, settleRecord(run, declined), nowMs),
    declined,
    run.ctx.fingerprint,
  );
}

function grantStillThere(
  accountImage: Record<string, unknown>,
  category: string,
  promotionId: string,
): boolean {
  const grant = accountImage[quotaAttribute(category)] as { promotionId?: string } | undefined;
  return grant?.promotionId === promotionId;
}

/**
 * The budget slices' side of a settlement, in its own transaction: a give-back to each slice the hold drew from,
 * or an increment's draw from each (guarded like a new hold's).
 */
function budgetItems(t: Transition): TransactItem[] {
  if (t.budgetReturns) return t.budgetReturns.map((b) => sliceReturn(b.budgetId, b.slice, b.amount));
  return (t.budgetDraws ?? []).map((d) => sliceDraw(d.budgetId, d.slice, d.amount, t.next.updatedAt));
}

/**
 * An increment's draw was refused by its slice: the budget is no longer in force (increment without it), or
 * the slice is short (move remainders into it and try again, a bounded number of times), or the budget as a
 * whole cannot cover the increase: `budget_exhausted`, stored under the key like the account's declines.
 */
async function budgetDrawRefused(
  run: SettleRun,
  plan: SettlePlan,
  draw: BudgetReturn,
  image: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<Attempt<ServiceResult>> {
  const nowIso = plan.transition.next.updatedAt;
  if (!image || String(image['endsAt']) <= nowIso || nowIso < String(image['startsAt'])) {
    run.budgetsOff = new Set([...(run.budgetsOff ?? []), draw.budgetId]);
    return RETRY;
  }
  if (!budgetRegistry.byId(draw.budgetId)) await budgetRegistry.load();
  const ref = budgetRegistry.byId(draw.budgetId);
  const tries = (run.budgetTries ?? 0) + 1;
  const cover = ref && tries < MAX_SLICE_TRIES ? await coverSlice(ref, draw.slice, draw.amount) : undefined;
  // A transient failure of the rebalance says nothing of the budget: again, without counting a try.
  if (cover?.kind === 'failed') return retryAfter(cover.cause);
  run.budgetTries = tries;
  if (cover?.kind === 'try') return RETRY;
  const declined = declineOf('budget_exhausted', plan.current);
  if (run.digest === undefined) return fresh(declined);
  return storeOnce(
    operationRecordPut(run.digest, settleRecord(run, declined), nowMs),
    declined,
    run.ctx.fingerprint,
  );
}

function journalPuts(t: Transition): TransactItem[] {
  return t.movements.map((m, sequence) =>
    journalPut(
      newJournalEntry({
        accountId: t.next.accountId,
        authorizationId: t.next.id,
        nowIso: t.next.updatedAt,
        sequence,
        ...m,
      }),
    ),
  );
}
