/** Request schemas of the installment endpoints and of a capture's `installments` (strict: unknown fields are 400). */
import * as z from 'zod/mini';
import { AmountMinor, ResourceId } from '../money.js';
import { INSTALLMENT_COUNTS } from './schedule.js';

export const InstallmentCount = z.int().check(
  z.refine((n) => (INSTALLMENT_COUNTS as readonly number[]).includes(n), {
    error: `must be one of ${INSTALLMENT_COUNTS.join(', ')}`,
  }),
);

/** A capture's plan: how many installments, and the coupon that waives or discounts the fee. */
export const CaptureInstallments = z.strictObject({
  count: InstallmentCount,
  couponId: z.optional(ResourceId),
});
export type CaptureInstallments = z.infer<typeof CaptureInstallments>;

export const InstallmentOptionsQuery = z.strictObject({
  accountId: ResourceId,
  amount: z.pipe(z.coerce.number(), AmountMinor),
  couponId: z.optional(ResourceId),
});
