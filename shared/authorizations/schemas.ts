/** Request schemas of the authorization endpoints (strict: unknown fields are a 400 `unknown_field`). */
import * as z from 'zod/mini';
import { described } from '../zod.js';
import { CaptureInstallments } from '../installments/schemas.js';
import { AmountMinor, Currency, ResourceId } from '../money.js';

/** Stripe's bounds for metadata: few small string pairs, never a payload store. */
const MAX_METADATA_KEYS = 20;
export const Metadata = z
  .record(z.string().check(z.minLength(1), z.maxLength(40)), z.string().check(z.maxLength(500)))
  .check(
    z.refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, {
      error: `at most ${MAX_METADATA_KEYS} keys`,
    }),
  );

export const Category = z
  .string()
  .check(z.regex(/^[a-z0-9_-]{1,64}$/, { error: 'must be 1-64 characters of [a-z0-9_-]' }));

export const CreateAuthorizationBody = z.strictObject({
  accountId: ResourceId,
  amount: AmountMinor,
  currency: Currency,
  orderId: ResourceId,
  category: z.optional(
    described(Category, {
      description: 'The product category: a category quota for it is drawn before general credit.',
    }),
  ),
  metadata: z.optional(Metadata),
});

export const CaptureBody = z.strictObject({
  amount: z.optional(AmountMinor),
  final: z.optional(z.boolean()),
  installments: z.optional(
    described(CaptureInstallments, {
      description: 'Split the captured amount into monthly installments (a coupon may waive the fee).',
    }),
  ),
});

export const ReleaseBody = z.strictObject({
  amount: z.optional(AmountMinor),
});

export const AuthorizationIdParam = z.string().check(z.minLength(1), z.maxLength(64));

export const IncrementBody = z.strictObject({ amount: AmountMinor });

export const RefundBody = z.strictObject({ amount: AmountMinor });
