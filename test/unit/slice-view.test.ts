/**
 * This environment's view of a budget's slices (shared/budgets/slice-view.ts): which slice a draw tries near
 * exhaustion. A guide only (the slice's guard decides), so what matters is that it points only at slices it saw
 * able to pay, spreads racing holds over them by what they have left, and stops guiding once it is old.
 */
import fc from 'fast-check';
import { SliceViews, weightedPick } from '../../shared/budgets/slice-view.js';

describe('weightedPick', () => {
  it('answers one of the candidates with something left, never one without', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 1_000_000 })), { maxLength: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (candidates, r) => {
          const picked = weightedPick(candidates, () => r);
          if (candidates.every(([, left]) => left === 0)) expect(picked).toBeUndefined();
          else expect(candidates.some(([slice, left]) => slice === picked && left > 0)).toBe(true);
        },
      ),
    );
  });

  it('picks each slice in proportion to its remainder', () => {
    const counts = new Map<number, number>();
    const candidates = [
      [1, 100],
      [2, 300],
      [3, 600],
    ] as const;
    for (let i = 0; i < 1_000; i += 1) {
      const picked = weightedPick(candidates, () => (i + 0.5) / 1_000);
      counts.set(picked!, (counts.get(picked!) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ 1: 100, 2: 300, 3: 600 });
  });
});

describe('SliceViews', () => {
  const clock = { now: 0 };
  const fresh = () =>
    new SliceViews(
      1_000,
      () => clock.now,
      () => 0.999,
    );
  beforeEach(() => {
    clock.now = 10_000;
  });

  it('knows nothing of a budget it has not read: no slice is short, none is picked', () => {
    const views = fresh();
    expect(views.short('b', 0, 1)).toBe(false);
    expect(views.pick('b', 1)).toBeUndefined();
  });

  it('points a hold whose slice it saw short at another slice it saw able to pay', () => {
    const views = fresh();
    views.read('b', [
      { slice: 0, remaining: 50 },
      { slice: 1, remaining: 5_000 },
      { slice: 2, remaining: 900 },
    ]);
    expect(views.short('b', 0, 100)).toBe(true);
    expect(views.short('b', 1, 100)).toBe(false);
    expect(views.pick('b', 1_000, 0)).toBe(1);
    // The only slice able to pay is the one to avoid: none.
    expect(views.pick('b', 1_000, 1)).toBeUndefined();
  });

  it('follows refusals and claimed draws, and stops guiding once its read is old', () => {
    const views = fresh();
    views.read('b', [
      { slice: 0, remaining: 1_000 },
      { slice: 1, remaining: 1_000 },
    ]);
    views.claim('b', 0, 600);
    expect(views.short('b', 0, 500)).toBe(true);
    views.saw('b', 1, 0);
    expect(views.pick('b', 500)).toBeUndefined();
    expect(views.pick('b', 400)).toBe(0);
    clock.now += 1_000;
    expect(views.short('b', 0, 500)).toBe(false);
    expect(views.pick('b', 400)).toBeUndefined();
  });

  it('counts draws in flight, so racing holds of one process spread over what the slices can pay', () => {
    const views = fresh();
    views.read('b', [
      { slice: 0, remaining: 500 },
      { slice: 1, remaining: 500 },
    ]);
    // Two holds of 400 in flight: each claims a slice; a third finds neither able to pay it.
    const first = views.pick('b', 400);
    expect(first).toBeDefined();
    const firstClaim = views.claim('b', first ?? -1, 400);
    const second = views.pick('b', 400);
    expect(second).toBe(first === 0 ? 1 : 0);
    views.claim('b', second ?? -1, 400);
    expect(views.pick('b', 400)).toBeUndefined();
    // The first attempt failed for another reason than its slice: its claim goes back.
    if (firstClaim) views.unclaim(firstClaim);
    expect(views.pick('b', 400)).toBe(first);
    expect(views.short('b', second ?? -1, 400)).toBe(true);
  });

  it('gives a claim back only to the view it was claimed on', () => {
    const views = fresh();
    expect(views.claim('b', 0, 100)).toBeUndefined();
    views.read('b', [
      { slice: 0, remaining: 500 },
      { slice: 1, remaining: 0 },
    ]);
    const claim = views.claim('b', 0, 400);
    expect(claim).toEqual({ budgetId: 'b', slice: 0, amount: 400, read: 1 });
    // A full read while the draw was in flight: slice 0 has 100 left (the draw committed, or another did).
    views.read('b', [
      { slice: 0, remaining: 100 },
      { slice: 1, remaining: 0 },
    ]);
    // The attempt then failed for another reason: the new read never held the claim, so nothing comes back.
    if (claim) views.unclaim(claim);
    expect(views.readAfter('b', 0)).toEqual([
      { slice: 0, remaining: 100 },
      { slice: 1, remaining: 0 },
    ]);
    expect(views.pick('b', 200)).toBeUndefined();
  });

  it('gives back only what a claim took from the view', () => {
    const views = fresh();
    views.read('b', [{ slice: 0, remaining: 100 }]);
    const claim = views.claim('b', 0, 400);
    expect(claim?.amount).toBe(100);
    expect(views.readAfter('b', 0)).toEqual([{ slice: 0, remaining: 0 }]);
    views.unclaim(claim!);
    expect(views.readAfter('b', 0)).toEqual([{ slice: 0, remaining: 100 }]);
  });

  it('gives a hold refused while another read the read that completed after it, with what was learnt since', () => {
    const views = fresh();
    expect(views.readsSoFar('b')).toBe(0);
    const before = views.readsSoFar('b');
    expect(views.readAfter('b', before)).toBeUndefined();
    views.read('b', [
      { slice: 0, remaining: 300 },
      { slice: 1, remaining: 700 },
    ]);
    views.claim('b', 1, 200);
    expect(views.readAfter('b', before)).toEqual([
      { slice: 0, remaining: 300 },
      { slice: 1, remaining: 500 },
    ]);
    // A hold refused after that read: nothing newer, it reads on its own.
    expect(views.readAfter('b', views.readsSoFar('b'))).toBeUndefined();
  });
});
