/**
 * What the on-call engineer watches: alarms (API 5xx rate, authorize p99, the authorizations' decline rate, Lambda
 * errors and throttles, provisioned-concurrency spillover, DynamoDB throttles and system errors, transaction
 * conflicts, expiry failures, refresh segments dead-lettered, DLQ depth) into one encrypted SNS topic, and a
 * dashboard with the same signals plus capacity in use and the business: authorizations by outcome and decline
 * code, quota draws, limit refresh counts. The service's own metrics are EMF its code writes
 * (shared/observability/emf.ts), named in shared/observability/metrics.ts; no metric is read from log text.
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SearchExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Alias, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/routes.js';
import { ERROR_CATALOGUE } from '../../shared/contract/errors.js';
import {
  AUTHORIZATION_OUTCOMES,
  AUTHORIZATIONS_METRIC,
  CURRENCY_DIMENSION,
  DECLINE_CODE_DIMENSION,
  EXPIRED_HOLDS_METRIC,
  EXPIRY_FAILURES_METRIC,
  OUTCOME_DIMENSION,
  QUOTA_DRAWN_METRIC,
  QUOTA_DRAWS_METRIC,
  REFRESH_ACCOUNTS_METRICS,
  SERVICE_DIMENSION,
  SERVICE_NAME,
  TRANSACTION_CONFLICTS_METRIC,
} from '../../shared/observability/metrics.js';
import { EXPIRY_INDEX } from '../../shared/storage/table.js';
import type { StackConfig } from '../config.js';
import type { CreditTable } from './table.js';

export interface ObservedFunction {
  /** Short, stable name used in alarm ids (the handler name for routes). */
  readonly name: string;
  readonly fn: IFunction;
}

export interface ObservabilityProps {
  readonly api: RestApi;
  readonly authorizeRoute: RouteDefinition;
  readonly table: CreditTable;
  readonly functions: readonly ObservedFunction[];
  /** The authorize function's `live` alias: provisioned-concurrency metrics live on it. */
  readonly authorizeAlias: Alias;
  readonly deadLetters: {
    /** Refresh segments' DLQ: its consumer fails their runs, so messages waiting there mean the consumer fails. */
    readonly refreshQueue: IQueue;
    /** Schedule invocations EventBridge gave up on. */
    readonly scheduleQueue: IQueue;
    /** Billing buckets that failed every delivery. */
    readonly billingQueue: IQueue;
    /** Coupon campaign chunks that failed every delivery. */
    readonly couponCampaignQueue: IQueue;
    /** Segments dead-lettered, counted by the consumer's log line. */
    readonly deadLetteredSegments: IMetric;
  };
  /** The events pipeline (infra/constructs/events.ts): how far events trail the table, and what failed. */
  readonly events: {
    readonly mapper: IFunction;
    readonly mapperDeadLetters: IQueue;
    readonly deliveries: IQueue;
    readonly deliveryDeadLetters: IQueue;
    readonly notificationDeadLetters: IQueue;
  };
  readonly alarmEmail: string;
  readonly thresholds: StackConfig['alarms'];
  /** The stage's namespace for the service's own metrics, and its dashboard's name (infra/names.ts). */
  readonly metricNamespace: string;
  readonly dashboardName: string;
}

/** The operations the service sends to DynamoDB (per-operation metrics only exist with this dimension). */
const TABLE_OPERATIONS = [
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
];

const MINUTE = Duration.minutes(1);
/**
 * The decline rate is a share, so it needs volume: over five minutes a peak's thousands of holds make it steady,
 * and config's declineRateMinAuthorizations keeps a quiet night's handful from paging.
 */
const DECLINE_RATE_PERIOD = Duration.minutes(5);
/** One breaching five-minute window pages: a spike in declines is customers failing at checkout now. */
const DECLINE_RATE_PERIODS = 1;

/**
 * Expiry failures alarm when some hold failed in every one of this many consecutive sweeps (one a minute): a
 * failure now and then is contention the next run absorbs; one in every run is a hold whose credit stays held.
 * Any count is worth a look then, so the threshold is one failure per sweep, not a tuning knob.
 */
