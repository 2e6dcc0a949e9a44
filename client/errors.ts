/**
 * The client's errors, as a class hierarchy callers can `instanceof` (Stripe's shape):
 *
 *   CheckoutError                      anything the client throws on purpose
 *   ├─ CheckoutApiError                the service answered non-2xx: status, type, code, message, param, requestId
 *   │  ├─ InvalidRequestError          400, 405, 413, 415
 *   │  ├─ AuthenticationError          401
 *   │  ├─ DeclinedError                402, with the declined `authorization`
 *   │  ├─ PermissionError              403
 *   │  ├─ NotFoundError                404
 *   │  ├─ ConflictError                409
 *   │  │  └─ IdempotencyError          409 idempotency_key_reused
 *   │  ├─ RateLimitError               429, with `retryAfterMs` when the service said
 *   │  └─ ServerError                  5xx
 *   ├─ CheckoutConnectionError         no answer (network failure) after the retries allowed
 *   │  └─ CheckoutTimeoutError         no answer within timeoutMs
 *   └─ UnexpectedResponseError         a 2xx whose body is not the JSON the contract promises
 *
 * Every error of a money-moving call carries the `idempotencyKey` it was sent with: after a connection error
 * the outcome is unknown, and calling again with that key is how to learn it without moving money twice.
 */
import type { components } from './generated/openapi.js';
import type { Authorization, DeclineCode } from './types.js';

/** The service's stable error codes (API.md "Errors"). Open-ended: the contract may add codes. */
export type ErrorCode =
  | 'invalid_json'
  | 'validation_failed'
  | 'invalid_cursor'
  | 'unknown_field'
  | 'currency_mismatch'
  | 'missing_idempotency_key'
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'insufficient_scope'
  | 'account_not_found'
  | 'authorization_not_found'
  | 'route_not_found'
  | 'job_not_found'
  | 'promotion_not_found'
  | 'client_not_found'
  | 'installment_plan_not_found'
  | 'installments_not_offered'
  | 'installment_plan_limit_reached'
  | 'coupon_unavailable'
  | 'coupon_not_applicable'
  | 'budget_not_found'
  | 'webhook_endpoint_not_found'
  | 'notification_not_found'
  | 'method_not_allowed'
  | DeclineCode
  | 'idempotency_key_reused'
  | 'invalid_state'
  | 'authorization_expired'
  | 'amount_exceeds_remaining'
  | 'account_exists'
  | 'promotion_exists'
  | 'budget_exists'
  | 'amount_below_drawn'
  | 'budget_ended'
  | 'campaign_conflict'
  | 'client_revoked'
  | 'too_many_api_keys'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'internal_error'
  | 'unavailable';

/** The error types of the service's catalogue (the OpenAPI document's ErrorDetail.type). */
export type ErrorType = components['schemas']['ErrorDetail']['type'];

/** A non-2xx body: `{error: {type, code, message, param?}}`, plus the authorization on declines. */
export interface ErrorBody {
  error: {
    type: ErrorType | (string & {});
    code: ErrorCode | (string & {});
    message: string;
    param?: string;
  };
  authorization?: Authorization;
}

export class CheckoutError extends Error {
  /** The Idempotency-Key the request was sent with (money-moving calls only). */
  readonly idempotencyKey: string | undefined;

