/**
 * The service's metrics, written as CloudWatch Embedded Metric Format by Powertools Metrics (names and dimensions:
 * metrics.ts). Two shapes:
 * - counters with no dimension but `service` (conflicts, refresh counts, the sweeper's) go on `metrics`, this
 *   execution environment's buffer, published once per invocation: by the logMetrics middleware on every HTTP
 *   handler (shared/http/handler.ts), explicitly by the jobs;
 * - an event with dimensions of its own (an authorization's outcome and decline code, a quota draw's currency) is
 *   its own document, published at once: a document's dimensions apply to all its metrics, and the local server
 *   runs many invocations at once in one process, where a shared buffer would mix theirs.
 *
 * Where documents go: in Lambda, to stdout as Powertools writes them, and CloudWatch Logs extracts the metrics.
 * Anywhere else (`npm start`, the tests, scripts) a JSON document per request would flood the terminal, and there
 * is no CloudWatch to read it: there they go to the logger at debug (`POWERTOOLS_LOG_LEVEL=DEBUG` shows them),
 * under the message EMF_LOG_MESSAGE, where a test reads them.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EmfOutput, MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { assert } from '../assert.js';
import { config } from '../config.js';
import { type DeclineCode, ERROR_CATALOGUE } from '../contract/errors.js';
import { logger } from './logger.js';
import {
  type AuthorizationOutcome,
  AUTHORIZATIONS_METRIC,
  CURRENCY_DIMENSION,
  DECLINE_CODE_DIMENSION,
  OUTCOME_DIMENSION,
  QUOTA_DRAWN_METRIC,
  QUOTA_DRAWS_METRIC,
  REFRESH_ACCOUNTS_METRICS,
  SEGMENTS_DEAD_LETTERED_METRIC,
  SERVICE_NAME,
  TRANSACTION_CONFLICTS_METRIC,
} from './metrics.js';

/** The logger message EMF documents go under outside Lambda. */
export const EMF_LOG_MESSAGE = 'emf';

type WriteDocument = (emf: EmfOutput) => void;

/**
 * Where documents go outside Lambda: to the logger at debug, and serialized only when the logger keeps debug lines
 * (the local server counts every authorization). A test reads them by replacing both (test/support/emf.ts).
 */
export const localSink: { wanted: () => boolean; write: WriteDocument } = {
  wanted: () => ['DEBUG', 'TRACE'].includes(logger.getLevelName()),
  write: (emf) => logger.debug(EMF_LOG_MESSAGE, { emf }),
};

/**
 * Powertools Metrics, publishing only when something was stored (Powertools warns on every empty publish, i.e.
 * on every GET: aws-powertools/powertools-lambda-typescript#2036 added hasStoredMetrics for this), and, when
 * given `write`, handing each document to it instead of stdout.
 */
class ServiceMetrics extends Metrics {
  readonly #sink: typeof localSink | undefined;

  constructor(options: MetricsOptions, sink: typeof localSink | undefined) {
    super(options);
    this.#sink = sink;
  }

  override publishStoredMetrics(): this {
    if (!this.hasStoredMetrics()) return this;
    if (this.#sink === undefined || this.isDisabled()) return super.publishStoredMetrics();
    const emf = this.#sink.wanted() ? this.serializeMetrics() : undefined;
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    if (emf !== undefined) this.#sink.write(emf);
    return this;
  }
}

/** The stage's namespace (config: POWERTOOLS_METRICS_NAMESPACE, which Powertools would read itself, with a default). */
const OPTIONS: MetricsOptions = { namespace: config.metricNamespace, serviceName: SERVICE_NAME };
const sink = config.inLambda ? undefined : localSink;

/** This execution environment's counters: publish once per invocation (`metrics.publishStoredMetrics()`). */
export const metrics: Metrics = new ServiceMetrics(OPTIONS, sink);

/**
 * Documents of one event each. Only ever used synchronously (dimensions, metrics, publish, with no await between),
 * so two invocations in one process never share a document. One instance, not one per event: making a Metrics
 * (a Console each) takes 0.3-0.7 ms, too much for every authorization.
 */
const events = new ServiceMetrics(OPTIONS, sink);

/** A new hold or a stored decline (not a replay): all, by outcome, and a decline by its catalogue code. */
export function countAuthorization(outcome: AuthorizationOutcome, declineCode?: DeclineCode): void {
  assert(
    (outcome === 'declined') === (declineCode !== undefined),
    'a decline, and only a decline, has a code',
  );
  // Only catalogue codes: a dimension value is a metric of its own, so the set must stay bounded.
  assert(declineCode === undefined || ERROR_CATALOGUE[declineCode]?.status === 402, 'a decline code');
  events.addDimensions({});
  events.addDimensions({ [OUTCOME_DIMENSION]: outcome });
  if (declineCode !== undefined) events.addDimensions({ [DECLINE_CODE_DIMENSION]: declineCode });
  events.addMetric(AUTHORIZATIONS_METRIC, MetricUnit.Count, 1);
  events.publishStoredMetrics();
}

/** A new hold that drew `drawnMinor` of `currency` from a category quota. */
export function countQuotaDraw(currency: string, drawnMinor: number): void {
  assert(Number.isSafeInteger(drawnMinor) && drawnMinor > 0, 'a quota draw is a positive amount');
  events.addDimensions({ [CURRENCY_DIMENSION]: currency });
  events.addMetric(QUOTA_DRAWS_METRIC, MetricUnit.Count, 1);
  events.addMetric(QUOTA_DRAWN_METRIC, MetricUnit.NoUnit, drawnMinor);
  events.publishStoredMetrics();
}

/** A transaction DynamoDB cancelled for a conflict with another one. */
export function countTransactionConflict(): void {
  metrics.addMetric(TRANSACTION_CONFLICTS_METRIC, MetricUnit.Count, 1);
}

/** The accounts of one page of a refresh run, by bucket, as the job counted them. */
export function countRefreshedAccounts(
  counts: Readonly<Record<keyof typeof REFRESH_ACCOUNTS_METRICS, number>>,
): void {
  for (const [bucket, name] of Object.entries(REFRESH_ACCOUNTS_METRICS)) {
    metrics.addMetric(name, MetricUnit.Count, counts[bucket as keyof typeof REFRESH_ACCOUNTS_METRICS]);
  }
}

/** A refresh segment taken off its dead-letter queue. */
export function countDeadLetteredSegment(): void {
  metrics.addMetric(SEGMENTS_DEAD_LETTERED_METRIC, MetricUnit.Count, 1);
}