const EXPIRY_FAILURE_PERIODS = 3;
const EXPIRY_FAILURES_PER_SWEEP = 1;

// Every metric here has a one-minute period, so an alarm's evaluation periods are minutes.
/** Most signals page only after three breaching minutes in a row. */
const SUSTAINED_MINUTES = 3;
/** Lambda errors and throttles alarm sooner: each one already failed a request. */
const LAMBDA_FAULT_MINUTES = 2;
/** The mapper may trail the table by this much (ms) before it alarms: events are meant to take about a second. */
const EVENT_MAPPER_MAX_AGE_MS = 60_000;
/** The most metrics one metric-math alarm may use (CloudWatch's limit). */
const MAX_ALARM_METRICS = 10;
/** Dead letters alarm on the first minute they appear: each is work that stays undone until a person looks. */
const FIRST_MINUTE = 1;
/** For counts where a single occurrence is worth a look (spillover, a dead-lettered segment). */
const ANY_OCCURRENCE = 1;

/** The API as clients see it: requests, the share of 5xx, and the authorize route's latency. */
function apiSignals(api: RestApi, route: RouteDefinition) {
  const stage = api.deploymentStage;
  const requests = stage.metricCount({ period: MINUTE });
  const serverErrorRate = new MathExpression({
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: { errors: stage.metricServerError({ period: MINUTE }), requests },
    period: MINUTE,
    label: 'API 5xx %',
  });
  const authorizeLatency = (statistic: string) =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensionsMap: {
        ApiName: api.restApiName,
        Stage: stage.stageName,
        Resource: route.path,
        Method: route.method,
      },
      statistic,
      period: MINUTE,
      label: `authorize ${statistic}`,
    });
  return { requests, serverErrorRate, authorizeLatency };
}

/** The authorize alias's concurrency against its provisioned floor. */
function authorizeSignals(alias: Alias) {
  const maximum = (metricName: string) => alias.metric(metricName, { statistic: 'Maximum', period: MINUTE });
  return {
    spillover: alias.metric('ProvisionedConcurrencySpilloverInvocations', {
      period: MINUTE,
      statistic: 'Sum',
    }),
    throttles: alias.metric('Throttles', { statistic: 'Sum', period: MINUTE }),
    concurrency: maximum('ConcurrentExecutions'),
    provisioned: maximum('ProvisionedConcurrentExecutions'),
    utilization: maximum('ProvisionedConcurrencyUtilization'),
  };
}

/** The table: throttling (the expiry index's back-pressure throttles the table too), system errors, units. */
function dynamoSignals(table: CreditTable) {
  const dynamo = (metricName: string, extra: Record<string, string> = {}) =>
    new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.table.tableName, ...extra },
      statistic: 'Sum',
      period: MINUTE,
    });
  const throttleEvents = new MathExpression({
    expression: 'FILL(reads, 0) + FILL(writes, 0) + FILL(expiryWrites, 0)',
    usingMetrics: {
      reads: dynamo('ReadThrottleEvents'),
      writes: dynamo('WriteThrottleEvents'),
      expiryWrites: dynamo('WriteThrottleEvents', { GlobalSecondaryIndexName: EXPIRY_INDEX.name }),
    },
    period: MINUTE,
    label: 'throttle events',
  });
  const systemErrors = table.table.metricSystemErrorsForOperations({
    operations: TABLE_OPERATIONS,
    period: MINUTE,
  });
  return { dynamo, throttleEvents, systemErrors };
}

/**
 * A sum of one of the service's own metrics (EMF, in the stage's `namespace`): its `service` dimension, and `more`
 * as its writer sets them.
 */
function serviceMetric(
  namespace: string,
  metricName: string,
  more: Record<string, string> = {},
  period = MINUTE,
): Metric {
  return new Metric({
    namespace,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, ...more },
    statistic: 'Sum',
    period,
  });
}

/** Every series of `metricName` written per currency (a sum of minor units of two currencies means nothing). */
const perCurrency = (namespace: string, metricName: string): SearchExpression =>
  new SearchExpression({
    expression: `SEARCH('{${namespace},${CURRENCY_DIMENSION},${SERVICE_DIMENSION}} MetricName="${metricName}"', 'Sum', 60)`,
    label: '',
    period: MINUTE,
  });

