/**
 * One API call over fetch: headers, the per-attempt deadline, the retry loop and the mapping of answers to
 * results or typed errors. The Idempotency-Key is fixed by the caller of `send` before the first attempt, so
 * every retry of a money-moving call carries the same key and the service applies it at most once.
 */
import {
  CheckoutConnectionError,
  CheckoutTimeoutError,
  UnexpectedResponseError,
  apiErrorFor,
  fallbackErrorBody,
  isErrorBody,
} from './errors.js';
import {
  type BackoffSettings,
  type RetryMode,
  backoffDelayMs,
  delayAfterStatusMs,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfterMs,
} from './retry-policy.js';

/** The part of `fetch` the client uses; `globalThis.fetch` is one. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;
/** Waits `ms`, rejecting early with the signal's reason when it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * A successful call. `data` is the resource; the rest is what the HTTP exchange said about it.
 * `replayed` is true when the service answered from its idempotency store (header `idempotent-replayed`):
 * an earlier request with this key, perhaps one whose answer was lost, already did the work.
 */
export interface ApiResponse<T> {
  data: T;
  status: number;
  /** x-request-id of the answering attempt. */
  requestId: string | undefined;
  replayed: boolean;
  /** The key sent (money-moving calls), the same on every attempt. */
  idempotencyKey: string | undefined;
  /** Requests sent, including the first. */
  attempts: number;
}

export interface TransportSettings {
  /** Without a trailing slash. */
  baseUrl: string;
  apiKey: string;
  fetch: FetchLike;
  sleep: Sleep;
  random: () => number;
  backoff: BackoffSettings;
  maxRetryAfterMs: number;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Placeholders already filled. */
  path: string;
  query?: Readonly<Record<string, string | number | undefined>>;
  /** JSON-serialised when present. */
  body?: unknown;
  idempotencyKey?: string;
  retry: RetryMode;
  timeoutMs: number;
  maxRetries: number;
  /** The caller's cancellation: stops the current attempt and any further ones. */
  signal?: AbortSignal;
}

type AttemptOutcome =
  | { kind: 'answer'; status: number; headers: Headers; text: string }
  | { kind: 'failure'; error: unknown; timedOut: boolean };

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function urlOf(baseUrl: string, path: string, query: OutgoingRequest['query']): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {}))
    if (value !== undefined) search.set(name, String(value));
  const qs = search.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
}

function requestInit(settings: TransportSettings, request: OutgoingRequest): RequestInit {
  const headers: Record<string, string> = {
    authorization: `Bearer ${settings.apiKey}`,
    accept: 'application/json',
  };
  if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
  if (request.body === undefined) return { method: request.method, headers };
  headers['content-type'] = 'application/json';
  return { method: request.method, headers, body: JSON.stringify(request.body) };
}

/**
 * One attempt within its deadline. The deadline covers reading the body too (a stalled body is a timeout),
 * and is enforced by racing the abort as well, so a fetch that ignores its signal cannot hang the caller.
 */
