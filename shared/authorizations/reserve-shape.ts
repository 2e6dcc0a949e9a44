/**
 * The state of one sequence of reserve attempts (a new hold, or an increment): for a category hold, how it meets
 * the category's quota. DynamoDB updates cannot branch, so the quota part of the guard is written for one guess;
 * a wrong guess costs one more round trip, never correctness (the guard decides), and the cancellation's image
 * says what to try next. The velocity part has one shape for every account (accounts/repository.ts), so it needs
 * no guess: only an account written before the velocity log existed is told, once, to start one.
 *
 * The velocity rule is passed in (the environment's configuration at the service shell), so the guard depends on
 * nothing but its inputs and the quota hints of quota-hint.ts.
 */
import { accountFromItem, type QuotaShape, quotaDraw, reserveUpdate } from '../accounts/repository.js';
import type { TransactItem } from '../storage/transactions.js';
import type { HoldQuota } from './model.js';
import { guessQuotaShape, rememberQuota } from './quota-hint.js';
import { explainReserveFailure, type ReserveAttempt, type ReserveFailure } from './reserve-decision.js';

/** The velocity rule: at most `velocityMax` approved reserves per account within any `velocityWindowSeconds`. */
export interface VelocityRule {
  /** 0 turns the rule off; otherwise 1..VELOCITY_LOG_SLOTS. */
  velocityMax: number;
  velocityWindowSeconds: number;
}

/** The rule as the guard applies it at `nowMs`, or undefined when it is off. */
export function velocityAt(rule: VelocityRule, nowMs: number): ReserveAttempt['velocity'] {
  if (rule.velocityMax === 0) return undefined;
  return { max: rule.velocityMax, windowMs: rule.velocityWindowSeconds * 1000, nowMs };
}

export class ReserveShape {
  quota: QuotaShape;
  /** The account has no velocity log yet: the next attempt starts one. */
  private startLog = false;
  /** `category`: a category hold (an increment passes none: it draws general credit only). */
  constructor(
    private readonly accountId: string,
    private readonly category: string | undefined,
    private readonly rule: VelocityRule,
  ) {
    this.quota = category === undefined ? { kind: 'none' } : guessQuotaShape(accountId, category);
  }
  /** What this attempt draws from the quota. */
  draw(amountMinor: number): number {
    return quotaDraw(this.quota, amountMinor);
  }
  /** What a new hold of `amountMinor` records of its draw, if this attempt draws any quota. */
  holdQuota(amountMinor: number): HoldQuota | undefined {
    const drawn = this.draw(amountMinor);
    if (drawn <= 0 || this.quota.kind === 'none') return undefined;
    return { promotionId: this.quota.promotionId, drawn, captured: 0, returned: 0 };
  }
  guard(amountMinor: number, currency: string, nowMs: number, nowIso: string): TransactItem {
    const velocity = velocityAt(this.rule, nowMs);
    return reserveUpdate({
      accountId: this.accountId,
      amountMinor,
      currency,
      nowIso,
      velocity: velocity && (this.startLog ? { ...velocity, startLog: true } : velocity),
      ...(this.category === undefined ? {} : { quota: { category: this.category, shape: this.quota } }),
    });
  }
  explain(
    image: Record<string, unknown> | undefined,
    amountMinor: number,
    currency: string,
    nowMs: number,
    nowIso: string,
  ): ReserveFailure {
    const why = explainReserveFailure(image ? accountFromItem(image) : undefined, {
      amountMinor,
      currency,
      velocity: velocityAt(this.rule, nowMs),
      category: this.category,
      nowIso,
    });
    if (why.kind === 'retry') {
      this.startLog = why.startLog;
      if (this.category !== undefined) this.quota = why.quota;
    }
    return why;
  }
  committed(): void {
    this.startLog = false;
    if (this.category !== undefined) rememberQuota(this.accountId, this.category, this.quota);
  }
}
