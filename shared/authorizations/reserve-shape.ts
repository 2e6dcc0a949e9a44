/**
 * The update-shape state of one sequence of reserve attempts (a new hold, or an increment): which velocity shape
 * to try and in which window, and, for a category hold, how it meets the category's quota. DynamoDB updates
 * cannot branch, so the guard is written for one guess; a wrong guess costs one more round trip, never
 * correctness (the guard decides), and the cancellation's image says what to try next.
 *
 * The velocity rule is passed in (the environment's configuration at the service shell), so the window and the
 * guard depend on nothing but their inputs and the hints of velocity-hint.ts.
 */
import {
  accountFromItem,
  type QuotaShape,
  quotaDraw,
  reserveUpdate,
  type VelocityShape,
} from '../accounts/repository.js';
import type { TransactItem } from '../storage/transactions.js';
import type { HoldQuota } from './model.js';
import { explainReserveFailure, type ReserveFailure } from './reserve-decision.js';
import { guessQuotaShape, guessShape, remember, rememberQuota } from './velocity-hint.js';

/** The velocity rule: at most `velocityMax` approved holds per account in each fixed window. */
export interface VelocityRule {
  velocityMax: number;
  velocityWindowSeconds: number;
}

/** The fixed velocity window `nowMs` falls in: windows are counted from the epoch. */
export const velocityWindowOf = (nowMs: number, rule: Pick<VelocityRule, 'velocityWindowSeconds'>): number =>
  Math.floor(nowMs / 1000 / rule.velocityWindowSeconds);

export class ReserveShape {
  window: number;
  shape: VelocityShape;
  quota: QuotaShape;
  /** `category`: a category hold (an increment passes none: it draws general credit only). */
  constructor(
    private readonly accountId: string,
    private readonly category: string | undefined,
    private readonly rule: VelocityRule,
    nowMs: number = Date.now(),
  ) {
    this.window = velocityWindowOf(nowMs, rule);
    this.shape = guessShape(accountId, this.window);
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
    this.window = Math.max(this.window, velocityWindowOf(nowMs, this.rule));
    return reserveUpdate({
      accountId: this.accountId,
      amountMinor,
      currency,
      nowIso,
      velocityWindow: this.window,
      velocityMax: this.rule.velocityMax,
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
      velocityMax: this.rule.velocityMax,
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
