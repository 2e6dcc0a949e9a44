/**
 * The TypeScript client of the checkout authorization API (shared/API.md).
 *
 *   const checkout = new CheckoutClient({ baseUrl: 'http://127.0.0.1:3000', apiKey });
 *   const { data: hold } = await checkout.createAuthorization({ accountId, amount: 20_000, currency: 'CNY', orderId });
 *   const { data: captured, replayed } = await checkout.capture(hold.id, {}, { idempotencyKey: `capture-${orderId}` });
 *
 * Results: every method resolves with `ApiResponse<T>` = `{ data, status, requestId, replayed, idempotencyKey,
 * attempts }`. An explicit envelope rather than hidden metadata on `data`: `data` stays a plain resource
 * (spreadable, serialisable, deep-equal to what GET returns), and what the exchange said sits beside it.
 * `replayed: true` means the service answered from its idempotency store: the work was done by an earlier
 * request with the same key (possibly this call's own first attempt, whose answer was lost).
 *
 * Errors: non-2xx answers throw a CheckoutApiError subclass (DeclinedError for 402, with the declined
 * authorization); no answer throws CheckoutConnectionError / CheckoutTimeoutError. See errors.ts.
 *
 * Retries: network errors, timeouts (per attempt, `timeoutMs`), 429 and 5xx, at most `maxRetries`, with capped
 * full-jitter backoff or the service's Retry-After. Never other 4xx. Calls that could act twice retry only when
 * the service certainly did not act (retry-policy.ts). Money-moving calls reuse one Idempotency-Key.
 */
export {
  CheckoutClient,
  type CallOptions,
  type CheckoutClientOptions,
  type MoneyCallOptions,
} from './checkout-client.js';
export { ENDPOINTS, type EndpointSpec, type OperationId } from './endpoints.js';
export {
  AuthenticationError,
  CheckoutApiError,
  CheckoutConnectionError,
  CheckoutError,
  CheckoutTimeoutError,
  ConflictError,
  DeclinedError,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  UNEXPECTED_RESPONSE,
  UnexpectedResponseError,
  type ErrorBody,
  type ErrorCode,
  type ErrorType,
} from './errors.js';
export {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRIES_LIMIT,
  MAX_RETRY_AFTER_MS,
  MAX_TIMEOUT_MS,
  type RetryMode,
} from './retry-policy.js';
export type { ApiResponse, FetchLike, Sleep } from './transport.js';
export type * from './types.js';