/** The catalogue's decline codes (its 402s): every value the declineCode dimension can take. */
const DECLINE_CODES = Object.entries(ERROR_CATALOGUE)
  .filter(([, entry]) => entry.status === 402)
  .map(([code]) => code);

/**
 * POST /v1/authorizations as the code decided them (shared/observability/emf.ts countAuthorization): by outcome,
 * declines by code, the share declined, and the category-quota draws of new holds.
 */
function authorizationSignals(namespace: string, t: Thresholds) {
  const authorizations = (more: Record<string, string>, period = MINUTE) =>
    serviceMetric(namespace, AUTHORIZATIONS_METRIC, more, period);
  const declineRate = new MathExpression({
    expression: `IF(FILL(all, 0) >= ${t.declineRateMinAuthorizations}, 100 * FILL(declined, 0) / all, 0)`,
    usingMetrics: {
      all: authorizations({}, DECLINE_RATE_PERIOD),
      declined: authorizations({ [OUTCOME_DIMENSION]: 'declined' }, DECLINE_RATE_PERIOD),
    },
    period: DECLINE_RATE_PERIOD,
    label: 'declined % (5 min)',
  });
  return {
    byOutcome: AUTHORIZATION_OUTCOMES.map((outcome) =>
      authorizations({ [OUTCOME_DIMENSION]: outcome }).with({ label: outcome }),
    ),
    byDeclineCode: DECLINE_CODES.map((code) =>
      authorizations({ [DECLINE_CODE_DIMENSION]: code }).with({ label: code }),
    ),
    declineRate,
    quotaDraws: perCurrency(namespace, QUOTA_DRAWS_METRIC),
    quotaDrawnMinor: perCurrency(namespace, QUOTA_DRAWN_METRIC),
  };
}

/** What each page of a limit refresh run counted, by bucket (shared/limits/outcomes.ts). */
const refreshSignals = (namespace: string) =>
  Object.entries(REFRESH_ACCOUNTS_METRICS).map(([bucket, name]) =>
    serviceMetric(namespace, name).with({ label: bucket }),
  );

/** Segments dead-lettered, and what waits in each DLQ. */
function deadLetterSignals(deadLetters: ObservabilityProps['deadLetters']) {
  const depth = (queue: IQueue) =>
    queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' });
  return {
    segments: deadLetters.deadLetteredSegments,
    refreshDepth: depth(deadLetters.refreshQueue),
    scheduleDepth: depth(deadLetters.scheduleQueue),
    billingDepth: depth(deadLetters.billingQueue),
    couponCampaignDepth: depth(deadLetters.couponCampaignQueue),
  };
}

type Thresholds = StackConfig['alarms'];

