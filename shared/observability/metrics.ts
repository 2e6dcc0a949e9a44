/**
 * The service's own CloudWatch metrics: names and dimensions, shared by the code that writes them as
 * EMF (shared/observability/emf.ts) and the alarms and dashboard that read them (infra/constructs/observability.ts),
 * so both sides always name the same metric. Every metric also carries Powertools' `service` dimension. Their
 * namespace is the stage's (infra/names.ts), handed to the functions as POWERTOOLS_METRICS_NAMESPACE.
 *
 * Imports nothing: the CDK app reads it without loading any service code.
 */

/** Powertools' service name (logs, metrics, traces), and so the value of every metric's `service` dimension. */
export const SERVICE_NAME = 'credit-authorization';
export const SERVICE_DIMENSION = 'service';

/**
 * One POST /v1/authorizations decided: a new hold or a stored decline (a replay is not counted again), one
 * document each, published under three dimension sets: {service} (every authorization: the decline rate's
 * denominator), {service, outcome}, and for a decline {service, declineCode}.
 */
export const AUTHORIZATIONS_METRIC = 'Authorizations';
export const OUTCOME_DIMENSION = 'outcome';
/** Its values are the catalogue's decline codes only (the 402s of shared/contract/errors.ts): a bounded set. */
export const DECLINE_CODE_DIMENSION = 'declineCode';
/** The outcome of a new hold, named as the API names its status. */
export const AUTHORIZATION_OUTCOMES = ['authorized', 'pending_review', 'declined'] as const;
export type AuthorizationOutcome = (typeof AUTHORIZATION_OUTCOMES)[number];

/**
 * A new hold that drew from a category quota: how many, and how much (minor units, so per currency: dimension set
 * {service, currency}; minor units of two currencies do not add up).
 */
export const QUOTA_DRAWS_METRIC = 'QuotaDraws';
export const QUOTA_DRAWN_METRIC = 'QuotaDrawnMinor';
export const CURRENCY_DIMENSION = 'currency';

/** A TransactWriteItems cancelled by a conflict with another transaction (each is retried): {service}. */
export const TRANSACTION_CONFLICTS_METRIC = 'TransactionConflicts';

/**
 * Accounts a limit refresh run counted, by bucket (shared/limits/outcomes.ts), as each page of a segment is
 * counted on its job: {service}. A page the job already counted (a segment delivered twice) is not counted again.
 */
export const REFRESH_ACCOUNTS_METRICS = {
  changed: 'LimitRefreshChanged',
  unchanged: 'LimitRefreshUnchanged',
  skipped: 'LimitRefreshSkipped',
  failed: 'LimitRefreshFailed',
} as const;

/** A refresh segment that failed every delivery and reached its dead-letter queue (its run is marked failed). */
export const SEGMENTS_DEAD_LETTERED_METRIC = 'RefreshSegmentsDeadLettered';

/** Holds the expiry sweeper expired in one run. */
export const EXPIRED_HOLDS_METRIC = 'ExpiredHolds';
/** What one sweep could not do: holds whose expiry failed, plus shards it could not read. Their credit stays held. */
export const EXPIRY_FAILURES_METRIC = 'ExpiryFailures';
