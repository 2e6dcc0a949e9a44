/** Request schemas of the account endpoints. */
import { z } from 'zod';
import { Currency, LimitMinor, ResourceId } from '../money.js';

export const CreateAccountBody = z.strictObject({
  id: ResourceId,
  currency: Currency,
  creditLimit: LimitMinor,
});
