/**
 * Closed-loop load with autocannon and exact latencies: autocannon drives N connections; we collect every
 * response's hrtime duration from its events, so p50/p99 are exact, not histogram buckets.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  concurrency: number;
  requests: number;
  errors: number;
  /** Status code counts (for checking the run did what it meant to). */
  statuses: Record<string, number>;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface PreparedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Runs `fn` over `items` with at most `concurrency` in flight (a bounded worker pool). */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}

/** Sends every prepared request once, over `concurrency` keep-alive connections. */
export async function runLoad(
  label: string,
  url: string,
  concurrency: number,
  requests: PreparedRequest[],
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = process.hrtime.bigint();
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((ok, ko) => {
    finish = ok;
    fail = ko;
  });
  const instance = autocannon(
    {
      url,
      connections: concurrency,
      amount: requests.length,
      timeout: 30,
      requests: [
        {
          setupRequest: (request: autocannon.Request) => {
            const prepared = requests[next++ % requests.length]!;
            return {
              ...request,
              method: prepared.method,
              path: prepared.path,
              headers: prepared.headers,
              body: prepared.body ?? '',
            };
          },
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    latencies.push(responseTimeMs);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await done;
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency,
    requests: latencies.length,
    errors: result.errors + result.timeouts,
    statuses,
    opsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
