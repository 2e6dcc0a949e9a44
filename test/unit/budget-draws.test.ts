/**
 * A hold's budget part (shared/authorizations/model.ts) and the per-environment budget registry
 * (shared/budgets/registry.ts), without DynamoDB.
 */
import fc from 'fast-check';
import {
  type Authorization,
  decideCapture,
  decideExpire,
  decideIncrement,
  decideRelease,
  type Decision,
  heldAmount,
  heldBudget,
  isLive,
  withoutBudgetDraws,
} from '../../shared/authorizations/model.js';
import { hashedSlice } from '../../shared/budgets/draw.js';
import { BudgetRegistry, type BudgetRef } from '../../shared/budgets/registry.js';

const T0 = Date.parse('2026-06-18T00:00:00Z');

function hold(amount: number): Authorization {
  return {
    id: 'auth_AAAAAAAAAAAAAAAAAAAAAA',
    accountId: 'acc',
    clientId: 'cli',
    orderId: 'o',
    currency: 'CNY',
    amount,
    capturedAmount: 0,
    releasedAmount: 0,
    refundedAmount: 0,
    status: 'authorized',
    budgets: [
      { budgetId: 'b', slice: 3, drawn: amount, captured: 0, returned: 0 },
      { budgetId: 'c', slice: 0, drawn: amount, captured: 0, returned: 0 },
    ],
    expiresAt: new Date(T0 + 86_400_000).toISOString(),
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    version: 1,
  };
}

type Step =
  | { op: 'capture'; amount?: number | undefined; final?: boolean | undefined }
  | { op: 'release'; amount?: number | undefined }
  | { op: 'increment'; amount: number }
  | { op: 'expire' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('capture' as const),
    amount: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: undefined }),
    final: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({
    op: fc.constant('release' as const),
    amount: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: undefined }),
  }),
  fc.record({ op: fc.constant('increment' as const), amount: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ op: fc.constant('expire' as const) }),
);

function decide(a: Authorization, s: Step, nowMs: number): Decision {
  switch (s.op) {
    case 'capture':
      return decideCapture(a, s, nowMs);
    case 'release':
      return decideRelease(a, s, nowMs);
    case 'increment':
      return decideIncrement(a, s, nowMs, { reviewThresholdMinor: 10_000_000 });
    case 'expire':
      return decideExpire(a, nowMs + 2 * 86_400_000);
  }
}

describe("a hold's budget part", () => {
  it('gives back to each budget exactly what it drew and did not capture; each slice moves by the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.tuple(step, fc.boolean()), { maxLength: 8 }),
        (amount, steps) => {
          let a = hold(amount);
          const sliceDrawn = new Map([
            ['b', amount],
            ['c', amount],
          ]);
          for (const [s, cEnded] of steps) {
            const d = decide(a, s, T0 + 1_000);
            if (!d.ok) continue;
            // Budget c may have ended before an increment: the increment draws nothing from it.
            const t = cEnded ? withoutBudgetDraws(d.transition, a, new Set(['c'])) : d.transition;
            for (const m of t.budgetDraws ?? [])
              sliceDrawn.set(m.budgetId, sliceDrawn.get(m.budgetId)! + m.amount);
            for (const m of t.budgetReturns ?? [])
              sliceDrawn.set(m.budgetId, sliceDrawn.get(m.budgetId)! - m.amount);
            expect(new Set((t.budgetReturns ?? []).map((m) => m.budgetId)).size).toBe(
              t.budgetReturns?.length ?? 0,
            );
            a = t.next;
          }
          const [b, c] = a.budgets!;
          for (const x of [b!, c!]) {
            expect(sliceDrawn.get(x.budgetId)).toBe(x.drawn - x.returned);
            expect(heldBudget(a, x)).toBeLessThanOrEqual(heldAmount(a));
            if (!isLive(a)) expect(heldBudget(a, x)).toBe(0);
            if (!isLive(a)) expect(x.drawn - x.returned).toBeLessThanOrEqual(a.capturedAmount);
          }
          expect(b!.drawn).toBe(a.amount);
          expect(heldBudget(a, b)).toBe(heldAmount(a));
          if (!isLive(a)) expect(b!.drawn - b!.returned).toBe(a.capturedAmount);
        },
      ),
    );
  });
});

describe('hashedSlice', () => {
  it('is within the slices and spreads holds over them', () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8_000; i += 1) counts[hashedSlice(`auth_${i}`, 8)] += 1;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });
});

describe('BudgetRegistry', () => {
  const ref = (over: Partial<BudgetRef>): BudgetRef => ({
    id: 'overall',
    currency: 'CNY',
    startsAt: '2026-06-01T00:00:00.000Z',
    endsAt: '2026-06-20T00:00:00.000Z',
    slices: 4,
    ...over,
  });
  const at = '2026-06-18T00:00:00.000Z';
  const ids = (refs: readonly BudgetRef[]) => refs.map((r) => r.id);

  it("answers every budget covering a hold (overall and its category's), in its currency and window", async () => {
    const registry = new BudgetRegistry(async () => [
      ref({}),
      ref({ id: 'phones', category: 'phones' }),
      ref({ id: 'usd', currency: 'USD' }),
      ref({ id: 'later', category: 'tv', startsAt: '2026-06-19T00:00:00.000Z' }),
    ]);
    expect(registry.ready).toBe(false);
    await registry.load();
    expect(ids(registry.covering('CNY', 'phones', at))).toEqual(['overall', 'phones']);
    expect(ids(registry.covering('CNY', 'tv', at))).toEqual(['overall']);
    expect(ids(registry.covering('CNY', undefined, at))).toEqual(['overall']);
    expect(ids(registry.covering('EUR', undefined, at))).toEqual([]);
    expect(ids(registry.covering('CNY', 'phones', '2026-06-20T00:00:00.000Z'))).toEqual([]);
  });

  it('reads again only once stale, in the background, keeping its copy (and what it registered) meanwhile', async () => {
    let reads = 0;
    let answer: BudgetRef[] = [];
    const registry = new BudgetRegistry(async () => {
      reads += 1;
      return answer;
    }, 0);
    await registry.load();
    registry.register(ref({ id: 'mine', category: 'mine' }));
    answer = [ref({ id: 'theirs', category: 'theirs' })];
    expect(ids(registry.covering('CNY', 'mine', at))).toEqual(['mine']);
    expect(reads).toBe(2); // stale at once (max age 0): the read started, the answer came from the copy
    await registry.load();
    expect(ids(registry.covering('CNY', 'theirs', at))).toEqual(['theirs']);
    expect(ids(registry.covering('CNY', 'mine', at))).toEqual(['mine']);
  });

  it('keeps the last copy when a read fails, and learns an earlier end from a slice', async () => {
    let fail = false;
    const registry = new BudgetRegistry(async () => {
      if (fail) throw new Error('throttled');
      return [ref({})];
    }, 60_000);
    await registry.load();
    fail = true;
    await registry.load();
    expect(ids(registry.covering('CNY', undefined, at))).toEqual(['overall']);
    registry.endedAt('overall', '2026-06-17T00:00:00.000Z');
    expect(ids(registry.covering('CNY', undefined, at))).toEqual([]);
    expect(registry.byId('overall')?.endsAt).toBe('2026-06-17T00:00:00.000Z');
  });
});
