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
    budget: { budgetId: 'b', slice: 3, drawn: amount, captured: 0, returned: 0 },
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
  it('gives back exactly what it drew and did not capture; the slice moves by the same amounts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.array(step, { maxLength: 8 }), (amount, steps) => {
        let a = hold(amount);
        let sliceDrawn = amount;
        for (const s of steps) {
          const d = decide(a, s, T0 + 1_000);
          if (!d.ok) continue;
          sliceDrawn += (d.transition.budgetDraw?.amount ?? 0) - (d.transition.budgetReturn?.amount ?? 0);
          a = d.transition.next;
        }
        const b = a.budget!;
        expect(sliceDrawn).toBe(b.drawn - b.returned);
        expect(b.drawn).toBe(a.amount);
        expect(heldBudget(a)).toBe(heldAmount(a));
        if (!isLive(a)) expect(b.drawn - b.returned).toBe(a.capturedAmount);
      }),
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

  it("answers a hold's category budget before an overall one, in its currency and window only", async () => {
    const registry = new BudgetRegistry(async () => [
      ref({}),
      ref({ id: 'phones', category: 'phones' }),
      ref({ id: 'usd', currency: 'USD' }),
      ref({ id: 'later', category: 'tv', startsAt: '2026-06-19T00:00:00.000Z' }),
    ]);
    expect(registry.ready).toBe(false);
    await registry.load();
    expect(registry.covering('CNY', 'phones', at)?.id).toBe('phones');
    expect(registry.covering('CNY', 'tv', at)?.id).toBe('overall');
    expect(registry.covering('CNY', undefined, at)?.id).toBe('overall');
    expect(registry.covering('EUR', undefined, at)).toBeUndefined();
    expect(registry.covering('CNY', 'phones', '2026-06-20T00:00:00.000Z')).toBeUndefined();
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
    expect(registry.covering('CNY', 'mine', at)?.id).toBe('mine');
    expect(reads).toBe(2); // stale at once (max age 0): the read started, the answer came from the copy
    await registry.load();
    expect(registry.covering('CNY', 'theirs', at)?.id).toBe('theirs');
    expect(registry.covering('CNY', 'mine', at)?.id).toBe('mine');
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
    expect(registry.covering('CNY', undefined, at)?.id).toBe('overall');
    registry.endedAt('overall', '2026-06-17T00:00:00.000Z');
    expect(registry.covering('CNY', undefined, at)).toBeUndefined();
    expect(registry.byId('overall')?.endsAt).toBe('2026-06-17T00:00:00.000Z');
  });
});
