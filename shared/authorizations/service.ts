/**
 * The authorization write paths. Each is one guarded TransactWriteItems over the request record /
 * authorization, the account and the journal; failures are explained from the cancellation reasons, not by
 * reading again. Results are data: a response to send (fresh or replayed) or a contract error code.
 */
import { randomUUID } from 'node:crypto';
import { accountFromItem, movementUpdate, reserveUpdate, type VelocityShape } from '../accounts/repository.js';
import { config } from '../config.js';
import type { DeclineCode, ErrorCode } from '../http/errors.js';
import { errorBody } from '../http/errors.js';
import { requestDigest } from '../ids.js';
import {
  getItems,
  judgeExisting,
  operationRecordPut,
  recordFields,
  requestKey,
  type RequestKind,
  type StoredResponse,
} from '../idempotency/records.js';
import { journalPut, newJournalEntry } from '../journal/repository.js';
import { RETRY, withRetries } from '../storage/retry.js';
import { conditionFailed, isTransient, transactWrite, type TransactItem } from '../storage/transactions.js';
import {
  type Authorization,
  type Decision,
  type Transition,
  toAuthorizationResource,
  totalDelta,
} from './model.js';
import {
  authorizationFromItem,
  authorizationIdFor,
  authorizationKey,
  authorizationUpdate,
  isAuthorizationItem,
  newAuthorizationPut,
} from './repository.js';
import { explainReserveFailure } from './reserve-decision.js';
import { guessShape, remember } from './velocity-hint.js';

export type ServiceResult =
  | { kind: 'response'; response: StoredResponse; replayed: boolean }
  | { kind: 'error'; code: ErrorCode };

export interface RequestContext {
  clientId: string;
  idempotencyKey: string;
  /** Fingerprint of method + path + canonical body (see ids.requestFingerprint). */
  fingerprint: string;
  /** Admins may act on any client's authorizations. */
  isAdmin: boolean;
}

export interface AuthorizeInput {
  accountId: string;
  amount: number;
  currency: string;
  orderId: string;
  category?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

const fresh = (response: StoredResponse): ServiceResult => ({ kind: 'response', response, replayed: false });
const failure = (code: ErrorCode): ServiceResult => ({ kind: 'error', code });

function fromExisting(item: Record<string, unknown> | undefined, fingerprint: string): ServiceResult {
  if (!item) return failure('internal_error');
  const verdict = judgeExisting(item, fingerprint);
  return verdict.kind === 'replay'
    ? { kind: 'response', response: verdict.response, replayed: true }
    : failure('idempotency_key_reused');
}

const velocityWindowOf = (nowMs: number): number => Math.floor(nowMs / 1000 / config.velocityWindowSeconds);

/**
 * Reserve: Put authorization (new key only) + guarded account Update + journal Put, in one round trip.
 * A decline is stored as a declined authorization so a replay answers the same 402.
 */
export async function authorize(ctx: RequestContext, input: AuthorizeInput): Promise<ServiceResult> {
  const digest = requestDigest(ctx.clientId, ctx.idempotencyKey);
  const id = authorizationIdFor(digest);
  let window = velocityWindowOf(Date.now());
  let shape: VelocityShape = guessShape(input.accountId, window);

  return withRetries('authorize', async () => {
    const nowMs = Date.now();
    const nowIso = new Date(nowMs).toISOString();
    window = Math.max(window, velocityWindowOf(nowMs));
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
      expiresAt: new Date(nowMs + config.holdTtlSeconds * 1000).toISOString(),
      createdAt: nowIso,
      updatedAt: nowIso,
      version: 1,
    };
    const response: StoredResponse = { status: 201, body: JSON.stringify(toAuthorizationResource(authorization)) };
    const outcome = await transactWrite(
      [
        newAuthorizationPut(authorization, recordFields('authorize', ctx.clientId, ctx.fingerprint, response)),
        reserveUpdate({
          accountId: input.accountId,
          amountMinor: input.amount,
          currency: input.currency,
          nowIso,
          velocityWindow: window,
          velocityMax: config.velocityMax,
          shape,
        }),
        journalPut(
          newJournalEntry({
            accountId: input.accountId,
            type: 'reserve',
            amount: input.amount,
            delta: { reserved: input.amount, outstanding: 0, totalLimit: 0 },
            authorizationId: id,
            nowIso,
          }),
        ),
      ],
      randomUUID(),
    );
    if (outcome.committed) {
      remember(input.accountId, window);
      return fresh(response);
    }
    const { reasons } = outcome;
    if (conditionFailed(reasons, 0)) return fromExisting(reasons[0]!.item, ctx.fingerprint);
    if (isTransient(reasons)) return RETRY;
    if (!conditionFailed(reasons, 1)) throw new Error(`authorize cancelled: ${reasons.map((r) => r.code).join(',')}`);
    const image = reasons[1]!.item ? accountFromItem(reasons[1]!.item) : undefined;
    const why = explainReserveFailure(image, {
      amountMinor: input.amount,
      currency: input.currency,
      window,
      velocityMax: config.velocityMax,
    });
    switch (why.kind) {
      case 'account_not_found':
      case 'currency_mismatch':
        return failure(why.kind);
      case 'retry':
        shape = why.shape;
        window = why.window;
        return RETRY;
      case 'decline':
        return storeDecline(ctx, authorization, why.code);
    }
  });
}

