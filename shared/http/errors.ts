/**
 * The HTTP shell's view of the contract's errors: the catalogue itself lives in shared/contract/errors.ts (domain
 * code returns its codes as data); this module adds ApiError, the exception the shell throws to answer one.
 * Handlers keep importing the catalogue from here, so the shell has one errors module.
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../contract/errors.js';

export {
  type DeclineCode,
  ERROR_CATALOGUE,
  type ErrorBody,
  type ErrorCode,
  errorBody,
  isErrorCode,
} from '../contract/errors.js';

/** An expected failure that should become a contract error response. Thrown only inside the HTTP shell. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
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
  }
}
