/** Request schemas of the limit endpoints. */
import * as z from 'zod';
import { LimitMinor } from '../money.js';

export const LimitRequestBody = z.strictObject({ requestedLimit: LimitMinor.optional() });

export const RefreshJobBody = z.strictObject({ dryRun: z.boolean().default(false) });