/** What both the alarms and the dashboard show, built once. */
interface Signals {
  readonly api: ReturnType<typeof apiSignals>;
  readonly authorizations: ReturnType<typeof authorizationSignals>;
  readonly authorize: ReturnType<typeof authorizeSignals>;
  readonly dynamo: ReturnType<typeof dynamoSignals>;
  readonly conflicts: Metric;
  readonly deadLetters: ReturnType<typeof deadLetterSignals>;
  readonly expiryFailures: Metric;
  readonly expiredHolds: Metric;
  readonly refreshedAccounts: Metric[];
}

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = this.newAlarmTopic(props.alarmEmail);
    this.action = new SnsAction(this.topic);
    const t = props.thresholds;
    const namespace = props.metricNamespace;
    const signals: Signals = {
      api: apiSignals(props.api, props.authorizeRoute),
      authorizations: authorizationSignals(namespace, t),
      authorize: authorizeSignals(props.authorizeAlias),
      dynamo: dynamoSignals(props.table),
      conflicts: serviceMetric(namespace, TRANSACTION_CONFLICTS_METRIC),
      deadLetters: deadLetterSignals(props.deadLetters),
      expiryFailures: serviceMetric(namespace, EXPIRY_FAILURES_METRIC),
      expiredHolds: serviceMetric(namespace, EXPIRED_HOLDS_METRIC),
      refreshedAccounts: refreshSignals(namespace),
    };
    this.apiAlarms(signals, t);
    this.lambdaAlarms(props.functions, signals, t);
    this.dynamoAlarms(signals, t);
    this.conflictAlarms(signals, t);
    this.deadLetterAlarms(signals, t);
    this.eventAlarms(props.events, t);
    this.expiryAlarms(signals);
    this.newDashboard(props.dashboardName, signals, props.events);
  }

  /** CloudWatch can only publish to an encrypted topic through a customer managed key whose policy lets it. */
  private newAlarmTopic(alarmEmail: string): Topic {
    const key = new Key(this, 'AlarmsKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
    });
    const topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
    return topic;
  }

  private alarm(
    name: string,
    metric: IMetric,
    threshold: number,
    description: string,
    minutes: number,
  ): void {
    const alarm = new Alarm(this, name, {
      metric,
      alarmDescription: description,
      threshold,
      evaluationPeriods: minutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
  }

  /** API: share of 5xx answers, the authorize route's client-side p99, and the share of holds declined. */
  private apiAlarms({ api, authorizations }: Signals, t: Thresholds): void {
    this.alarm(
      'Api5xxRate',
      api.serverErrorRate,
      t.serverErrorRatePercent,
      'Share of API answers that are 5xx (%)',
      SUSTAINED_MINUTES,
    );
    this.alarm(
      'AuthorizeP99Latency',
      api.authorizeLatency('p99'),
      t.authorizeP99Ms,
      'POST /v1/authorizations p99 latency (ms), as clients see it',
      SUSTAINED_MINUTES,
    );
    this.alarm(
      'AuthorizeDeclineRate',
      authorizations.declineRate,
      t.declineRatePercent,
      `Share of POST /v1/authorizations declined over 5 minutes (%), with at least ${t.declineRateMinAuthorizations} ` +
        'authorizations: the dashboard shows which decline code rose (a refresh, a freeze or a velocity setting gone wrong)',
      DECLINE_RATE_PERIODS,
    );
  }

  /**
   * Lambda: crashes/timeouts and throttles of every function, and cold starts on the authorize path. One alarm per
   * ten functions (the most metrics a metric-math alarm may use) on the worst of them, MAX(METRICS()): the same
   * threshold per function as an alarm each, at a tenth of the alarms (a stack may hold 500 resources; the
   * dashboard's Lambda widgets show which function it was).
   */
  private lambdaAlarms(functions: readonly ObservedFunction[], { authorize }: Signals, t: Thresholds): void {
    for (let start = 0; start < functions.length; start += MAX_ALARM_METRICS) {
      const group = functions.slice(start, start + MAX_ALARM_METRICS);
      const names = group.map((f) => f.name).join(', ');
      const worst = (metric: (f: ObservedFunction) => IMetric, label: string) =>
        new MathExpression({
          expression: 'MAX(METRICS())',
          usingMetrics: Object.fromEntries(group.map((f, i) => [`m${i}`, metric(f)])),
          period: MINUTE,
          label,
        });
      const n = start / MAX_ALARM_METRICS + 1;
      this.alarm(
        `Errors-${n}`,
        worst((f) => f.fn.metricErrors({ period: MINUTE, statistic: 'Sum' }), 'most errors of one function'),
        t.lambdaErrorsPerMinute,
        `Invocation errors per minute of one of: ${names}`,
        LAMBDA_FAULT_MINUTES,
      );
      this.alarm(
        `Throttles-${n}`,
        worst(
          (f) => f.fn.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
          'most throttles of one function',
        ),
        t.lambdaThrottlesPerMinute,
        `Throttled invocations per minute of one of: ${names}`,
        LAMBDA_FAULT_MINUTES,
      );
    }
    this.alarm(
      'AuthorizeSpillover',
      authorize.spillover,
      ANY_OCCURRENCE,
      'Authorize ran beyond its provisioned concurrency (cold starts at checkout): raise the floor',
      SUSTAINED_MINUTES,
    );
  }

  /** DynamoDB: throttling of the table and the expiry index, and system errors. */
  private dynamoAlarms({ dynamo }: Signals, t: Thresholds): void {
    this.alarm(
      'DynamoThrottleEvents',
      dynamo.throttleEvents,
      t.dynamoThrottleEventsPerMinute,
      'DynamoDB throttle events per minute (table + expiry index)',
      SUSTAINED_MINUTES,
    );
    this.alarm(
      'DynamoSystemErrors',
      dynamo.systemErrors,
      t.dynamoSystemErrorsPerMinute,
      'DynamoDB 5xx per minute',
      SUSTAINED_MINUTES,
    );
  }

  /**
   * Conflicts as the code sees them (each one is retried), counted where the transaction is cancelled
   * (shared/storage/transactions.ts). Normal under contention; sustained, they mean a hot account
   * (docs/CAPACITY.md, "One hot account").
   */
  private conflictAlarms({ conflicts }: Signals, t: Thresholds): void {
    this.alarm(
      'TransactionConflicts',
      conflicts,
      t.transactionConflictsPerMinute,
      'Transactions cancelled by conflicts per minute',
      SUSTAINED_MINUTES,
    );
  }

  /** Dead letters: a refresh segment that failed for good (its run is marked failed), and what waits in a DLQ. */
  private deadLetterAlarms({ deadLetters }: Signals, t: Thresholds): void {
    this.alarm(
      'RefreshSegmentsDeadLettered',
      deadLetters.segments,
      ANY_OCCURRENCE,
      'A limit refresh segment failed every delivery: its run is marked failed (GET /v1/jobs/{id} says which segment and why)',
      FIRST_MINUTE,
    );
    this.alarm(
      'RefreshDlqDepth',
      deadLetters.refreshDepth,
      t.dlqDepth,
      'Refresh segments waiting in their DLQ: the dead-letter consumer cannot mark their runs failed',
      FIRST_MINUTE,
    );
    this.alarm(
      'ScheduleDlqDepth',
      deadLetters.scheduleDepth,
      t.dlqDepth,
      'Schedule invocations EventBridge gave up on: a nightly refresh or an expiry sweep did not start',
      FIRST_MINUTE,
    );
    this.alarm(
      'BillingDlqDepth',
      deadLetters.billingDepth,
      t.dlqDepth,
      'Billing buckets that failed every delivery: their accounts were not billed tonight (the log says why; re-drive the messages or POST /v1/jobs/billing)',
      FIRST_MINUTE,
    );
    this.alarm(
      'CouponCampaignDlqDepth',
      deadLetters.couponCampaignDepth,
      t.dlqDepth,
      'Coupon campaign chunks that failed every delivery: their accounts got no coupon yet (the log says why; re-drive the messages or start the campaign again, which issues nothing twice)',
      FIRST_MINUTE,
    );
  }

  /**
   * Events: the mapper trailing the stream (its iterator age: events late for every consumer), stream records it
   * gave up on, and webhook deliveries that failed every attempt.
   */
  private eventAlarms(events: ObservabilityProps['events'], t: Thresholds): void {
    const depth = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' });
    this.alarm(
      'EventMapperIteratorAge',
      events.mapper.metric('IteratorAge', { period: MINUTE, statistic: 'Maximum' }),
      EVENT_MAPPER_MAX_AGE_MS,
      'The stream mapper trails the table by over a minute: events, webhooks and notifications are late',
      SUSTAINED_MINUTES,
    );
    this.alarm(
      'EventMapperDlqDepth',
      depth(events.mapperDeadLetters),
      t.dlqDepth,
      'Stream records the mapper failed on every retry: their events are missing (the DLQ message names the shard and sequence numbers; re-read them)',
      FIRST_MINUTE,
    );
    this.alarm(
      'WebhookDeliveriesDlqDepth',
      depth(events.deliveryDeadLetters),
      t.dlqDepth,
      'Webhook deliveries that failed for days: their endpoint is disabled (GET /v1/webhook-endpoints says why)',
      FIRST_MINUTE,
    );
    this.alarm(
      'NotificationsDlqDepth',
      depth(events.notificationDeadLetters),
      t.dlqDepth,
      'Events the notifier failed on every delivery: those customers got no notification (the log says why; re-drive the messages, which makes nothing twice)',
      FIRST_MINUTE,
    );
  }

  /** Expiry: holds the sweeper failed to expire, in every one of the recent sweeps. */
  private expiryAlarms({ expiryFailures }: Signals): void {
    this.alarm(
      'ExpiryFailures',
      expiryFailures,
      EXPIRY_FAILURES_PER_SWEEP,
      'Holds the expiry sweeper could not expire, in every recent sweep: credit stays held (see the "hold expiry failed" log lines)',
      EXPIRY_FAILURE_PERIODS,
    );
  }

  /** One row per architectural piece: the API, the business it serves, authorize's capacity, DynamoDB, the jobs. */
  private newDashboard(dashboardName: string, signals: Signals, events: ObservabilityProps['events']): void {
    new Dashboard(this, 'Dashboard', {
      dashboardName,
      widgets: [
        apiRow(signals),
        authorizationsRow(signals),
        authorizeRow(signals),
        dynamoRow(signals),
        jobsRow(signals),
        eventsRow(events),
      ],
    });
  }
}

function eventsRow(events: ObservabilityProps['events']): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Events: how far the mapper trails the table (ms)',
      left: [events.mapper.metric('IteratorAge', { period: MINUTE, statistic: 'Maximum' })],
    }),
    new GraphWidget({
      title: 'Webhook deliveries: oldest waiting (s), and dead letters',
      left: [events.deliveries.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum' })],
      right: [
        events.deliveryDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: MINUTE,
          statistic: 'Maximum',
        }),
        events.mapperDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: MINUTE,
          statistic: 'Maximum',
        }),
      ],
    }),
  ];
}

