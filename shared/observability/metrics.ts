/**
 * Names of the service's own CloudWatch metrics, emitted as EMF (Powertools Metrics) by the functions and
 * alarmed on by infra/constructs/observability.ts: one place, so both sides always name the same metric. The
 * namespace and the `service` dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME,
 * which the stack sets on every function.
 */

/** Holds the expiry sweeper expired in one run. */
export const EXPIRED_HOLDS_METRIC = 'ExpiredHolds';
/** What one sweep could not do: holds whose expiry failed, plus shards it could not read. Their credit stays held. */
export const EXPIRY_FAILURES_METRIC = 'ExpiryFailures';
