/**
 * Storage of platform credit budgets. A budget's amount lives in its slices, so no single item takes every
 * checkout's write (one item sustains only a few hundred transactional writes per second):
 *   BUDGET#<id> / BUDGET            the budget: name, currency, window, category, how many slices
 *   BUDGET#<id>#SLICE#<k> / SLICE   one slice: `allotted` (its part of the amount), `drawn`, and `remaining` =
 *                              allotted - drawn (stored: a condition cannot subtract), with the budget's window,
 *                              so a draw is guarded by the slice alone: `remaining >= :amt`, in force at :now
 *   BUDGETS    / <id>          the registry: the budgets an authorize may have to draw from
 * The amount is the sum of `allotted` and drawn the sum of `drawn`, so `drawn <= amount` holds on every slice
 * separately and so for the sum, however many draws, adjustments and rebalances race: each moves one slice's
 * figures in one guarded update, and an adjustment spread over several transactions passes only through amounts
 * between the old and the new.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import { assert, present } from '../assert.js';
import { documentClient, tableName as mainTable } from '../storage/dynamo-client.js';
import { budgetsTableOf } from './table.js';
import { TRANSACT_WRITE_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import {
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import { RETRY, retryAfter, withRetries } from '../storage/retry.js';
import { budgetPartition, readSliceItems, sliceKey } from './draw.js';
import { type Budget, type CreateBudgetBody, planAdjustment, splitAmount } from './model.js';
import { BUDGETS_PARTITION, type BudgetRef, budgetRegistry } from './registry.js';

/** Budget items live in the budgets table (table.ts). */
const budgetsTable = budgetsTableOf(mainTable);

export const BUDGET_SK = 'BUDGET';
export { BUDGETS_PARTITION, budgetPartition, sliceKey };
const metaKey = (budgetId: string) => ({ pk: budgetPartition(budgetId), sk: BUDGET_SK });
const registryKey = (budgetId: string) => ({ pk: BUDGETS_PARTITION, sk: budgetId });

/**
 * Slices per budget, at most: 256 spread 50,000 authorizations/s to about 200 transactional writes/s per slice
 * (docs/CAPACITY.md), under what one item sustains.
 */
export const MAX_BUDGET_SLICES = 256;
/** Slice writes per transaction when a budget is created, adjusted or ended (room left for the budget's items). */
const SLICE_WRITES_PER_TRANSACTION = TRANSACT_WRITE_MAX_ITEMS - 4;
assert(MAX_BUDGET_SLICES <= 999, 'slice keys are three digits');

/**
 * How many slices a budget of `amount` gets: each holds at least `minSliceMinor` (BUDGET_MIN_SLICE_MINOR), so a
 * small budget has few slices and what its slices' last remainders strand stays small beside the amount.
 */
export const slicesFor = (amount: number, minSliceMinor: number = config.budgetMinSliceMinor): number =>
  Math.min(MAX_BUDGET_SLICES, Math.max(1, Math.floor(amount / minSliceMinor)));

export interface SliceState {
  slice: number;
  allotted: number;
  drawn: number;
  remaining: number;
}

