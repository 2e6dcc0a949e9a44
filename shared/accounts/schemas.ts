/** Request schemas of the account endpoints. */
import * as z from 'zod';
import { AmountMinor, Currency, LimitMinor, ResourceId } from '../money.js';
import { CreditProfile } from '../profiles/model.js';

export const CreateAccountBody = z.strictObject({
  id: ResourceId,
  currency: Currency,
  creditLimit: LimitMinor,
  /** The credit profile, as PUT /v1/accounts/{id}/profile takes it, stored in the same write as the account. */
  profile: CreditProfile.optional(),
});

export const RepaymentBody = z.strictObject({ amount: AmountMinor, currency: Currency });

export const StatusChangeBody = z.strictObject({ reason: z.string().min(1).max(500) });

/** Page size of list endpoints: bounded so one page is one small Query. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});
