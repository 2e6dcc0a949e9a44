/**
 * What this execution environment last saw of each budget's slices: a guide for choosing which slice a draw
 * tries, never a guard (the slice's own condition decides every draw, so a stale view costs an attempt, never
 * exactness).
 *
 * A view exists only for a budget whose draw found a slice short here (a full read of its slices, then every
 * refusal's image and every draw keep it current). While it is fresh, a new hold whose hashed slice the view
 * shows short goes straight to a slice that covers it, and a refused draw tries one such slice before it reads
 * every slice again. Each choice is random, weighted by what the slices have left: holds racing one another near
 * exhaustion spread over the slices that can pay instead of all taking the richest.
 *
 * A draw in flight is claimed here as it is sent (`claim`) and given back if its attempt did not commit for
 * another reason than the slice (`unclaim`): where one process serves many holds at once (the local server),
 * the holds racing near exhaustion then see what the others are already drawing, and do not all send their draw
 * to a slice that can pay only one of them. A Lambda environment serves one hold at a time: there it only keeps
 * the view current.
 */

/** A slice's remainder as read. */
export interface SliceFigures {
  slice: number;
  remaining: number;
}

/** How long a full read of a budget's slices guides choices (its figures drift as other environments draw). */
export const SLICE_VIEW_MAX_AGE_MS = 1_000;

/** A draw in flight as claimed in a view: `read`, which full read of the budget the view was. */
export interface Claim {
  budgetId: string;
  slice: number;
  amount: number;
  read: number;
}

interface View {
  remaining: Map<number, number>;
  readAtMs: number;
  /** Which full read of the budget this is here (1, 2, ...): `readsSoFar`, `readAfter`. */
  read: number;
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
      read: this.readsSoFar(budgetId) + 1,
    });
  }

  /** How many full reads of the budget's slices this environment has made. */
  readsSoFar(budgetId: string): number {
    return this.#views.get(budgetId)?.read ?? 0;
  }

  /**
   * The slices as the view shows them now, if a full read completed after `reads` (readsSoFar) were made: a hold
   * refused while another hold here was reading takes that read as its own (it is at least as recent as the
   * refusal), with what refusals, draws in flight and rebalances taught the view since.
   */
  readAfter(budgetId: string, reads: number): SliceFigures[] | undefined {
    const view = this.#views.get(budgetId);
    if (!view || view.read <= reads) return undefined;
    return [...view.remaining].map(([slice, remaining]) => ({ slice, remaining }));
  }

  /** One slice as DynamoDB last showed it (a refused draw's image). */
  saw(budgetId: string, slice: number, remaining: number): void {
    this.#views.get(budgetId)?.remaining.set(slice, Math.max(0, remaining));
  }

  /**
   * A draw of `amount` sent to `slice` (a claim on what the view shows it has left): what `unclaim` needs, or
   * undefined when there is no view of the budget (nothing claimed).
   */
  claim(budgetId: string, slice: number, amount: number): Claim | undefined {
    const view = this.#views.get(budgetId);
    const left = view?.remaining.get(slice);
    if (!view || left === undefined) return undefined;
    // What the view had to give: a stale view may claim more than it shows, and only that much comes back.
    const taken = Math.min(left, amount);
    view.remaining.set(slice, left - taken);
    return { budgetId, slice, amount: taken, read: view.read };
  }

  /**
   * A claimed draw that did not take place for a reason other than the slice: the view has it back, if the view
   * is still the one it was claimed on. A full read since then does not contain the claim: giving it back there
   * would show a remainder the slice never had (near exhaustion, holds then chase slices that cannot pay).
   */
  unclaim(claim: Claim): void {
    const view = this.#views.get(claim.budgetId);
    const left = view?.remaining.get(claim.slice);
    if (view?.read === claim.read && left !== undefined) view.remaining.set(claim.slice, left + claim.amount);
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
