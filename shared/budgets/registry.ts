/**
 * The budgets this execution environment knows of, so an authorize learns which budget covers its hold without a
 * read on the request path. The registry (partition BUDGETS, one item per budget: its window, currency, category
 * and slice count) is read once when the environment first needs it (in Lambda: at init), then again off the
 * request path once it is older than BUDGET_REGISTRY_MAX_AGE_SECONDS: the request that finds it stale starts the
 * read and goes on with the copy it has. A budget created in this process is registered here at once; another
 * process learns of it within the max age (the propagation delay, docs/BUDGETS.md). Ending or adjusting a budget
 * needs no propagation: the slices carry the window and the amount, and the draw's guard reads them.
 *
 * With no budget in force the hot path does one comparison of the clock and one of an empty list.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.js';
import { logger } from '../observability/logger.js';
import { documentClient, tableName as mainTable } from '../storage/dynamo-client.js';
import { budgetsTableOf } from './table.js';

/** Budget items live in the budgets table (table.ts). */
const budgetsTable = budgetsTableOf(mainTable);

export const BUDGETS_PARTITION = 'BUDGETS';

/** What an authorize needs to know of a budget: whether it covers a hold, and how many slices it has. */
export interface BudgetRef {
  id: string;
  currency: string;
  category?: string;
  startsAt: string;
  endsAt: string;
  slices: number;
}

/** Reads every registry entry (a budget is a few hundred bytes: one page holds thousands). */
async function readRegistry(): Promise<BudgetRef[]> {
  const refs: BudgetRef[] = [];
  let from: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: budgetsTable,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': BUDGETS_PARTITION },
        ...(from ? { ExclusiveStartKey: from } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { id, currency, category, startsAt, endsAt, slices } = item as BudgetRef;
      refs.push({ id, currency, startsAt, endsAt, slices, ...(category === undefined ? {} : { category }) });
    }
    from = page.LastEvaluatedKey;
  } while (from);
  return refs;
}

const NONE: readonly BudgetRef[] = [];

export class BudgetRegistry {
  #refs = new Map<string, BudgetRef>();
  /** Not yet read (first use waits for the read), or the instant the copy goes stale. */
  #staleAtMs: number | undefined;
  #reading: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<BudgetRef[]> = readRegistry,
    private readonly maxAgeMs: number = config.budgetRegistryMaxAgeSeconds * 1000,
  ) {}

  /** Reads the registry now (init, or a test that wants another process's budgets at once). */
  async load(): Promise<void> {
    this.#reading ??= this.read()
      .then((refs) => {
        // Budgets registered here meanwhile stay (the read may have started before their creation committed).
        const known = new Map(refs.map((r) => [r.id, r]));
        for (const [id, ref] of this.#refs) if (!known.has(id)) known.set(id, ref);
        this.#refs = known;
        this.#staleAtMs = Date.now() + this.maxAgeMs;
      })
      .catch((error: unknown) => {
        // The last copy stays (none on a first read); asked again after the max age.
        logger.error('budget registry could not be read: keeping the last copy', { error });
        this.#staleAtMs = Date.now() + this.maxAgeMs;
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  /** Whether this environment has read the registry once (else `load()` first: an environment's first use). */
  get ready(): boolean {
    return this.#staleAtMs !== undefined;
  }

  /**
   * Every budget covering a hold in `currency` and `category` at `nowIso` (contract: every budget covering a
   * hold draws from it): the overall ones and its category's, in id order. A stale copy is refreshed in the
   * background; this answers from the copy it has.
   */
  covering(currency: string, category: string | undefined, nowIso: string): readonly BudgetRef[] {
    if (this.#staleAtMs !== undefined && Date.now() >= this.#staleAtMs && !this.#reading) void this.load();
    if (this.#refs.size === 0) return NONE;
    const out: BudgetRef[] = [];
    for (const ref of this.#refs.values()) {
      if (ref.currency !== currency || nowIso < ref.startsAt || nowIso >= ref.endsAt) continue;
      if (ref.category === undefined || ref.category === category) out.push(ref);
    }
    return out.length > 1 ? out.sort((x, y) => (x.id < y.id ? -1 : 1)) : out;
  }

  /** A budget by its id, in force or not. */
  byId(budgetId: string): BudgetRef | undefined {
    return this.#refs.get(budgetId);
  }

  /** A budget created, adjusted or ended in this process: known here at once. */
  register(ref: BudgetRef): void {
    this.#refs.set(ref.id, ref);
  }

  /** A budget's slices said it has ended sooner than this copy knew (POST /end in another process). */
  endedAt(budgetId: string, endsAt: string): void {
    const ref = this.#refs.get(budgetId);
    if (ref && endsAt < ref.endsAt) this.#refs.set(budgetId, { ...ref, endsAt });
  }
}

/** This execution environment's registry. */
export const budgetRegistry = new BudgetRegistry();
