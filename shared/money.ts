/**
 * Money: an integer count of minor units (fen for CNY), never a float; a currency is ISO 4217 upper case.
 */
import * as z from 'zod/mini';

/** The contract's bound: 1 <= amount <= 10^12 minor units. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

export const AmountMinor = z
  .int({ error: 'must be an integer number of minor units' })
  .check(
    z.minimum(1, { error: 'must be at least 1' }),
    z.maximum(MAX_AMOUNT_MINOR, { error: `must be at most ${MAX_AMOUNT_MINOR}` }),
  );

/** A limit may be zero (a closed-down line) but never negative. */
export const LimitMinor = z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT_MINOR));

export const Currency = z
  .string()
  .check(z.regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code in upper case' }));

export const ResourceId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'must be 1-64 characters of [A-Za-z0-9_.:-]' }));
