/**
 * Ratios measured in alternating rounds. On a shared 2-core machine the speed of everything drifts while a run
 * goes on (a sequential floor-then-service pair at c=16 drifted from 1.27 to 1.62 between runs), so every ratio
 * is taken as floor, service, floor, service, … with each round's ratio computed from its own adjacent pair, and
 * the summary reports the median of the rounds' ratios with their spread (max − min).
 */

export interface RatioStat {
  /** The median of the rounds' ratios: the number a target is checked against. */
  median: number;
  min: number;
  max: number;
  /** Each round's ratio, in the order the rounds ran. */
  rounds: number[];
}

/** At least this many rounds of each side, whatever the environment asks for. */
export const MIN_ROUNDS = 3;
/** Rounds of the ratios whose targets sit close to their run-to-run drift (authorize, budgets, installments). */
export const RATIO_ROUNDS = 9;

/**
 * Rounds for a phase: BENCH_ROUNDS when it is a whole number (never fewer than MIN_ROUNDS), else the phase's own
 * default (RATIO_ROUNDS unless given). One variable sets every phase at once.
 */
export function benchRounds(byDefault: number = RATIO_ROUNDS, env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env['BENCH_ROUNDS']);
  return Math.max(MIN_ROUNDS, env['BENCH_ROUNDS'] && Number.isInteger(asked) ? asked : byDefault);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ratioStat(ratios: readonly number[]): RatioStat {
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: [...ratios] };
}

/** Runs `floor` then `service`, `rounds` times (A B A B …); answers both sides' results in round order. */
export async function alternate<A, B>(
  rounds: number,
  floor: (round: number) => Promise<A> | A,
  service: (round: number) => Promise<B> | B,
): Promise<{ floor: A[]; service: B[] }> {
  if (rounds < MIN_ROUNDS) throw new Error(`at least ${MIN_ROUNDS} alternating rounds, not ${rounds}`);
  const out: { floor: A[]; service: B[] } = { floor: [], service: [] };
  for (let round = 0; round < rounds; round += 1) {
    out.floor.push(await floor(round));
    out.service.push(await service(round));
  }
  return out;
}

/** `ratio(service_i, floor_i)` for each round i. */
export function pairedRatios<A, B>(
  pairs: { floor: readonly A[]; service: readonly B[] },
  ratio: (service: B, floor: A) => number,
): RatioStat {
  return ratioStat(pairs.service.map((s, i) => ratio(s, pairs.floor[i]!)));
}

/** `1.16 (1.10–1.21)`: the median with the range of the rounds. */
export const describeStat = (s: RatioStat): string =>
  `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}, ${s.rounds.length} rounds)`;
