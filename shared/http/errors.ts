/**
 * The HTTP shell's view of the contract's errors: the catalogue itself lives in shared/contract/errors.ts (domain
 * code returns its codes as data); this module adds ApiError, the exception the shell throws to answer one.
 * Handlers keep importing the catalogue from here, so the shell has one errors module.
 */
import { assert } from '../assert.js';
import { ERROR_CATALOGUE, type ErrorCode, retryAfterSecondsOf } from '../contract/errors.js';

export {
  DECLINE_CODES,
  type DeclineCode,
  ERROR_CATALOGUE,
  type ErrorBody,
  type ErrorCode,
  errorBody,
  isErrorCode,
  retryAfterSecondsOf,
} from '../contract/errors.js';

/** An expected failure that should become a contract error response. Thrown only inside the HTTP shell. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  /** The Retry-After header (whole seconds): on every 429 and 503, the catalogue's unless the answer knows better. */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly param?: string,
    /** Extra top-level fields of the error body (e.g. the declined `authorization`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'ApiError';
    this.status = ERROR_CATALOGUE[code].status;
    this.type = ERROR_CATALOGUE[code].type;
    this.retryAfterSeconds = retryAfterSecondsOf(code);
  }

  /** A 429 or 503 that knows how long the client should wait (e.g. until a cooldown ends), in whole seconds. */
  static retryAfter(code: ErrorCode, seconds: number): ApiError {
    const error = new ApiError(code);
    assert(error.retryAfterSeconds !== undefined, `${code} is not an answer that carries Retry-After`);
    assert(Number.isInteger(seconds) && seconds >= 1, 'Retry-After is a whole number of seconds, at least 1');
    return Object.assign(error, { retryAfterSeconds: seconds });
  }
}
