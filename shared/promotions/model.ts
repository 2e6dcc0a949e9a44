/**
 * Promotions as data: a festival uplift for a time window (percent or fixed, optionally for some risk tiers)
 * or a quota of credit for one product category. Validated here, with the question "is it in force at `now`";
 * what a promotion does to a limit is the limit policy's (shared/policy/limit-policy.ts, which imports this
 * model; it sits beside its repository so storage never reaches into the policy).
 */
import * as z from 'zod';
import { MAX_AMOUNT_MINOR, ResourceId } from '../money.js';

export const RISK_TIERS = ['A', 'B', 'C', 'D', 'E'] as const;
export const RiskTier = z.enum(RISK_TIERS);
export type RiskTier = z.infer<typeof RiskTier>;

const PositiveMinor = z.number().int().min(1).max(MAX_AMOUNT_MINOR);

const Window = {
  id: ResourceId,
  name: z.string().min(1).max(200),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  /** Absent: every tier is eligible. */
  eligibleTiers: z.array(RiskTier).min(1).max(RISK_TIERS.length).optional(),
};

const Uplift = z.strictObject({
  ...Window,
  kind: z.literal('uplift'),
  upliftPercent: z.number().int().min(1).max(200).optional(),
  upliftAmount: PositiveMinor.optional(),
  /** Caps a percent uplift for large limits (and is harmless on a fixed one). */
  maxUpliftAmount: PositiveMinor.optional(),
});

const CategoryQuota = z.strictObject({
  ...Window,
  kind: z.literal('category_quota'),
  category: z.string().regex(/^[a-z0-9_-]{1,64}$/),
  quotaAmount: PositiveMinor,
});

export const Promotion = z
  .discriminatedUnion('kind', [Uplift, CategoryQuota])
  .refine((p) => Date.parse(p.endsAt) > Date.parse(p.startsAt), {
    error: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .refine((p) => p.kind !== 'uplift' || (p.upliftPercent === undefined) !== (p.upliftAmount === undefined), {
    error: 'give exactly one of upliftPercent and upliftAmount',
    path: ['upliftPercent'],
  });

export type Promotion = z.infer<typeof Promotion>;

/** In force on the half-open window [startsAt, endsAt): at endsAt the promotion has ended. */
export function isActive(promotion: Promotion, now: Date): boolean {
  const nowMs = now.getTime();
  return Date.parse(promotion.startsAt) <= nowMs && nowMs < Date.parse(promotion.endsAt);
}

export function activePromotions(promotions: readonly Promotion[], now: Date): Promotion[] {
  return promotions.filter((p) => isActive(p, now));
}

/** Whether a promotion is open to an account of this tier ('unrated' accounts get only the all-tier ones). */
export function isEligible(promotion: Promotion, tier: string): boolean {
  return promotion.eligibleTiers === undefined || promotion.eligibleTiers.some((t) => t === tier);
}

/** A timestamp in the one stored form, `Date#toISOString()` (UTC, milliseconds): stored values then order as strings. */
export function normalizeTimestamp(iso: string): string {
  return new Date(iso).toISOString();
}

/** The stored form of a promotion: its window normalized (`...:00Z` and `...:00.000Z` are the same instant). */
export function normalizePromotion(promotion: Promotion): Promotion {
  return {
    ...promotion,
    startsAt: normalizeTimestamp(promotion.startsAt),
    endsAt: normalizeTimestamp(promotion.endsAt),
  };
}

/**
 * Ending a promotion at `now` closes its window at max(now, startsAt): one that has not started yet then never
 * applies, and `endsAt` never precedes `startsAt`. Undefined when the window already closes by then (it has
 * ended, naturally or by an earlier end): ending is idempotent and never moves an end later.
 */
export function endedAt(promotion: Promotion, now: Date): Promotion | undefined {
  const endMs = Math.max(now.getTime(), Date.parse(promotion.startsAt));
  if (Date.parse(promotion.endsAt) <= endMs) return undefined;
  return { ...promotion, endsAt: new Date(endMs).toISOString() };
}
