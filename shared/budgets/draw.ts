/**
 * A hold's draw from a platform credit budget, inside the hold's own transaction (contract v1.1, "Platform credit
 * budgets"): one Update on one slice, chosen by a hash of the authorization id so the load spreads evenly, guarded
 * by the slice alone (`remaining >= :amt`, the budget in force at :now). The hold records the budget and the slice,
 * so its give-backs return there (`sliceReturn`).
 *
 * A slice that cannot cover the hold is not the end of the budget: the draw reads every slice (a second round
 * trip, only then), moves to a slice that covers it (weighted by what each has left, so racing holds spread),
 * and if no single slice covers the hold but the budget as a whole does, moves remainders from the rich slices
 * into the richest first (`rebalanceInto`: a rebalance while in force, on the exhausted path). This environment
 * keeps what it read (slice-view.ts), so while that is fresh the next holds skip slices it showed short. Only when the budget as a whole cannot cover the hold, or after MAX_SLICE_TRIES
 * slices lost their race to other draws, is the hold declined `budget_exhausted`. A rebalance that failed for a
 * transient reason (a transaction conflict, a throttle, a lost answer) is no such race: the hold is tried again
 * as any write after a transient failure is (and answers 503 if that keeps up), never declined for it.
 *
 * Exactness is per slice: every move of a slice's figures is one guarded update, so `drawn <= allotted` holds on
 * each slice and so for their sum, under any interleaving, retry or fault.
 */
import { createHash, randomUUID } from 'node:crypto';
import { getItems } from '../idempotency/records.js';
import { documentClient, tableName as mainTable } from '../storage/dynamo-client.js';
import { budgetsTableOf } from './table.js';
import { BATCH_GET_MAX_KEYS, TRANSACT_WRITE_MAX_ITEMS } from '../storage/dynamodb-limits.js';
import {
  conditionFailed,
  isTransient,
  TransactionCancelledError,
  type TransactItem,
  transactWrite,
} from '../storage/transactions.js';
import { type BudgetRef, budgetRegistry } from './registry.js';
import { type Claim, type SliceFigures, sliceViews, weightedPick } from './slice-view.js';

/** Budget items live in the budgets table (table.ts). */
const budgetsTable = budgetsTableOf(mainTable);
const budgetsStorage = { documentClient, tableName: budgetsTable };

export const budgetPartition = (budgetId: string) => `BUDGET#${budgetId}`;
/** Each slice in a partition of its own: a partition key value takes at most 1,000 WCU/s, however it splits. */
export const sliceKey = (budgetId: string, slice: number) => ({
  pk: `${budgetPartition(budgetId)}#SLICE#${String(slice).padStart(3, '0')}`,
  sk: 'SLICE',
});

/** Slices one draw tries before it declines: the first, then two chosen from a read of every slice. */
export const MAX_SLICE_TRIES = 3;
/** Slices one draw may take from this environment's view besides those (a view may be stale: never a decline). */
const MAX_VIEW_GUESSES = 2;
/** Reads of a budget's slices in flight in this environment: holds refused meanwhile await one, not start more. */
const readings = new Map<string, Promise<unknown>>();
/**
 * Settles once no read of the budget's slices is in flight here: a hold about to draw waits for one, so it
 * draws where that read (and its rebalance) points instead of racing the rebalance on a donor slice.
 */
export const readingSettled = async (budgetId: string): Promise<void> => {
  await readings.get(budgetId)?.catch(() => undefined);
};
/**
 * Settles once no read or rebalance of the budget's slices is in flight in this environment, waiting in turn for
 * any that another hold starts meanwhile. A refused hold goes on from there without awaiting anything before it
 * registers its own (refused below), so reads and rebalances run one at a time here: the holds refused together
 * near exhaustion share one read and one rebalance instead of each sending a rebalance of up to 100 slices at
 * once (which, in the full bench, queued on DynamoDB Local until every hold passed its deadline).
 */
