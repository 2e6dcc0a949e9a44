/** Request schemas of the authorization endpoints (strict: unknown fields are a 400 `unknown_field`). */
import * as z from 'zod';
import { CaptureInstallments } from '../installments/schemas.js';
import { AmountMinor, Currency, ResourceId } from '../money.js';

/** Stripe's bounds for metadata: few small string pairs, never a payload store. */
const MAX_METADATA_KEYS = 20;
export const Metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, { error: `at most ${MAX_METADATA_KEYS} keys` });

export const Category = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of [a-z0-9_-]' });

export const CreateAuthorizationBody = z.strictObject({
  accountId: ResourceId,
  amount: AmountMinor,
  currency: Currency,
  orderId: ResourceId,
  category: Category.meta({
    description: 'The product category: a category quota for it is drawn before general credit.',
  }).optional(),
  metadata: Metadata.optional(),
});

export const CaptureBody = z.strictObject({
  amount: AmountMinor.optional(),
  final: z.boolean().optional(),
  installments: CaptureInstallments.meta({
    description: 'Split the captured amount into monthly installments (a coupon may waive the fee).',
  }).optional(),
});

export const ReleaseBody = z.strictObject({
  amount: AmountMinor.optional(),
});

export const AuthorizationIdParam = z.string().min(1).max(64);

export const IncrementBody = z.strictObject({ amount: AmountMinor });

export const RefundBody = z.strictObject({ amount: AmountMinor });
