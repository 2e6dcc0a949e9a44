/**
 * Invariants asserted in code (TigerBeetle's TIGER_STYLE): a broken invariant is a bug, never a client's mistake,
 * so it throws an InvariantError (a 500 that says nothing to the client and everything to the log) instead of
 * letting wrong figures reach DynamoDB or a response. One condition per call, so a failure names exactly what
 * broke; assertions come in pairs, checked before an item is written and again when it is read.
 *
 * Imports nothing: every layer may use it.
 */

export class InvariantError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`invariant: ${message}`, options);
    this.name = 'InvariantError';
  }
}

/** Throws InvariantError(message) unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** The value, which the caller knows is there (an index in range, a match's group): InvariantError if not. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new InvariantError(`${what} is missing`);
  return value;
}