function apiRow({ api }: Signals): GraphWidget[] {
  return [
    new GraphWidget({ title: 'API requests and 5xx %', left: [api.requests], right: [api.serverErrorRate] }),
    new GraphWidget({
      title: 'Authorize latency (ms)',
      left: [api.authorizeLatency('p50'), api.authorizeLatency('p99')],
    }),
  ];
}

function authorizationsRow({ authorizations }: Signals): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Authorizations by outcome, and declined %',
      left: authorizations.byOutcome,
      right: [authorizations.declineRate],
    }),
    new GraphWidget({ title: 'Declines by code', left: authorizations.byDeclineCode, stacked: true }),
    new GraphWidget({
      title: 'Category quota draws: holds, and minor units drawn (per currency)',
      left: [authorizations.quotaDraws],
      right: [authorizations.quotaDrawnMinor],
    }),
  ];
}

function authorizeRow({ authorize }: Signals): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Authorize: concurrency vs provisioned',
      left: [authorize.concurrency, authorize.provisioned],
      right: [authorize.utilization],
    }),
    new GraphWidget({
      title: 'Authorize: spillover (cold starts) and throttles',
      left: [authorize.spillover, authorize.throttles],
    }),
  ];
}

function dynamoRow({ dynamo, conflicts }: Signals): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'DynamoDB consumed units (per minute)',
      left: [dynamo.dynamo('ConsumedWriteCapacityUnits'), dynamo.dynamo('ConsumedReadCapacityUnits')],
    }),
    new GraphWidget({
      title: 'DynamoDB throttles, system errors, conflicts',
      left: [dynamo.throttleEvents, dynamo.systemErrors],
      right: [conflicts, dynamo.dynamo('TransactionConflict')],
    }),
  ];
}

function jobsRow({ deadLetters, expiryFailures, expiredHolds, refreshedAccounts }: Signals): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Dead-letter queue depth',
      left: [
        deadLetters.refreshDepth,
        deadLetters.scheduleDepth,
        deadLetters.billingDepth,
        deadLetters.couponCampaignDepth,
      ],
    }),
    new GraphWidget({ title: 'Refresh segments dead-lettered', left: [deadLetters.segments] }),
    new GraphWidget({
      title: 'Expiry sweeper: holds expired and failures',
      left: [expiredHolds],
      right: [expiryFailures],
    }),
    new GraphWidget({ title: 'Limit refresh: accounts by outcome', left: refreshedAccounts, stacked: true }),
  ];
}