  constructor(message: string, options: { idempotencyKey?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.idempotencyKey = options.idempotencyKey;
  }
}

/** What the transport knows about a non-2xx answer. */
export interface ApiErrorDetails {
  status: number;
  body: ErrorBody;
  requestId: string | undefined;
  replayed: boolean;
  idempotencyKey: string | undefined;
  /** From Retry-After, when present. */
  retryAfterMs?: number | undefined;
}

export class CheckoutApiError extends CheckoutError {
  readonly status: number;
  readonly type: ErrorType | (string & {});
  readonly code: ErrorCode | (string & {});
  readonly param: string | undefined;
  /** The service's x-request-id: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;

  constructor(details: ApiErrorDetails) {
    super(details.body.error.message, { idempotencyKey: details.idempotencyKey });
    this.status = details.status;
    this.type = details.body.error.type;
    this.code = details.body.error.code;
    this.param = details.body.error.param;
    this.requestId = details.requestId;
    this.replayed = details.replayed;
  }
}

export class InvalidRequestError extends CheckoutApiError {}
export class AuthenticationError extends CheckoutApiError {}
export class PermissionError extends CheckoutApiError {}
export class NotFoundError extends CheckoutApiError {}
export class ConflictError extends CheckoutApiError {}
export class IdempotencyError extends ConflictError {}
export class ServerError extends CheckoutApiError {}

/** 402: the service declined. On a reserve the declined authorization was created (GET finds it). */
export class DeclinedError extends CheckoutApiError {
  /**
   * POST /v1/authorizations: the declined authorization (status `declined`, `declineCode`). Increment: the hold
   * as it stays, absent when the hold itself may not grow.
   */
  readonly authorization: Authorization | undefined;

  constructor(details: ApiErrorDetails) {
    super(details);
    this.authorization = details.body.authorization;
  }

  get declineCode(): DeclineCode | (string & {}) {
    return this.code;
  }
}

export class RateLimitError extends CheckoutApiError {
  /** How long the service asked to wait (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(details: ApiErrorDetails) {
    super(details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

export class CheckoutConnectionError extends CheckoutError {
  /** Requests sent, including the first. */
  readonly attempts: number;

  constructor(
    message: string,
    options: { attempts: number; idempotencyKey?: string | undefined; cause?: unknown },
  ) {
    super(message, options);
    this.attempts = options.attempts;
  }
}

export class CheckoutTimeoutError extends CheckoutConnectionError {
  readonly timeoutMs: number;

  constructor(options: {
    timeoutMs: number;
    attempts: number;
    idempotencyKey?: string | undefined;
    cause?: unknown;
  }) {
    super(`no answer within ${options.timeoutMs} ms`, options);
    this.timeoutMs = options.timeoutMs;
  }
}

export class UnexpectedResponseError extends CheckoutError {
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(
    message: string,
    options: {
      status: number;
      requestId: string | undefined;
      idempotencyKey?: string | undefined;
      cause?: unknown;
    },
  ) {
    super(message, options);
    this.status = options.status;
    this.requestId = options.requestId;
  }
}

/** The error class for an HTTP status (and, for 409, the code). */
export function apiErrorFor(details: ApiErrorDetails): CheckoutApiError {
  const { status } = details;
  if (status === 402) return new DeclinedError(details);
  if (status === 401) return new AuthenticationError(details);
  if (status === 403) return new PermissionError(details);
  if (status === 404) return new NotFoundError(details);
  if (status === 409)
    return details.body.error.code === 'idempotency_key_reused'
      ? new IdempotencyError(details)
      : new ConflictError(details);
  if (status === 429) return new RateLimitError(details);
  if (status >= 500) return new ServerError(details);
  if (status >= 400) return new InvalidRequestError(details);
  return new CheckoutApiError(details);
}

/**
 * The error body for a non-2xx answer that is not the contract's (a proxy's HTML page, say): the type follows
 * the status, the code says plainly that the service did not produce it.
 */
export function fallbackErrorBody(status: number, text: string): ErrorBody {
  const type: ErrorType =
    status === 429
      ? 'rate_limited'
      : status >= 500
        ? 'internal'
        : status === 404
          ? 'not_found'
          : status === 401
            ? 'authentication'
            : 'invalid_request';
  const quoted = text ? `: ${text.slice(0, MAX_QUOTED_BODY_CHARS)}` : '';
  return {
    error: {
      type,
      code: UNEXPECTED_RESPONSE,
      message: `HTTP ${status} without a contract error body${quoted}`,
    },
  };
}

/** The code of errors built from non-contract answers; never sent by the service itself. */
export const UNEXPECTED_RESPONSE = 'unexpected_response';

/** How much of a foreign body an error message quotes: enough to recognise it, never a whole page. */
const MAX_QUOTED_BODY_CHARS = 200;

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