export interface BudgetState {
  budget: Budget;
  slices: SliceState[];
  amount: number;
  drawn: number;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs one transaction to commit; a condition failure is `undefined` with the reasons for the caller. */
async function commit(what: string, items: TransactItem[]): Promise<'committed' | 'condition_failed'> {
  return withRetries(what, async () => {
    const outcome = await transactWrite(items, randomUUID());
    if (outcome.committed) return 'committed' as const;
    if (isTransient(outcome.reasons)) return retryAfter(new TransactionCancelledError(what, outcome.reasons));
    if (outcome.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return 'condition_failed' as const;
    throw new TransactionCancelledError(what, outcome.reasons);
  });
}

/**
 * Creates a budget: its slices first (each only where none exists), then the budget and its registry entry in
 * one transaction, so an authorize never learns of a budget whose slices are not all there. Undefined when the
 * id is taken.
 */
export async function createBudget(input: CreateBudgetBody, nowIso: string): Promise<Budget | undefined> {
  const budget: Budget = {
    id: input.id,
    name: input.name,
    currency: input.currency,
    amount: input.amount,
    startsAt: new Date(input.startsAt).toISOString(),
    endsAt: new Date(input.endsAt).toISOString(),
    ...(input.category === undefined ? {} : { category: input.category }),
    slices: slicesFor(input.amount),
    createdAt: nowIso,
  };
  const parts = splitAmount(budget.amount, budget.slices);
  const slicePuts = parts.map((allotted, slice) => ({
    Put: {
      TableName: budgetsTable,
      Item: {
        ...sliceKey(budget.id, slice),
        itemType: 'budget_slice',
        ...sliceWindow(budget),
        allotted,
        drawn: 0,
        remaining: allotted,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  for (const chunk of chunks(slicePuts, SLICE_WRITES_PER_TRANSACTION))
    if ((await commit(`create budget ${budget.id} slices`, chunk)) === 'condition_failed') return undefined;
  const done = await commit(`create budget ${budget.id}`, [
    {
      Put: {
        TableName: budgetsTable,
        Item: { ...metaKey(budget.id), itemType: 'budget', budget },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: budgetsTable,
        Item: { ...registryKey(budget.id), itemType: 'budget_ref', ...registryEntry(budget) },
      },
    },
  ]);
  if (done !== 'committed') return undefined;
  budgetRegistry.register(registryEntry(budget));
  return budget;
}

/** What a draw's guard needs on every slice: the window, currency and category it is in force for. */
const sliceWindow = (b: Budget) => ({
  startsAt: b.startsAt,
  endsAt: b.endsAt,
  currency: b.currency,
  ...(b.category === undefined ? {} : { category: b.category }),
});

const registryEntry = (b: Budget): BudgetRef => ({ id: b.id, slices: b.slices, ...sliceWindow(b) });

/** The budget and its slices, read strongly consistent: its item, then its slices (draw.readSliceItems). */
export async function readBudget(budgetId: string): Promise<BudgetState | undefined> {
  const meta = await documentClient.send(
    new GetCommand({ TableName: budgetsTable, Key: metaKey(budgetId), ConsistentRead: true }),
  );
  if (!meta.Item) return undefined;
  const budget = meta.Item['budget'] as Budget;
  const slices = (await readSliceItems(budgetId, budget.slices)).map((item) =>
    sliceFromItem(budgetId, present(item, `a slice of budget ${budgetId}`)),
  );
  const amount = slices.reduce((sum, s) => sum + s.allotted, 0);
  const drawn = slices.reduce((sum, s) => sum + s.drawn, 0);
  return { budget: { ...budget, amount }, slices, amount, drawn };
}

/** A slice as stored, its invariants checked on the way in. */
function sliceFromItem(budgetId: string, item: Record<string, unknown>): SliceState {
  const s = {
    slice: Number(String(item['pk']).slice(`${budgetPartition(budgetId)}#SLICE#`.length)),
    allotted: item['allotted'] as number,
    drawn: item['drawn'] as number,
    remaining: item['remaining'] as number,
  };
  assert(
    s.remaining === s.allotted - s.drawn,
    `budget ${budgetId} slice ${s.slice} remaining != allotted - drawn`,
  );
  assert(s.remaining >= 0, `budget ${budgetId} slice ${s.slice} remaining is negative`);
  assert(s.drawn >= 0, `budget ${budgetId} slice ${s.slice} drawn is negative`);
  return s;
}

export type AdjustOutcome =
  | { ok: true; state: BudgetState }
  | { ok: false; code: 'budget_not_found' | 'amount_below_drawn' | 'budget_ended' };

/**
 * Sets a budget's amount: the difference falls on the slices (budgets/model.planAdjustment), each slice update
 * guarded by the remainder it was planned from, so a racing draw makes it plan again. Never below what is drawn.
 */
export async function adjustBudget(budgetId: string, amount: number, now: Date): Promise<AdjustOutcome> {
  return withRetries(`adjust budget ${budgetId}`, async () => {
    const state = await readBudget(budgetId);
    if (!state) return { ok: false, code: 'budget_not_found' } as const;
    if (state.budget.endsAt <= now.toISOString()) return { ok: false, code: 'budget_ended' } as const;
    if (amount < state.drawn) return { ok: false, code: 'amount_below_drawn' } as const;
    const moves = planAdjustment(
      state.slices.map((s) => s.remaining),
      amount - state.amount,
    );
    if (!moves) return RETRY; // drawn moved since the read: read again
    const updates = state.slices.flatMap((s, k) => {
      const move = moves[k] ?? 0;
      return move === 0 ? [] : [sliceMove(budgetId, s, move)];
    });
    for (const chunk of chunks(updates, SLICE_WRITES_PER_TRANSACTION))
      if ((await commit(`adjust budget ${budgetId}`, chunk)) === 'condition_failed') return RETRY;
    const after = await readBudget(budgetId);
    assert(after !== undefined, `budget ${budgetId} after its adjustment`);
    return { ok: true, state: after } as const;
  });
}

/** Moves a slice's allotment by `move`, guarded by the remainder it was planned from. */
function sliceMove(budgetId: string, s: SliceState, move: number): TransactItem {
  return {
    Update: {
      TableName: budgetsTable,
      Key: sliceKey(budgetId, s.slice),
      UpdateExpression: 'SET allotted = allotted + :move, remaining = remaining + :move',
      ConditionExpression: 'remaining = :was',
      ExpressionAttributeValues: { ':move': move, ':was': s.remaining },
    },
  };
}

/**
 * Ends a budget at `now` (at its start if it has not started: it then never applies). Idempotent: an ended
 * budget is answered as it is. The slices' ends move first, so draws stop there; the budget's last.
 */
export async function endBudget(budgetId: string, now: Date): Promise<BudgetState | undefined> {
  const state = await readBudget(budgetId);
  if (!state) return undefined;
  const { budget } = state;
  const endsAt = new Date(Math.max(now.getTime(), Date.parse(budget.startsAt))).toISOString();
  if (budget.endsAt <= endsAt) return state;
  const ended = { ...budget, endsAt };
  const setEnd = (Key: Record<string, string>, path = 'endsAt'): TransactItem => ({
    Update: {
      TableName: budgetsTable,
      Key,
      UpdateExpression: `SET ${path} = :endsAt`,
      ConditionExpression: `attribute_exists(pk) AND ${path} > :endsAt`,
      ExpressionAttributeValues: { ':endsAt': endsAt },
    },
  });
  const sliceEnds = state.slices.map((s) => setEnd(sliceKey(budgetId, s.slice)));
  for (const chunk of chunks(sliceEnds, SLICE_WRITES_PER_TRANSACTION))
    await commit(`end budget ${budgetId} slices`, chunk);
  await commit(`end budget ${budgetId}`, [
    setEnd(metaKey(budgetId), 'budget.endsAt'),
    setEnd(registryKey(budgetId)),
  ]);
  budgetRegistry.register(registryEntry(ended));
  return { ...state, budget: ended };
}
