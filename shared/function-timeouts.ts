/**
 * The timeouts of the functions that answer HTTP, in one place: infra/ configures the functions with them, the
 * local server runs the same handlers under them, and the storage layer checks its own bounds against them when
 * it loads (an SDK retry budget or a write deadline longer than the function would turn the designed
 * `503 unavailable` into a Lambda timeout). No imports: the CDK app and every Lambda bundle load this file.
 */

/** API handlers: a few DynamoDB round trips plus bounded retries (2.5 s write deadline); 6 s is the hard stop. */
export const API_TIMEOUT_SECONDS = 6;
/** The authorizer makes at most one GetItem (its answers are cached 300 s per key). */
export const AUTHORIZER_TIMEOUT_SECONDS = 3;

/** A function's timeout as it runs here: the deployed one, times LOCAL_TIME_SCALE on DynamoDB Local. */
export const runTimeoutMs = (seconds: number, timeScale: number): number => seconds * 1_000 * timeScale;
