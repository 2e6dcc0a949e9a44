/**
 * When and how long to wait before the client tries a request again: pure functions and the limits they
 * use, so the policy is tested as a table with no clock and no network.
 *
 * What may be retried depends on what a repeat would do (RetryMode):
 * - `always`: repeating cannot change the outcome (GET, PUT, money-moving POSTs sent with the same
 *   Idempotency-Key, freeze/unfreeze). Retried on network errors, timeouts, 429 and 5xx.
 * - `unprocessed_only`: a repeat could act twice (a second API client, a second job, a review decided twice).
 *   Retried only when the request was certainly not acted on: 429, 503, or a refused connection.
 * Other 4xx answers are never retried: the same request would get the same answer.
 */

export type RetryMode = 'always' | 'unprocessed_only';

/** Retries after the first attempt, by default: rides out a deploy or a throttle burst without piling on. */
export const DEFAULT_MAX_RETRIES = 3;
/** No caller may ask for more: beyond this a retry storm costs more than the failure it hides. */
export const MAX_RETRIES_LIMIT = 10;
/** Per attempt: the service answers in tens of ms; 5 s is far beyond a healthy p99, well within a checkout. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** The most one attempt may be given (API Gateway's own integration timeout is 29 s). */
export const MAX_TIMEOUT_MS = 60_000;
/** First backoff ceiling; doubled per retry (full jitter draws uniformly below it). */
export const BACKOFF_BASE_MS = 100;
/** Backoff ceiling: retries keep coming while the caller still waits for a checkout answer. */
export const BACKOFF_CAP_MS = 2_000;
/** A longer Retry-After is not waited out: the error goes to the caller, who can decide. */
export const MAX_RETRY_AFTER_MS = 10_000;

export interface BackoffSettings {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: BACKOFF_BASE_MS, capMs: BACKOFF_CAP_MS };

/**
 * Capped full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"): a uniform
 * draw below min(cap, base * 2^retry). The jitter spreads clients that failed together, so they do not
 * return together. `retry` counts from 0; `random` returns [0, 1).
 */
export function backoffDelayMs(
  retry: number,
  random: () => number,
  settings: BackoffSettings = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(settings.capMs, settings.baseMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** 501 and 505 say the service will never do it: those 5xx are final. */
const PERMANENT_5XX: ReadonlySet<number> = new Set([501, 505]);

export function isRetryableStatus(status: number, mode: RetryMode): boolean {
  if (status === 429 || status === 503) return true;
  return mode === 'always' && status >= 500 && status <= 599 && !PERMANENT_5XX.has(status);
}

/** Network failures a repeat may follow: any, or (unprocessed_only) only a refused connection. */
export function isRetryableNetworkError(error: unknown, mode: RetryMode): boolean {
  return mode === 'always' || connectionRefused(error);
}

/** Node's fetch reports ECONNREFUSED as `cause.code`: nothing reached the service, so nothing happened. */
function connectionRefused(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

/**
 * How long to wait before retry number `retry` (from 0) after an HTTP answer: the service's Retry-After when
 * it gave one, else the backoff. `undefined` means do not retry (the service asked for longer than we wait).
 */
export function delayAfterStatusMs(
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
  settings: BackoffSettings & { maxRetryAfterMs: number },
): number | undefined {
  if (retryAfterMs === undefined) return backoffDelayMs(retry, random, settings);
  return retryAfterMs > settings.maxRetryAfterMs ? undefined : retryAfterMs;
}
