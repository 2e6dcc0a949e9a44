/**
 * Bounded retries with capped, full-jitter backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"),
 * inside a deadline well under the Lambda timeout, so contention never turns into a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Attempts of one logical write under contention. With the delays below this stays under ~1.5 s. */
export const MAX_WRITE_ATTEMPTS = 8;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 200;
/** Give up (503, safe to retry with the same key) before the function's own timeout. */
export const WRITE_DEADLINE_MS = 2_500;

export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export class RetriesExhaustedError extends Error {
  constructor(what: string) {
    super(`retries exhausted: ${what}`);
    this.name = 'RetriesExhaustedError';
  }
}

/**
 * Runs `attempt` until it returns a value other than RETRY, at most MAX_WRITE_ATTEMPTS times and within
 * WRITE_DEADLINE_MS; then throws RetriesExhaustedError (mapped to 503 `unavailable`).
 */
export const RETRY = Symbol('retry');
export async function withRetries<T>(what: string, attempt: (n: number) => Promise<T | typeof RETRY>): Promise<T> {
  const started = Date.now();
  for (let n = 0; n < MAX_WRITE_ATTEMPTS; n += 1) {
    const result = await attempt(n);
    if (result !== RETRY) return result;
    if (Date.now() - started > WRITE_DEADLINE_MS) break;
    await sleep(backoffDelayMs(n));
  }
  throw new RetriesExhaustedError(what);
}
