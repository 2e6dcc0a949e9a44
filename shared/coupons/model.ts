/**
 * Coupons (interest-free or fee-discount installment coupons): the request schema, the aggregate, and the pure
 * rule deciding whether a coupon may be used on a purchase. Redemption itself is a conditional write in the
 * capture's transaction (status `issued` → `redeemed`), so a coupon is used at most once under any race.
 */
import * as z from 'zod';
import { Category } from '../authorizations/schemas.js';
import { AmountMinor, ResourceId } from '../money.js';
import { INSTALLMENT_COUNTS } from '../installments/schedule.js';
import type { FeeWaiver } from '../installments/schedule.js';
import { InstallmentCount } from '../installments/schemas.js';
import { RISK_TIERS, RiskTier } from '../promotions/model.js';

export type CouponStatus = 'issued' | 'redeemed' | 'expired';
/** Validity windows longer than this are data errors (a coupon is a campaign's, not a lifetime's). */
const MAX_VALIDITY_MS = 366 * 86_400_000;

const CouponTermsShape = z.strictObject({
  kind: z.enum(['interest_free', 'fee_discount']),
  counts: z.array(InstallmentCount).min(1).max(INSTALLMENT_COUNTS.length),
  /** fee_discount only: the share of the fee taken off, in basis points (1-10,000). */
  discountBps: z.number().int().min(1).max(10_000).optional(),
  minAmount: z.optional(AmountMinor),
  category: z.optional(Category),
  validFrom: z.iso.datetime(),
  validUntil: z.iso.datetime(),
});

/** The rules between the terms' fields, for any object holding them. */
function withTermRules<T extends z.ZodType<z.infer<typeof CouponTermsShape>>>(schema: T) {
  return schema
    .refine((c) => Date.parse(c.validUntil) > Date.parse(c.validFrom), {
      error: 'validUntil must be after validFrom',
      path: ['validUntil'],
    })
    .refine((c) => Date.parse(c.validUntil) - Date.parse(c.validFrom) <= MAX_VALIDITY_MS, {
      error: 'a coupon is valid for at most 366 days',
      path: ['validUntil'],
    })
    .refine((c) => (c.kind === 'fee_discount') === (c.discountBps !== undefined), {
      error: 'discountBps is required for fee_discount and not allowed for interest_free',
      path: ['discountBps'],
    });
}

export const CouponTerms = withTermRules(CouponTermsShape);
export type CouponTerms = z.infer<typeof CouponTermsShape>;

export const CreateCouponBody = withTermRules(CouponTermsShape.extend({ accountId: ResourceId }));

/**
 * A coupon campaign: the same terms issued to every account of the named risk tiers, by a job. `id` names the
 * campaign; starting it again issues nothing twice (each account's coupon id is derived from the two ids).
 */
export const CreateCampaignBody = withTermRules(
  CouponTermsShape.extend({
    id: ResourceId,
    riskTiers: z
      .array(RiskTier)
      .min(1)
      .max(RISK_TIERS.length)
      .refine((t) => new Set(t).size === t.length, { error: 'riskTiers must not repeat a tier' }),
  }),
);
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

export interface Coupon extends CouponTerms {
  id: string;
  accountId: string;
  status: Exclude<CouponStatus, 'expired'>;
  /** The campaign that issued it, if any (a job: re-running it issues nothing twice). */
  campaignId?: string;
  /** The plan that redeemed it. */
  planId?: string;
  /**
   * True for coupons whose state (issued, redeemed by which plan) is kept on the account's item (every coupon
   * issued since it moved there); a coupon issued before keeps it on its own item.
   */
  stateOnAccount?: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a checkout wants to use a coupon on. */
export interface CouponUse {
  accountId: string;
  amount: number;
  count: number;
  category: string | undefined;
  nowIso: string;
}

export type CouponCheck =
  | { ok: true; waiver: FeeWaiver }
  | { ok: false; code: 'coupon_not_applicable' | 'coupon_unavailable' };

/** The status a reader sees: an issued coupon past its window is `expired`. */
export function couponStatus(c: Coupon, nowIso: string): CouponStatus {
  return c.status === 'issued' && new Date(c.validUntil).toISOString() <= nowIso ? 'expired' : c.status;
}

/**
 * Whether `coupon` applies to `use`: another account's coupon, one outside its window, below its minimum, of
 * another category or count is not applicable; one already redeemed is unavailable.
 */
export function checkCoupon(coupon: Coupon, use: CouponUse): CouponCheck {
  if (coupon.accountId !== use.accountId) return { ok: false, code: 'coupon_not_applicable' };
  if (coupon.status === 'redeemed') return { ok: false, code: 'coupon_unavailable' };
  const inWindow =
    new Date(coupon.validFrom).toISOString() <= use.nowIso &&
    use.nowIso < new Date(coupon.validUntil).toISOString();
  if (!inWindow) return { ok: false, code: 'coupon_not_applicable' };
  if (coupon.minAmount !== undefined && use.amount < coupon.minAmount)
    return { ok: false, code: 'coupon_not_applicable' };
  if (coupon.category !== undefined && coupon.category !== use.category)
    return { ok: false, code: 'coupon_not_applicable' };
  if (!coupon.counts.includes(use.count)) return { ok: false, code: 'coupon_not_applicable' };
  return {
    ok: true,
    waiver:
      coupon.kind === 'interest_free'
        ? { kind: 'interest_free' }
        : { kind: 'fee_discount', bps: coupon.discountBps ?? 0 },
  };
}

export interface CouponResource extends CouponTerms {
  id: string;
  object: 'coupon';
  accountId: string;
  status: CouponStatus;
  campaignId?: string;
  planId?: string;
  createdAt: string;
}

export function toCouponResource(c: Coupon, nowIso: string): CouponResource {
  const { updatedAt: _u, status: _s, stateOnAccount: _a, ...rest } = c;
  return { ...rest, object: 'coupon', status: couponStatus(c, nowIso) };
}
