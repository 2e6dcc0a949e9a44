/**
 * The bench's alternating rounds (bench/rounds.ts): floor and service strictly alternate, each round's ratio
 * comes from its own adjacent pair, and the reported value is the median of the rounds with their range.
 */
import fc from 'fast-check';
import { alternate, benchRounds, MIN_ROUNDS, median, pairedRatios, ratioStat } from '../../bench/rounds.js';

describe('bench rounds', () => {
  it('takes BENCH_ROUNDS when it is a whole number, never fewer than the minimum, else the phase default', () => {
    expect(benchRounds(9, {})).toBe(9);
    expect(benchRounds(5, { BENCH_ROUNDS: '7' })).toBe(7);
    expect(benchRounds(9, { BENCH_ROUNDS: '1' })).toBe(MIN_ROUNDS);
    expect(benchRounds(9, { BENCH_ROUNDS: 'many' })).toBe(9);
    expect(benchRounds(9, { BENCH_ROUNDS: '' })).toBe(9);
    expect(benchRounds(5, { BENCH_ROUNDS: '4.5' })).toBe(5);
  });

  it('runs floor and service alternately, floor first, the number of rounds asked', async () => {
    const order: string[] = [];
    const pairs = await alternate(
      4,
      (i) => {
        order.push(`floor${i}`);
        return i;
      },
      async (i) => {
        order.push(`service${i}`);
        return 10 * i;
      },
    );
    expect(order).toEqual([
      'floor0',
      'service0',
      'floor1',
      'service1',
      'floor2',
      'service2',
      'floor3',
      'service3',
    ]);
    expect(pairs).toEqual({ floor: [0, 1, 2, 3], service: [0, 10, 20, 30] });
  });

  it('refuses fewer than three rounds', async () => {
    await expect(
      alternate(
        2,
        () => 1,
        () => 1,
      ),
    ).rejects.toThrow(/at least 3/);
  });

  it('pairs each service result with the floor of its own round', () => {
    const stat = pairedRatios({ floor: [10, 20, 40], service: [12, 30, 44] }, (s, f) => s / f);
    expect(stat.rounds).toEqual([1.2, 1.5, 1.1]);
    expect(stat.median).toBeCloseTo(1.2);
    expect(stat.min).toBeCloseTo(1.1);
    expect(stat.max).toBeCloseTo(1.5);
  });

  it('a drift that slows both sides alike leaves the median ratio where it was', () => {
    // The machine gets slower round by round; every round's pair drifts together.
    const floor = [10, 15, 22, 30, 41];
    const service = floor.map((f) => f * 1.25);
    expect(pairedRatios({ floor, service }, (s, f) => s / f).median).toBeCloseTo(1.25);
  });

  it('the median lies within the range and is an element (odd counts) or the mean of the middle two', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (xs) => {
          const s = ratioStat(xs);
          expect(s.min).toBeLessThanOrEqual(s.median);
          expect(s.median).toBeLessThanOrEqual(s.max);
          const sorted = [...xs].sort((a, b) => a - b);
          const below = sorted.filter((x) => x < s.median).length;
          const above = sorted.filter((x) => x > s.median).length;
          expect(below).toBeLessThanOrEqual(Math.floor(xs.length / 2));
          expect(above).toBeLessThanOrEqual(Math.floor(xs.length / 2));
          if (xs.length % 2 === 1) expect(xs).toContain(median(xs));
        },
      ),
    );
  });
});
