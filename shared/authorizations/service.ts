/**
 * The authorization write paths. Each is one guarded TransactWriteItems over the request record /
 * authorization, the account and the journal; failures are explained from the cancellation reasons, not by
 * reading again. Results are data: a response to send (fresh or replayed) or a contract error code.
 */
import { randomUUID } from 'node:crypto';
import {
  accountFromItem,
  movementUpdate,
  type QuotaShape,
  quotaDraw,
  quotaAttribute,
  reserveUpdate,
  type VelocityShape,
} from '../accounts/repository.js';
import { config } from '../config.js';
import { type DeclineCode, errorBody } from '../contract/errors.js';
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
import { RETRY, retryAfter, withRetries } from '../storage/retry.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import {
  type Authorization,
  type Decision,
  type Transition,
  toAuthorizationResource,
  totalDelta,
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
import { explainReserveFailure, type ReserveFailure } from './reserve-decision.js';
import { guessQuotaShape, guessShape, remember, rememberQuota } from './velocity-hint.js';
import { assert, present } from '../assert.js';

export interface AuthorizeInput {
  accountId: string;
  amount: number;
  currency: string;
  orderId: string;
  category?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

const velocityWindowOf = (nowMs: number): number => Math.floor(nowMs / 1000 / config.velocityWindowSeconds);

/**
 * The update-shape state of one reserve attempt sequence: which velocity shape to try and in which window, and,
 * for a category hold, how it meets the category's quota. A wrong guess costs one more round trip, never
 * correctness (the guard decides).
 */
class ReserveShape {
  window: number;
  shape: VelocityShape;
  quota: QuotaShape;
  /** `category`: a category hold (an increment passes none: it draws general credit only). */
  constructor(
    private readonly accountId: string,
    private readonly category?: string,
  ) {
    this.window = velocityWindowOf(Date.now());
    this.shape = guessShape(accountId, this.window);
    this.quota = category === undefined ? { kind: 'none' } : guessQuotaShape(accountId, category);
  }
  /** What this attempt draws from the quota. */
  draw(amountMinor: number): number {
    return quotaDraw(this.quota, amountMinor);
  }
  guard(amountMinor: number, currency: string, nowMs: number, nowIso: string): TransactItem {
    this.window = Math.max(this.window, velocityWindowOf(nowMs));
    return reserveUpdate({
      accountId: this.accountId,
      amountMinor,
      currency,
      nowIso,
      velocityWindow: this.window,
      velocityMax: config.velocityMax,
      shape: this.shape,
      ...(this.category === undefined ? {} : { quota: { category: this.category, shape: this.quota } }),
    });
  }
  explain(
    image: Record<string, unknown> | undefined,
    amountMinor: number,
    currency: string,
    nowIso: string,
  ): ReserveFailure {
    const why = explainReserveFailure(image ? accountFromItem(image) : undefined, {
      amountMinor,
      currency,
      window: this.window,
      velocityMax: config.velocityMax,
      category: this.category,
      nowIso,
    });
    if (why.kind === 'retry') {
      this.shape = why.shape;
      this.window = why.window;
      if (this.category !== undefined) this.quota = why.quota;
    }
    return why;
  }
  committed(): void {
    remember(this.accountId, this.window);
    if (this.category !== undefined) rememberQuota(this.accountId, this.category, this.quota);
  }
}

/**
 * Reserve: Put authorization (new key only) + guarded account Update + journal Put, in one round trip.
 * A decline is stored as a declined authorization so a replay answers the same 402.
 */
export async function authorize(
  ctx: RequestContext & { idempotencyKey: string },
  input: AuthorizeInput,
): Promise<ServiceResult> {
  const digest = requestDigest(ctx.clientId, ctx.idempotencyKey);
  const id = authorizationIdFor(digest);
  const reserve = new ReserveShape(input.accountId, input.category);

  return withRetries('authorize', async () => {
    const nowMs = Date.now();
    const nowIso = new Date(nowMs).toISOString();
    const draw = reserve.draw(input.amount);
    const quotaPromotion = reserve.quota.kind === 'none' ? undefined : reserve.quota.promotionId;
    const authorization: Authorization = {
      id,
      accountId: input.accountId,
      clientId: ctx.clientId,
      orderId: input.orderId,
      currency: input.currency,
      amount: input.amount,
      capturedAmount: 0,
      releasedAmount: 0,
      refundedAmount: 0,
      status: input.amount >= config.reviewThresholdMinor ? 'pending_review' : 'authorized',
      ...(input.category ? { category: input.category } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...(draw > 0 && quotaPromotion
        ? { quota: { promotionId: quotaPromotion, drawn: draw, captured: 0, returned: 0 } }
        : {}),
      expiresAt: new Date(nowMs + config.holdTtlSeconds * 1000).toISOString(),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
    };
    const response: StoredResponse = {
      status: 201,
      body: JSON.stringify(toAuthorizationResource(authorization)),
    };
    const outcome = await transactWrite(
      [
        newAuthorizationPut(
          authorization,
          recordFields('authorize', ctx.clientId, ctx.fingerprint, response),
        ),
        reserve.guard(input.amount, input.currency, nowMs, nowIso),
        journalPut(
          newJournalEntry({
            accountId: input.accountId,
            type: 'reserve',
            amount: input.amount,
            // Drawn quota joins totalLimit with the hold, so replaying the journal still gives the account.
            delta: { reserved: input.amount, outstanding: 0, totalLimit: draw },
            authorizationId: id,
            nowIso,
          }),
        ),
      ],
      randomUUID(),
    );
    if (outcome.committed) {
      reserve.committed();
      return fresh(response);
    }
    const { reasons } = outcome;
    if (conditionFailed(reasons, 0)) return fromExisting(reasons[0]?.item, ctx.fingerprint);
    if (isTransient(reasons)) return retryAfter(new TransactionCancelledError('authorize', reasons));
    if (!conditionFailed(reasons, 1)) throw new TransactionCancelledError('authorize', reasons);
    const why = reserve.explain(reasons[1]?.item, input.amount, input.currency, nowIso);
    switch (why.kind) {
      case 'account_not_found':
      case 'currency_mismatch':
        return failure(why.kind);
      case 'retry':
        return RETRY;
      case 'decline': {
        const { quota: _none, ...undrawn } = authorization;
        const declined: Authorization = {
          ...undrawn,
          status: 'declined',
          declineCode: why.code,
          expiresAt: authorization.createdAt,
        };
        const declineResponse = declineOf(why.code, declined);
        return storeOnce(
          [
            newAuthorizationPut(
              declined,
              recordFields('authorize', ctx.clientId, ctx.fingerprint, declineResponse),
            ),
          ],
          declineResponse,
          ctx.fingerprint,
        );
      }
    }
  });
}

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
  /** The answer for a committed transition (default: 200 with the authorization). */
  respond?: (next: Authorization, transition: Transition) => { status: number; body: unknown };
}

/**
 * Everything that changes an existing hold (capture, release, increment, refund, review, expiry): read the hold
 * and the key's record in one consistent BatchGet, decide in pure code, then one transaction guarded by the
 * hold's version (+ the account guard the transition asks for). A lost race re-reads and decides again.
 */
export async function settle(ctx: RequestContext, op: SettleOperation): Promise<ServiceResult> {
  const authKey = authorizationKey(op.authorizationId);
  if (!authKey) return failure('authorization_not_found');
  const digest =
    ctx.idempotencyKey === undefined ? undefined : requestDigest(ctx.clientId, ctx.idempotencyKey);
  const recordKey = digest === undefined ? undefined : requestKey(digest);
  let reserve: ReserveShape | undefined;
  /** Set when the grant this hold drew from turned out to have ended: settle without giving quota back. */
  let grantEnded = false;

  return withRetries(op.kind, async () => {
    const items = await readSnapshot(recordKey ? [recordKey, authKey] : [authKey]);
    if (items === null) return RETRY;
    const [existing, authItem] = recordKey ? items : [undefined, items[0]];
    if (existing) return fromExisting(existing, ctx.fingerprint);
    if (!authItem || !isAuthorizationItem(authItem)) return failure('authorization_not_found');
    const current = authorizationFromItem(authItem);
    if (current.clientId !== ctx.clientId && !ctx.actsForAnyClient) return failure('authorization_not_found');

    const nowMs = Date.now();
    const decision = op.decide(current, nowMs);
    if (!decision.ok) {
      return digest !== undefined && isStoredConflict(decision.code)
        ? storeConflict(digest, op.kind as RequestKind, ctx, decision.code, nowMs)
        : failure(decision.code);
    }
    const transition = grantEnded ? withoutQuotaReturn(decision.transition) : decision.transition;
    const { next, accountGuard, quotaReturn } = transition;
    const answer = op.respond?.(next, transition) ?? { status: 200, body: toAuthorizationResource(next) };
    const response: StoredResponse = { status: answer.status, body: JSON.stringify(answer.body) };
    const delta = totalDelta(transition.movements);
    const movesMoney = transition.movements.length > 0;

    let accountUpdate: TransactItem | undefined;
    if (accountGuard === 'reserve') {
      reserve ??= new ReserveShape(current.accountId);
      accountUpdate = reserve.guard(delta.reserved, current.currency, nowMs, next.updatedAt);
    } else if (movesMoney) {
      accountUpdate = movementUpdate(current.accountId, delta, next.updatedAt, {
        ...(accountGuard ? { requireOutstandingAtLeast: accountGuard.outstandingAtLeast } : {}),
        ...(quotaReturn ? { quotaReturn } : {}),
      });
    }
    const record =
      digest === undefined
        ? []
        : [
            operationRecordPut(
              digest,
              recordFields(op.kind as RequestKind, ctx.clientId, ctx.fingerprint, response),
              nowMs,
            ),
          ];
    const outcome = await transactWrite(
      [
        ...record,
        authorizationUpdate(next, current.version),
        ...(accountUpdate ? [accountUpdate] : []),
        ...journalPuts(transition),
      ],
      randomUUID(),
    );
    if (outcome.committed) {
      reserve?.committed();
      return fresh(response);
    }
    const { reasons } = outcome;
    const at = { record: record.length ? 0 : -1, hold: record.length, account: record.length + 1 };
    if (at.record >= 0 && conditionFailed(reasons, at.record))
      return fromExisting(reasons[at.record]?.item, ctx.fingerprint);
    if (conditionFailed(reasons, at.hold)) return RETRY; // the hold moved on: decide again
    if (isTransient(reasons)) return retryAfter(new TransactionCancelledError(op.kind, reasons));
    if (accountUpdate && conditionFailed(reasons, at.account)) {
      const image = reasons[at.account]?.item;
      if (quotaReturn && image) {
        // The only account condition a give-back adds is "the grant is still the one drawn from".
        assert(
          !grantStillThere(image, quotaReturn.category, quotaReturn.promotionId),
          `${op.kind} found less quota drawn than the hold holds`,
        );
        grantEnded = true;
        return RETRY;
      }
      if (accountGuard !== 'reserve') {
        return digest === undefined
          ? failure('amount_exceeds_remaining')
          : storeConflict(digest, op.kind as RequestKind, ctx, 'amount_exceeds_remaining', nowMs);
      }
      const why = present(reserve, 'the reserve of an account guard').explain(
        image,
        delta.reserved,
        current.currency,
        next.updatedAt,
      );
      if (why.kind === 'retry') return RETRY;
      if (why.kind !== 'decline') return failure(why.kind);
      const declined = declineOf(why.code, current);
      if (digest === undefined) return { kind: 'response', response: declined, replayed: false };
      return storeOnce(
        [
          operationRecordPut(
            digest,
            recordFields(op.kind as RequestKind, ctx.clientId, ctx.fingerprint, declined),
            nowMs,
          ),
        ],
        declined,
        ctx.fingerprint,
      );
    }
    throw new TransactionCancelledError(op.kind, reasons);
  });
}

function grantStillThere(
  accountImage: Record<string, unknown>,
  category: string,
  promotionId: string,
): boolean {
  const grant = accountImage[quotaAttribute(category)] as { promotionId?: string } | undefined;
  return grant?.promotionId === promotionId;
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
