/**
 * Promotions as data: a festival uplift for a time window (percent or fixed, optionally for some risk tiers)
 * or a quota of credit for one product category. Validated here; what they do to a limit is the policy's.
 */
import * as z from 'zod';
import { MAX_AMOUNT_MINOR, ResourceId } from '../money.js';

const Window = {
  id: ResourceId,
  name: z.string().min(1).max(200),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
};

const Tier = z.enum(['A', 'B', 'C', 'D', 'E']);

const Uplift = z.strictObject({
  ...Window,
  kind: z.literal('uplift'),
  upliftPercent: z.number().int().min(1).max(200).optional(),
  upliftAmount: z.number().int().min(1).max(MAX_AMOUNT_MINOR).optional(),
  /** Absent: every tier is eligible. */
  eligibleTiers: z.array(Tier).min(1).max(5).optional(),
  maxUpliftAmount: z.number().int().min(1).max(MAX_AMOUNT_MINOR).optional(),
});

const CategoryQuota = z.strictObject({
  ...Window,
  kind: z.literal('category_quota'),
  category: z.string().regex(/^[a-z0-9_-]{1,64}$/),
  quotaAmount: z.number().int().min(1).max(MAX_AMOUNT_MINOR),
  eligibleTiers: z.array(Tier).min(1).max(5).optional(),
});

export const Promotion = z
  .discriminatedUnion('kind', [Uplift, CategoryQuota])
  .refine((p) => Date.parse(p.endsAt) > Date.parse(p.startsAt), { error: 'endsAt must be after startsAt', path: ['endsAt'] })
  .refine((p) => p.kind !== 'uplift' || (p.upliftPercent === undefined) !== (p.upliftAmount === undefined), {
    error: 'give exactly one of upliftPercent and upliftAmount',
    path: ['upliftPercent'],
  });

export type Promotion = z.infer<typeof Promotion>;

export function isActive(promotion: Promotion, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(promotion.startsAt) <= t && t < Date.parse(promotion.endsAt);
}

export function activePromotions(promotions: readonly Promotion[], now: Date): Promotion[] {
  return promotions.filter((p) => isActive(p, now));
}
