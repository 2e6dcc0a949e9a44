/**
 * Deadlines for DynamoDB calls, without threading them through every domain function. Each Lambda invocation
 * runs in an AsyncLocalStorage scope that holds the time by which its DynamoDB calls must have ended (the time
 * the invocation has left, less RESPONSE_MARGIN_MS to answer and log); a logical write (storage/retry.ts) opens
 * a shorter scope inside it, and scopes only ever shorten. The clients in dynamo-client.ts give every call an
 * abort signal that fires at min(its own cap, the time its scope has left).
 *
 * A call cut this way throws DeadlineExceededError, which the HTTP shell answers `503 unavailable`. The write
 * we stopped waiting for may still have committed: the client retries with the same Idempotency-Key, whose
 * request record makes the retry a replay (and the SDK's own retries of one transaction reuse its
 * ClientRequestToken). Outside any scope (scripts, the local scheduler, tests calling storage directly) only
 * each call's own cap applies.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What an invocation keeps after its last DynamoDB call is cut: building, logging and handing back the 503 takes
 * milliseconds; the rest absorbs a busy event loop and late timers, so the answer still beats Lambda's timeout.
 */
export const RESPONSE_MARGIN_MS = 500;

/** The epoch ms by which every DynamoDB call of the current scope must have ended. */
const deadlines = new AsyncLocalStorage<number>();

export class DeadlineExceededError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeadlineExceededError';
  }
}

/** Runs `fn` with a deadline: the earlier of `deadlineMs` and the deadline of the scope it runs in. */
export function withDeadline<T>(deadlineMs: number, fn: () => Promise<T>): Promise<T> {
  const outer = deadlines.getStore();
  return deadlines.run(outer === undefined ? deadlineMs : Math.min(outer, deadlineMs), fn);
}

/** Runs `fn` outside any deadline: work that outlives the invocation that started it (the local in-process refresh). */
export function withoutDeadline<T>(fn: () => T): T {
  return deadlines.exit(fn);
}

/** Milliseconds left in the current scope; Infinity outside any. */
export function timeLeftMs(nowMs: number = Date.now()): number {
  const deadline = deadlines.getStore();
  return deadline === undefined ? Infinity : deadline - nowMs;
}

/** The part of a Lambda context a deadline needs. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** Wraps a Lambda handler: everything it does runs within the invocation's time, less RESPONSE_MARGIN_MS. */
export function withInvocationDeadline<E, C extends InvocationClock, R>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return (event, context) =>
    withDeadline(Date.now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS, () =>
      handler(event, context),
    );
}

/**
 * Runs one call with an abort signal that fires after min(`capMs`, the time the scope has left); a call with no
 * time left is not made at all. Throws DeadlineExceededError (the SDK's error as its `cause`) when the signal
 * fired; a `callerSignal` also aborts the call, as itself.
 */
export async function withinDeadline<T>(
  what: string,
  capMs: number,
  call: (signal: AbortSignal) => Promise<T>,
  callerSignal?: AbortSignal,
): Promise<T> {
  const budgetMs = Math.min(capMs, timeLeftMs());
  if (budgetMs <= 0) throw new DeadlineExceededError(`${what}: not sent, the deadline has passed`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), budgetMs);
  const forward = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) forward();
  else callerSignal?.addEventListener('abort', forward, { once: true });
  try {
    return await call(controller.signal);
  } catch (error) {
    if (controller.signal.aborted && !callerSignal?.aborted) {
      throw new DeadlineExceededError(`${what}: cut after ${budgetMs} ms (its deadline)`, { cause: error });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', forward);
  }
}