async function attemptOnce(
  settings: TransportSettings,
  url: string,
  init: RequestInit,
  request: OutgoingRequest,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`attempt exceeded ${request.timeoutMs} ms`));
  }, request.timeoutMs);
  const onCallerAbort = () => controller.abort(request.signal?.reason);
  if (request.signal?.aborted) onCallerAbort();
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const aborted = new Promise<never>((_resolve, reject) => {
    const fail = () => reject(controller.signal.reason);
    if (controller.signal.aborted) fail();
    else controller.signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined); // only observed through the races below
  try {
    const response = await Promise.race([
      settings.fetch(url, { ...init, signal: controller.signal }),
      aborted,
    ]);
    const text = await Promise.race([response.text(), aborted]);
    return { kind: 'answer', status: response.status, headers: response.headers, text };
  } catch (error) {
    return { kind: 'failure', error, timedOut };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: text === '' ? undefined : JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What one attempt leads to: the answer, an error for the caller, or another attempt after a wait. */
type Next<T> =
  | { kind: 'done'; response: ApiResponse<T> }
  | { kind: 'fail'; error: Error }
  | { kind: 'retry'; delayMs: number };

/** Sends the request, retrying what the policy allows; resolves with the result or throws a CheckoutError. */
export async function send<T>(
  settings: TransportSettings,
  request: OutgoingRequest,
): Promise<ApiResponse<T>> {
  const url = urlOf(settings.baseUrl, request.path, request.query);
  const init = requestInit(settings, request);
  for (let attempts = 1; ; attempts += 1) {
    request.signal?.throwIfAborted();
    const outcome = await attemptOnce(settings, url, init, request);
    let next: Next<T>;
    if (outcome.kind === 'failure') {
      // The caller's own cancellation is theirs to see, as the AbortSignal's reason; never retried.
      if (request.signal?.aborted) throw request.signal.reason;
      next = afterFailure(settings, request, outcome, attempts);
    } else if (outcome.status >= 200 && outcome.status < 300) {
      next = afterSuccess<T>(request, outcome, attempts);
    } else {
      next = afterErrorStatus(settings, request, outcome, Date.now(), attempts);
    }
    if (next.kind === 'done') return next.response;
    if (next.kind === 'fail') throw next.error;
    await settings.sleep(next.delayMs, request.signal);
  }
}

type Failure = Extract<AttemptOutcome, { kind: 'failure' }>;
type Answer = Extract<AttemptOutcome, { kind: 'answer' }>;

/** Whether another attempt is allowed at all: `attempts` counts the ones already sent. */
const retriesLeft = (request: OutgoingRequest, attempts: number): boolean => attempts <= request.maxRetries;

/** No answer (a timeout or a network error): retried with backoff where a repeat is safe. */
function afterFailure(
  settings: TransportSettings,
  request: OutgoingRequest,
  outcome: Failure,
  attempts: number,
): Next<never> {
  const { idempotencyKey } = request;
  const error = outcome.timedOut
    ? new CheckoutTimeoutError({
        timeoutMs: request.timeoutMs,
        attempts,
        idempotencyKey,
        cause: outcome.error,
      })
    : new CheckoutConnectionError(`request failed: ${String(outcome.error)}`, {
        attempts,
        idempotencyKey,
        cause: outcome.error,
      });
  if (!retriesLeft(request, attempts) || !isRetryableNetworkError(outcome.error, request.retry))
    return { kind: 'fail', error };
  return { kind: 'retry', delayMs: backoffDelayMs(attempts - 1, settings.random, settings.backoff) };
}

/** A 2xx answer: the resource, unless the body is not JSON (never retried: the service did the work). */
function afterSuccess<T>(request: OutgoingRequest, outcome: Answer, attempts: number): Next<T> {
  const { idempotencyKey } = request;
  const requestId = outcome.headers.get('x-request-id') ?? undefined;
  const parsed = parseJson(outcome.text);
  if (!parsed.ok) {
    const error = new UnexpectedResponseError(`HTTP ${outcome.status} with a body that is not JSON`, {
      status: outcome.status,
      requestId,
      idempotencyKey,
      cause: parsed.error,
    });
    return { kind: 'fail', error };
  }
  const response: ApiResponse<T> = {
    data: parsed.value as T,
    status: outcome.status,
    requestId,
    replayed: outcome.headers.get('idempotent-replayed') === 'true',
    idempotencyKey,
    attempts,
  };
  return { kind: 'done', response };
}

/** Any other status: its typed error, or another attempt where the status and Retry-After allow one. */
function afterErrorStatus(
  settings: TransportSettings,
  request: OutgoingRequest,
  outcome: Answer,
  nowMs: number,
  attempts: number,
): Next<never> {
  const parsed = parseJson(outcome.text);
  const retryAfterMs = parseRetryAfterMs(outcome.headers.get('retry-after'), nowMs);
  const body =
    parsed.ok && isErrorBody(parsed.value) ? parsed.value : fallbackErrorBody(outcome.status, outcome.text);
  const error = apiErrorFor({
    status: outcome.status,
    body,
    requestId: outcome.headers.get('x-request-id') ?? undefined,
    replayed: outcome.headers.get('idempotent-replayed') === 'true',
    idempotencyKey: request.idempotencyKey,
    retryAfterMs,
  });
  if (!retriesLeft(request, attempts) || !isRetryableStatus(outcome.status, request.retry))
    return { kind: 'fail', error };
  const delayMs = delayAfterStatusMs(attempts - 1, retryAfterMs, settings.random, {
    ...settings.backoff,
    maxRetryAfterMs: settings.maxRetryAfterMs,
  });
  return delayMs === undefined ? { kind: 'fail', error } : { kind: 'retry', delayMs };
}