/** Stores the decline as an authorization (status declined) so the key answers the same 402 forever. */
async function storeDecline(ctx: RequestContext, attempted: Authorization, code: DeclineCode): Promise<ServiceResult> {
  const declined: Authorization = { ...attempted, status: 'declined', declineCode: code, expiresAt: attempted.createdAt };
  const body = { ...errorBody(code), authorization: toAuthorizationResource(declined) };
  const response: StoredResponse = { status: 402, body: JSON.stringify(body) };
  const outcome = await transactWrite(
    [newAuthorizationPut(declined, recordFields('authorize', ctx.clientId, ctx.fingerprint, response))],
    randomUUID(),
  );
  if (outcome.committed) return fresh(response);
  if (conditionFailed(outcome.reasons, 0)) return fromExisting(outcome.reasons[0]!.item, ctx.fingerprint);
  return RETRY as never;
}

type Decide = (a: Authorization, nowMs: number) => Decision;

/**
 * Capture / release (and later increment / refund): read the hold and the key's record in one consistent
 * BatchGet, decide in pure code, then one transaction guarded by the hold's version. A lost race re-reads.
 */
export async function settle(
  ctx: RequestContext,
  kind: RequestKind,
  authorizationId: string,
  decide: Decide,
): Promise<ServiceResult> {
  const authKey = authorizationKey(authorizationId);
  if (!authKey) return failure('authorization_not_found');
  const digest = requestDigest(ctx.clientId, ctx.idempotencyKey);

  return withRetries(kind, async () => {
    const items = await getItems([requestKey(digest), authKey]);
    if (items === null) return RETRY;
    const [existing, authItem] = items;
    if (existing) return fromExisting(existing, ctx.fingerprint);
    if (!isAuthorizationItem(authItem)) return failure('authorization_not_found');
    const current = authorizationFromItem(authItem!);
    if (current.clientId !== ctx.clientId && !ctx.isAdmin) return failure('authorization_not_found');
    if (current.status === 'declined') return failure('invalid_state');

    const nowMs = Date.now();
    const decision = decide(current, nowMs);
    if (!decision.ok) return failure(decision.code);
    const { next } = decision.transition;
    const response: StoredResponse = { status: 200, body: JSON.stringify(toAuthorizationResource(next)) };
    const outcome = await transactWrite(
      [
        operationRecordPut(digest, recordFields(kind, ctx.clientId, ctx.fingerprint, response), nowMs),
        authorizationUpdate(next, current.version),
        movementUpdate(current.accountId, totalDelta(decision.transition.movements), next.updatedAt),
        ...journalPuts(decision.transition),
      ],
      randomUUID(),
    );
    if (outcome.committed) return fresh(response);
    const { reasons } = outcome;
    if (conditionFailed(reasons, 0)) return fromExisting(reasons[0]!.item, ctx.fingerprint);
    if (conditionFailed(reasons, 1) || isTransient(reasons)) return RETRY; // the hold moved on: decide again
    throw new Error(`${kind} cancelled: ${reasons.map((r) => r.code).join(',')}`);
  });
}

function journalPuts(t: Transition): TransactItem[] {
  return t.movements.map((m) =>
    journalPut(newJournalEntry({ accountId: t.next.accountId, authorizationId: t.next.id, nowIso: t.next.updatedAt, ...m })),
  );
}
