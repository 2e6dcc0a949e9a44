/**
 * Platform credit budgets as data (contract v1.1, "Platform credit budgets"): how much new credit the whole
 * platform may extend on a window, optionally for one category. The amount is spread over slices (escrow), so no
 * single item takes every checkout's write (budgets/repository.ts); this module holds the pure parts: the request
 * shapes, the split, the status at an instant and the resource.
 */
import * as z from 'zod';
import { assert } from '../assert.js';
import { AmountMinor, Currency, ResourceId } from '../money.js';

const Window = {
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
};

export const CreateBudgetBody = z
  .strictObject({
    id: ResourceId,
    name: z.string().min(1).max(200),
    currency: Currency,
    amount: AmountMinor,
    ...Window,
    category: z
      .string()
      .regex(/^[a-z0-9_-]{1,64}$/)
      .optional(),
  })
  .refine((b) => Date.parse(b.endsAt) > Date.parse(b.startsAt), {
    error: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type CreateBudgetBody = z.infer<typeof CreateBudgetBody>;

/** `currency`, when given, must be the budget's (a 400 otherwise: an amount in another currency is not this one). */
export const AdjustBudgetBody = z.strictObject({ amount: AmountMinor, currency: z.optional(Currency) });

export interface Budget {
  id: string;
  name: string;
  currency: string;
  amount: number;
  startsAt: string;
  endsAt: string;
  category?: string;
  /** How many slices the amount is spread over (BUDGET#<id> / SLICE#<k>, k < slices). */
  slices: number;
  createdAt: string;
}

export type BudgetStatus = 'scheduled' | 'active' | 'ended';

export function budgetStatus(b: Pick<Budget, 'startsAt' | 'endsAt'>, nowIso: string): BudgetStatus {
  if (nowIso >= b.endsAt || b.endsAt <= b.startsAt) return 'ended';
  return nowIso < b.startsAt ? 'scheduled' : 'active';
}

export interface BudgetResource {
  id: string;
  object: 'budget';
  name: string;
  currency: string;
  amount: number;
  drawn: number;
  remaining: number;
  startsAt: string;
  endsAt: string;
  category?: string;
  status: BudgetStatus;
}

export function toBudgetResource(b: Budget, drawn: number, nowIso: string): BudgetResource {
  assert(drawn >= 0, `budget ${b.id} drawn is negative`);
  assert(drawn <= b.amount, `budget ${b.id} drawn ${drawn} exceeds its amount ${b.amount}`);
  return {
    id: b.id,
    object: 'budget',
    name: b.name,
    currency: b.currency,
    amount: b.amount,
    drawn,
    remaining: b.amount - drawn,
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    ...(b.category === undefined ? {} : { category: b.category }),
    status: budgetStatus(b, nowIso),
  };
}

/** `amount` in `parts` integer parts that sum to it exactly, the remainder one unit each to the first parts. */
export function splitAmount(amount: number, parts: number): number[] {
  assert(Number.isSafeInteger(amount) && amount >= 0, 'a budget split is a non-negative integer');
  assert(Number.isSafeInteger(parts) && parts >= 1, 'a budget splits into at least one part');
  const base = Math.floor(amount / parts);
  const extra = amount % parts;
  return Array.from({ length: parts }, (_, k) => base + (k < extra ? 1 : 0));
}

/**
 * How a change of `deltaMinor` to a budget's amount falls on its slices: a rise spread evenly; a fall taken from
 * the slices' remainders, largest first, so no slice's `remaining` goes negative. Undefined when the remainders
 * cannot cover the fall (the amount would go below `drawn`).
 */
export function planAdjustment(remaining: readonly number[], deltaMinor: number): number[] | undefined {
  if (deltaMinor >= 0) return splitAmount(deltaMinor, remaining.length);
  let left = -deltaMinor;
  const moves = remaining.map(() => 0);
  const order = remaining.map((r, k) => ({ r, k })).sort((a, b) => b.r - a.r);
  for (const { r, k } of order) {
    const take = Math.min(r, left);
    if (take > 0) moves[k] = -take;
    left -= take;
  }
  return left === 0 ? moves : undefined;
}
