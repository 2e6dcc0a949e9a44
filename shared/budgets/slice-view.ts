/**
 * What this execution environment last saw of each budget's slices: a guide for choosing which slice a draw
 * tries, never a guard (the slice's own condition decides every draw, so a stale view costs an attempt, never
 * exactness).
 *
 * A view exists only for a budget whose draw found a slice short here (a full read of its slices, then every
 * refusal's image and every committed draw keep it current). While it is fresh, a new hold whose hashed slice
 * the view shows short goes straight to a slice that covers it, and a refused draw tries one such slice before
 * it reads every slice again. Each choice is random, weighted by what the slices have left: holds racing one
 * another near exhaustion spread over the slices that can pay instead of all taking the richest.
 */

/** A slice's remainder as read. */
export interface SliceFigures {
  slice: number;
  remaining: number;
}

/** How long a full read of a budget's slices guides choices (its figures drift as other environments draw). */
export const SLICE_VIEW_MAX_AGE_MS = 1_000;

interface View {
  remaining: Map<number, number>;
  readAtMs: number;
}

export class SliceViews {
  #views = new Map<string, View>();

  constructor(
    private readonly maxAgeMs = SLICE_VIEW_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** A full read of the budget's slices. */
  read(budgetId: string, figures: readonly SliceFigures[]): void {
    this.#views.set(budgetId, {
      remaining: new Map(figures.map((f) => [f.slice, f.remaining])),
      readAtMs: this.now(),
    });
  }

  /** One slice as DynamoDB last showed it (a refused draw's image). */
  saw(budgetId: string, slice: number, remaining: number): void {
    this.#views.get(budgetId)?.remaining.set(slice, Math.max(0, remaining));
  }

  /** A draw of `amount` committed on `slice`. */
  drew(budgetId: string, slice: number, amount: number): void {
    const left = this.#views.get(budgetId)?.remaining.get(slice);
    if (left !== undefined) this.saw(budgetId, slice, left - amount);
  }

  /** Whether a fresh view shows `slice` unable to pay `amount`. */
  short(budgetId: string, slice: number, amount: number): boolean {
    const left = this.#fresh(budgetId)?.remaining.get(slice);
    return left !== undefined && left < amount;
  }

  /**
   * A slice other than `except` that a fresh view shows able to pay `amount`, chosen at random weighted by its
   * remainder; undefined when there is no fresh view or no such slice.
   */
  pick(budgetId: string, amount: number, except?: number): number | undefined {
    const view = this.#fresh(budgetId);
    if (!view) return undefined;
    return weightedPick(
      [...view.remaining].filter(([s, left]) => s !== except && left >= amount),
      this.random,
    );
  }

  #fresh(budgetId: string): View | undefined {
    const view = this.#views.get(budgetId);
    return view && this.now() - view.readAtMs < this.maxAgeMs ? view : undefined;
  }
}

/** One of `candidates` ([slice, remaining]), at random with probability proportional to its remainder. */
export function weightedPick(
  candidates: ReadonlyArray<readonly [number, number]>,
  random: () => number = Math.random,
): number | undefined {
  const able = candidates.filter(([, left]) => left > 0);
  const total = able.reduce((sum, [, left]) => sum + left, 0);
  let at = random() * total;
  for (const [slice, left] of able) {
    if (at < left) return slice;
    at -= left;
  }
  return able[able.length - 1]?.[0];
}

/** This execution environment's views. */
export const sliceViews = new SliceViews();
