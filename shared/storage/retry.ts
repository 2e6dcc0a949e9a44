/**
 * Bounded retries with capped, full-jitter backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"),
 * inside a deadline well under the Lambda timeout, so contention never turns into a timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../assert.js';
import { config } from '../config.js';
import { API_TIMEOUT_SECONDS, runTimeoutMs } from '../function-timeouts.js';
import { RESPONSE_MARGIN_MS, timeLeftMs, withDeadline } from './deadline.js';
import { SDK_CALL_MAX_MS } from './dynamo-client.js';

/** Attempts of one logical write under contention. With the delays below this stays under ~1.5 s. */
export const MAX_WRITE_ATTEMPTS = 8;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 200;
/**
 * One logical write's whole budget, from its first attempt: no attempt starts and no DynamoDB call of it is
 * waited for after this (or after the invocation's own deadline, if that comes first). Then 503, safe to
 * retry with the same key, well before the API function's timeout. Times LOCAL_TIME_SCALE on DynamoDB Local.
 */
export const WRITE_DEADLINE_MS = 2_500 * config.localTimeScale;
/**
 * What we allow DynamoDB to apply a write it received just before we stopped waiting for it: its own
 * processing takes milliseconds. An allowance, not a bound DynamoDB documents.
 */
const LATE_APPLY_ALLOWANCE_MS = 1_000 * config.localTimeScale;
/**
 * The longest from an item's timestamp (a journal entry's `createdAt`) to its commit, for a stamp taken inside a
 * logical write (withRetries) or just before a lone transactWrite: every request of the write is sent before
 * WRITE_DEADLINE_MS has passed (a lone call's before SDK_CALL_MAX_MS, which is no later), never resent after,
 * and applied within LATE_APPLY_ALLOWANCE_MS of arriving. A reader that wants every entry stamped before T
 * already committed waits until T + this (3.5 s).
 */
export const WRITE_STAMP_TO_COMMIT_MAX_MS = WRITE_DEADLINE_MS + LATE_APPLY_ALLOWANCE_MS;

assert(
  WRITE_DEADLINE_MS <= runTimeoutMs(API_TIMEOUT_SECONDS, config.localTimeScale) - RESPONSE_MARGIN_MS,
  'a logical write must end, with the margin to answer 503, before the API function times out',
);
assert(
  SDK_CALL_MAX_MS <= WRITE_DEADLINE_MS,
  'a lone DynamoDB call must not outlast a logical write (WRITE_STAMP_TO_COMMIT_MAX_MS)',
);
/** The longest all the backoff waits of one logical write can add up to (each is at most its ceiling). */
const BACKOFF_TOTAL_MAX_MS = Array.from({ length: MAX_WRITE_ATTEMPTS }, (_, n) =>
  Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n),
).reduce((sum, ms) => sum + ms, 0);
assert(
  2 * BACKOFF_TOTAL_MAX_MS <= WRITE_DEADLINE_MS,
  'the waits between attempts must leave at least half the write deadline to the attempts themselves',
);

export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * A logical write that ran out of attempts or time (mapped to 503 `unavailable`). Its `cause` is the transient
 * failure of the last attempt that gave one (e.g. a TransactionCancelledError with `TransactionConflict`), so the
 * log says what kept failing; none when the last attempts only lost races (decide again).
 */
export class RetriesExhaustedError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`retries exhausted: ${what}`, options);
    this.name = 'RetriesExhaustedError';
  }
}

/** What an attempt returns to be run again: it lost a race (read and decide again), nothing failed. */
export const RETRY = Symbol('retry');

/** What an attempt returns to be run again after a transient failure (`cause`), kept for RetriesExhaustedError. */
export class RetryAfter {
  constructor(readonly cause: unknown) {}
}
export const retryAfter = (cause: unknown): RetryAfter => new RetryAfter(cause);

/** An attempt's answer: a result, or a request to run it again. */
export type Attempt<T> = T | typeof RETRY | RetryAfter;

function isAgain<T>(result: Attempt<T>): result is typeof RETRY | RetryAfter {
  return result === RETRY || result instanceof RetryAfter;
}

/**
 * Runs `attempt` until it returns a value other than RETRY or a RetryAfter, at most MAX_WRITE_ATTEMPTS times and
 * within min(WRITE_DEADLINE_MS, the time the invocation has left); then throws RetriesExhaustedError (mapped to
 * 503 `unavailable`), with the last transient failure as its cause. A DynamoDB call cut by that deadline throws
 * DeadlineExceededError (also a 503).
 */
export async function withRetries<T>(what: string, attempt: (n: number) => Promise<Attempt<T>>): Promise<T> {
  return withDeadline(Date.now() + WRITE_DEADLINE_MS, async () => {
    let lastCause: unknown;
    for (let n = 0; n < MAX_WRITE_ATTEMPTS && timeLeftMs() > 0; n += 1) {
      const result = await attempt(n);
      if (!isAgain(result)) return result;
      if (result instanceof RetryAfter) lastCause = result.cause;
      const delayMs = backoffDelayMs(n);
      // An attempt that could not start before the deadline is not worth the wait.
      if (timeLeftMs() <= delayMs) break;
      await sleep(delayMs);
    }
    throw new RetriesExhaustedError(what, lastCause === undefined ? {} : { cause: lastCause });
  });
}