async function readingsSettled(budgetId: string): Promise<void> {
  for (let reading = readings.get(budgetId); reading; reading = readings.get(budgetId))
    await reading.catch(() => undefined);
}
/** Donor slices one rebalance moves from (one transaction: the target and its donors). */
const MAX_DONORS = TRANSACT_WRITE_MAX_ITEMS - 1;
/**
 * A rebalance for a drained hold gathers what this many holds of its size need (when the budget has it): near
 * exhaustion every hold finds its slice short, and holds racing one another all pick the same richest slice.
 */
const CONSOLIDATED_HOLDS = 64;

/** What a hold drew from a budget: where, how much, and what of it was captured or given back. */
export interface HoldBudget {
  budgetId: string;
  slice: number;
  drawn: number;
  captured: number;
  returned: number;
}

/** The slice a hold draws from first: a hash of its id over the budget's slices. */
export function hashedSlice(authorizationId: string, slices: number): number {
  return createHash('sha256').update(authorizationId).digest().readUInt32BE(0) % slices;
}

/** The draw: the slice pays `amountMinor` if it has that much left and the budget is in force at `nowIso`. */
export function sliceDraw(
  budgetId: string,
  slice: number,
  amountMinor: number,
  nowIso: string,
): TransactItem {
  return {
    Update: {
      TableName: budgetsTable,
      Key: sliceKey(budgetId, slice),
      UpdateExpression: 'SET drawn = drawn + :amt, remaining = remaining - :amt',
      ConditionExpression: 'remaining >= :amt AND startsAt <= :now AND endsAt > :now',
      ExpressionAttributeValues: { ':amt': amountMinor, ':now': nowIso },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** A give-back: the slice the hold drew from gets `amountMinor` back, in force or not. */
export function sliceReturn(budgetId: string, slice: number, amountMinor: number): TransactItem {
  return {
    Update: {
      TableName: budgetsTable,
      Key: sliceKey(budgetId, slice),
      UpdateExpression: 'SET drawn = drawn - :amt, remaining = remaining + :amt',
      ConditionExpression: 'drawn >= :amt',
      ExpressionAttributeValues: { ':amt': amountMinor },
    },
  };
}

/**
 * What a refused slice draw leads to: another slice, no budget after all (it ended), a decline, or the same
 * again after a transient failure (`cause`) that says nothing about the budget.
 */
export type SliceRefusal =
  | { kind: 'slice'; slice: number }
  | { kind: 'not_in_force' }
  | { kind: 'exhausted' }
  | { kind: 'again'; cause: unknown };

/** What a rebalance came to: moved, lost a race to a draw (a donor's remainder moved), or failed transiently. */
export type Rebalance = { kind: 'moved' } | { kind: 'lost' } | { kind: 'failed'; cause: unknown };

/**
 * One authorize's draw across its attempts: the budget covering the hold, the slice to draw from now, and how
 * many slices it tried. The first slice is the hashed one, unless this environment's fresh view of the slices
 * (slice-view.ts) shows it short: then one the view shows able to pay.
 */
export class BudgetDraw {
  slice: number;
  private tries = 1;
  /** Slices chosen from the view without reading (MAX_VIEW_GUESSES). */
  private guesses = 0;
  private chosen = false;
  /** This attempt's draw as claimed in the view (item), its outcome not yet known. */
  private claimed: Claim | undefined;
  constructor(
    readonly ref: BudgetRef,
    authorizationId: string,
  ) {
    this.slice = hashedSlice(authorizationId, ref.slices);
  }

  /** This attempt's draw, claimed in the view (slice-view.ts) until the attempt's outcome is known. */
  item(amountMinor: number, nowIso: string): TransactItem {
    const slice = this.choose(amountMinor);
    this.claimed = sliceViews.claim(this.ref.id, slice, amountMinor);
    return sliceDraw(this.ref.id, slice, amountMinor, nowIso);
  }

  /** What the hold records of this draw once committed. */
  holdBudget(amountMinor: number): HoldBudget {
    return {
      budgetId: this.ref.id,
      slice: this.choose(amountMinor),
      drawn: amountMinor,
      captured: 0,
      returned: 0,
    };
  }

  /** The draw committed: its claim in the view is what the slice paid. */
  committed(): void {
    this.claimed = undefined;
  }

  /**
   * The attempt did not commit, and not because of this slice (a transient failure, another item's guard): the
   * view has the claim back. A refusal (`refused`) instead replaces the slice's figure by what DynamoDB showed.
   */
  notCommitted(): void {
    if (this.claimed) sliceViews.unclaim(this.claimed);
    this.claimed = undefined;
  }

  private choose(amountMinor: number): number {
    if (this.chosen) return this.slice;
    this.chosen = true;
    if (!sliceViews.short(this.ref.id, this.slice, amountMinor)) return this.slice;
    const other = sliceViews.pick(this.ref.id, amountMinor, this.slice);
    if (other !== undefined) {
      this.guesses += 1;
      this.slice = other;
    }
    return this.slice;
  }

  /** A slice the fresh view shows able to pay, while this draw has guesses left (they never decline it). */
  private guess(amountMinor: number): SliceRefusal | undefined {
    if (this.guesses >= MAX_VIEW_GUESSES) return undefined;
    const slice = sliceViews.pick(this.ref.id, amountMinor, this.slice);
    if (slice === undefined) return undefined;
    this.guesses += 1;
    this.slice = slice;
    return { kind: 'slice', slice };
  }

  /** The slice's condition failed (`image`: the slice as DynamoDB evaluated it): what the next attempt does. */
  async refused(
    image: Record<string, unknown> | undefined,
    amountMinor: number,
    nowIso: string,
  ): Promise<SliceRefusal> {
    // The slice refused it: no claim to give back (its figure is now what DynamoDB showed).
    this.claimed = undefined;
    const endsAt = image?.['endsAt'];
    if (typeof endsAt === 'string' && endsAt <= nowIso) {
      budgetRegistry.endedAt(this.ref.id, endsAt);
      return { kind: 'not_in_force' };
    }
    if (!image || nowIso < String(image['startsAt'])) return { kind: 'not_in_force' };
    const readsBefore = sliceViews.readsSoFar(this.ref.id);
    sliceViews.saw(this.ref.id, this.slice, Number(image['remaining'] ?? 0));
    // Other holds of this environment are reading (and maybe rebalancing) the slices: their outcome, not another.
    await readingsSettled(this.ref.id);
    const shared = sliceViews.readAfter(this.ref.id, readsBefore);
    const guess = shared ? undefined : this.guess(amountMinor);
    if (guess) return guess;
    if (this.tries >= MAX_SLICE_TRIES) return { kind: 'exhausted' };
    const covering = sliceCovering(this.ref, amountMinor, shared);
    readings.set(this.ref.id, covering);
    const next = await covering.finally(() => {
      if (readings.get(this.ref.id) === covering) readings.delete(this.ref.id);
    });
    if (next.kind !== 'slice') return next;
    this.tries += 1;
    this.slice = next.slice;
    return next;
  }
}

/** BatchGets of one chunk of slices while DynamoDB defers some of its keys (none when not throttled). */
const MAX_SLICE_READ_ATTEMPTS = 5;

/**
 * Every slice item of a budget, in slice order, read strongly consistent: a BatchGet per 100 slices, all at once;
 * a chunk whose keys DynamoDB deferred is read again. Shared by the draw (remainders) and the budget's own read.
 */
export async function readSliceItems(
  budgetId: string,
  slices: number,
): Promise<Array<Record<string, unknown> | undefined>> {
  const chunks: number[][] = [];
  for (let first = 0; first < slices; first += BATCH_GET_MAX_KEYS)
    chunks.push(Array.from({ length: Math.min(BATCH_GET_MAX_KEYS, slices - first) }, (_, i) => first + i));
  const read = async (chunk: number[]) => {
    for (let attempt = 0; attempt < MAX_SLICE_READ_ATTEMPTS; attempt += 1) {
      const items = await getItems(
        chunk.map((k) => sliceKey(budgetId, k)),
        budgetsStorage,
      );
      if (items !== null) return items;
    }
    throw new Error(`BatchGet kept deferring budget ${budgetId} slices`);
  };
  return (await Promise.all(chunks.map(read))).flat();
}

/** Every slice's remainder (readSliceItems); the view (slice-view.ts) keeps what it read. */
async function sliceRemainders(ref: BudgetRef): Promise<SliceFigures[]> {
  const items = await readSliceItems(ref.id, ref.slices);
  const out = items.map((item, slice) => ({ slice, remaining: Number(item?.['remaining'] ?? 0) }));
  sliceViews.read(ref.id, out);
  return out;
}

/**
 * The slice to draw `amountMinor` from next, from a read of every slice (`read`: one another hold of this
 * environment made after this hold was refused, as the view shows it now; else a read of its own): one that
 * covers the amount (at random, weighted by what each has left), else the richest after a rebalance moved enough
 * into it from the others (a rebalance that lost a race leaves the draw to fail again on this slice: the tries
 * bound it). Exhausted when the whole budget cannot cover it; again when the rebalance failed transiently.
 */
async function sliceCovering(
  ref: BudgetRef,
  amountMinor: number,
  read?: SliceFigures[],
): Promise<Exclude<SliceRefusal, { kind: 'not_in_force' }>> {
  const figures = (read ?? (await sliceRemainders(ref))).sort((a, b) => b.remaining - a.remaining);
  const richest = figures[0];
  if (!richest) return { kind: 'exhausted' };
  // Any slice that covers it, weighted by what each has left: racing holds spread instead of all taking one.
  const covering = figures
    .filter((f) => f.remaining >= amountMinor)
    .map((f) => [f.slice, f.remaining] as const);
  const pick = weightedPick(covering);
  if (pick !== undefined) return { kind: 'slice', slice: pick };
  const total = figures.reduce((sum, f) => sum + f.remaining, 0);
  if (total < amountMinor) return { kind: 'exhausted' };
  // Gather more than this hold needs (what CONSOLIDATED_HOLDS like it need), so the holds racing it find the
  // richest slice covering them instead of each rebalancing again.
  const needed = amountMinor - richest.remaining;
  const goal = Math.min(total - richest.remaining, needed + CONSOLIDATED_HOLDS * amountMinor);
  const moved = await rebalanceInto(ref.id, richest, figures.slice(1), needed, goal);
  return moved.kind === 'failed'
    ? { kind: 'again', cause: moved.cause }
    : { kind: 'slice', slice: richest.slice };
}

/**
 * Makes `slice` able to pay `amountMinor` (an increment draws from its hold's slice): `try` the draw again when
 * it already can or a rebalance was attempted (one that lost a race fails the draw again: the caller's tries
 * bound it), `short` when the budget as a whole cannot cover the amount, `failed` when the rebalance failed
 * transiently (try again without counting it).
 */
export async function coverSlice(
  ref: BudgetRef,
  slice: number,
  amountMinor: number,
): Promise<{ kind: 'try' } | { kind: 'short' } | { kind: 'failed'; cause: unknown }> {
  const figures = (await sliceRemainders(ref)).sort((a, b) => b.remaining - a.remaining);
  const target = figures.find((f) => f.slice === slice);
  if (!target) return { kind: 'short' };
  if (target.remaining >= amountMinor) return { kind: 'try' };
  const donors = figures.filter((f) => f.slice !== slice);
  if (donors.reduce((sum, f) => sum + f.remaining, target.remaining) < amountMinor) return { kind: 'short' };
  const moved = await rebalanceInto(ref.id, target, donors, amountMinor - target.remaining);
  return moved.kind === 'failed' ? moved : { kind: 'try' };
}

/**
 * Moves at least `needed`, and up to `goal`, of the donors' remainders (largest first) into `target`, in one
 * transaction: each donor's allotment and remainder fall by what it gives, guarded by `remaining >= :give`; the
 * target's rise by the sum. The budget's amount (the sum of allotments) does not change.
 * A donor drawn meanwhile fails its guard and says what it has now (its image): the move is worked out again
 * from that, once (REBALANCE_ROUNDS), without reading every slice again. Lost when donors still lost their
 * race, or the donors within one transaction do not cover `needed` (the caller answers from what is left);
 * failed when DynamoDB cancelled it for a transient reason or the call failed (nothing or everything moved:
 * either keeps every slice exact).
 */
export async function rebalanceInto(
  budgetId: string,
  target: SliceFigures,
  donors: readonly SliceFigures[],
  needed: number,
  goal: number = needed,
): Promise<Rebalance> {
  let figures = donors.slice(0, MAX_DONORS);
  for (let round = 1; ; round += 1) {
    const moves = donorMoves(figures, Math.max(goal, needed));
    const moved = moves.reduce((sum, m) => sum + m.give, 0);
    if (moved < needed) return { kind: 'lost' };
    const items = [
      sliceMove(budgetId, target.slice, moved),
      ...moves.map((m) => sliceMove(budgetId, m.slice, -m.give)),
    ];
    let outcome: Awaited<ReturnType<typeof transactWrite>>;
    try {
      outcome = await transactWrite(items, randomUUID());
    } catch (cause) {
      return { kind: 'failed', cause };
    }
    if (outcome.committed) {
      sliceViews.saw(budgetId, target.slice, target.remaining + moved);
      for (const m of moves) sliceViews.saw(budgetId, m.slice, m.remaining - m.give);
      return { kind: 'moved' };
    }
    const { reasons } = outcome;
    if (isTransient(reasons))
      return { kind: 'failed', cause: new TransactionCancelledError('budget rebalance', reasons) };
    if (round >= REBALANCE_ROUNDS || conditionFailed(reasons, 0)) return { kind: 'lost' };
    // What the donors that lost their race have now; the others keep their figures.
    const now = new Map(
      moves.flatMap((m, i) =>
        conditionFailed(reasons, i + 1)
          ? [[m.slice, Number(reasons[i + 1]?.item?.['remaining'] ?? 0)] as const]
          : [],
      ),
    );
    figures = figures
      .map((f) => ({ slice: f.slice, remaining: now.get(f.slice) ?? f.remaining }))
      .sort((a, b) => b.remaining - a.remaining);
  }
}

/** Rounds of one rebalance: the first, then once more from the images of the donors that lost their race. */
const REBALANCE_ROUNDS = 2;

/** What each donor gives towards `goal`, largest remainders first. */
function donorMoves(
  donors: readonly SliceFigures[],
  goal: number,
): Array<{ slice: number; give: number; remaining: number }> {
  const moves: Array<{ slice: number; give: number; remaining: number }> = [];
  let left = goal;
  for (const donor of donors) {
    if (left === 0) break;
    const give = Math.min(donor.remaining, left);
    if (give > 0) moves.push({ slice: donor.slice, give, remaining: donor.remaining });
    left -= give;
  }
  return moves;
}

/** A slice's allotment and remainder moved by `by`: a donor (by < 0) only if it still has that much left. */
function sliceMove(budgetId: string, slice: number, by: number): TransactItem {
  return {
    Update: {
      TableName: budgetsTable,
      Key: sliceKey(budgetId, slice),
      UpdateExpression: 'SET allotted = allotted + :by, remaining = remaining + :by',
      ConditionExpression: by < 0 ? 'remaining >= :give' : 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':by': by, ...(by < 0 ? { ':give': -by } : {}) },
      ...(by < 0 ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    },
  };
}
