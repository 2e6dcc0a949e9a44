/**
 * What the on-call engineer watches: alarms (API 5xx rate, authorize p99, Lambda errors and throttles,
 * provisioned-concurrency spillover, DynamoDB throttles and system errors, transaction conflicts, expiry
 * failures, refresh segments dead-lettered, DLQ depth) into one encrypted SNS topic, and a dashboard with the
 * same signals plus capacity in use.
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
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Alias, IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/routes.js';
import { EXPIRED_HOLDS_METRIC, EXPIRY_FAILURES_METRIC } from '../../shared/observability/metrics.js';
import { EXPIRY_INDEX } from '../../shared/storage/table.js';
import type { StackConfig } from '../config.js';
import { METRIC_NAMESPACE, SERVICE_NAME } from './service-function.js';
import type { CreditTable } from './table.js';

export interface ObservedFunction {
  /** Short, stable name used in alarm ids (the handler name for routes). */
  readonly name: string;
  readonly fn: IFunction;
  readonly logGroup: ILogGroup;
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
    /** Segments dead-lettered, counted by the consumer's log line. */
    readonly deadLetteredSegments: IMetric;
  };
  readonly alarmEmail: string;
  readonly thresholds: StackConfig['alarms'];
}

/**
 * The log line shared/storage/transactions.ts writes when a transaction is cancelled by a conflict; a metric
 * filter turns it into the TransactionConflicts metric. Keep both sides in step.
 */
export const TRANSACTION_CONFLICT_LOG_MESSAGE = 'transaction conflict';
export const TRANSACTION_CONFLICTS_METRIC = 'TransactionConflicts';

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
 * Expiry failures alarm when some hold failed in every one of this many consecutive sweeps (one a minute): a
 * failure now and then is contention the next run absorbs; one in every run is a hold whose credit stays held.
 * Any count is worth a look then, so the threshold is one failure per sweep, not a tuning knob.
 */
const EXPIRY_FAILURE_PERIODS = 3;
const EXPIRY_FAILURES_PER_SWEEP = 1;

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const t = props.thresholds;
    // CloudWatch can only publish to an encrypted topic through a customer managed key whose policy lets it.
    const key = new Key(this, 'AlarmsKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
    });
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string, periods = 3) => {
      const a = new Alarm(this, name, {
        metric,
        alarmDescription: description,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    // API: share of 5xx answers, and the authorize route's client-side p99.
    const stage = props.api.deploymentStage;
    const requests = stage.metricCount({ period: MINUTE });
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: stage.metricServerError({ period: MINUTE }), requests },
      period: MINUTE,
      label: 'API 5xx %',
    });
    alarm('Api5xxRate', serverErrorRate, t.serverErrorRatePercent, 'Share of API answers that are 5xx (%)');
    const authorizeLatency = (statistic: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: 'Latency',
        dimensionsMap: {
          ApiName: props.api.restApiName,
          Stage: stage.stageName,
          Resource: props.authorizeRoute.path,
          Method: props.authorizeRoute.method,
        },
        statistic,
        period: MINUTE,
        label: `authorize ${statistic}`,
      });
    alarm(
      'AuthorizeP99Latency',
      authorizeLatency('p99'),
      t.authorizeP99Ms,
      'POST /v1/authorizations p99 latency (ms), as clients see it',
    );

    // Lambda: crashes/timeouts and throttles per function, and cold starts on the authorize path.
    for (const f of props.functions) {
      alarm(
        `Errors-${f.name}`,
        f.fn.metricErrors({ period: MINUTE, statistic: 'Sum' }),
        t.lambdaErrorsPerMinute,
        `${f.name}: invocation errors per minute`,
        2,
      );
      alarm(
        `Throttles-${f.name}`,
        f.fn.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
        t.lambdaThrottlesPerMinute,
        `${f.name}: throttled invocations per minute`,
        2,
      );
    }
    const spillover = props.authorizeAlias.metric('ProvisionedConcurrencySpilloverInvocations', {
      period: MINUTE,
      statistic: 'Sum',
    });
    alarm(
      'AuthorizeSpillover',
      spillover,
      1,
      'Authorize ran beyond its provisioned concurrency (cold starts at checkout): raise the floor',
    );

    // DynamoDB: throttling (table, and the expiry index whose back-pressure throttles the table), system errors.
    const tableName = props.table.table.tableName;
    const dynamo = (metricName: string, extra: Record<string, string> = {}) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: tableName, ...extra },
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
    alarm(
      'DynamoThrottleEvents',
      throttleEvents,
      t.dynamoThrottleEventsPerMinute,
      'DynamoDB throttle events per minute (table + expiry index)',
    );
    const systemErrors = props.table.table.metricSystemErrorsForOperations({
      operations: TABLE_OPERATIONS,
      period: MINUTE,
    });
    alarm('DynamoSystemErrors', systemErrors, t.dynamoSystemErrorsPerMinute, 'DynamoDB 5xx per minute');

    // Conflicts as the code sees them (each one is retried): the log line of every function feeds one metric.
    for (const f of props.functions) {
      new MetricFilter(this, `Conflicts-${f.name}`, {
        logGroup: f.logGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', TRANSACTION_CONFLICT_LOG_MESSAGE),
        metricNamespace: METRIC_NAMESPACE,
        metricName: TRANSACTION_CONFLICTS_METRIC,
        metricValue: '1',
      });
    }
    const conflicts = new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: TRANSACTION_CONFLICTS_METRIC,
      statistic: 'Sum',
      period: MINUTE,
    });
    // Normal under contention; sustained, they mean a hot account (docs/CAPACITY.md, "One hot account").
    alarm(
      'TransactionConflicts',
      conflicts,
      t.transactionConflictsPerMinute,
      'Transactions cancelled by conflicts per minute',
    );

    // Dead letters: a refresh segment that failed for good (its run is marked failed), and what waits in a DLQ.
    const depth = (queue: IQueue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' });
    const refreshDlqDepth = depth(props.deadLetters.refreshQueue);
    const scheduleDlqDepth = depth(props.deadLetters.scheduleQueue);
    alarm(
      'RefreshSegmentsDeadLettered',
      props.deadLetters.deadLetteredSegments,
      1,
      'A limit refresh segment failed every delivery: its run is marked failed (GET /v1/jobs/{id} says which segment and why)',
      1,
    );
    alarm(
      'RefreshDlqDepth',
      refreshDlqDepth,
      t.dlqDepth,
      'Refresh segments waiting in their DLQ: the dead-letter consumer cannot mark their runs failed',
      1,
    );
    alarm(
      'ScheduleDlqDepth',
      scheduleDlqDepth,
      t.dlqDepth,
      'Schedule invocations EventBridge gave up on: a nightly refresh or an expiry sweep did not start',
      1,
    );

    // Expiry: the sweeper's own EMF metrics (functions/jobs/expiry-sweeper.ts), with Powertools' service dimension.
    const sweeperMetric = (metricName: string) =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: MINUTE,
      });
    const expiryFailures = sweeperMetric(EXPIRY_FAILURES_METRIC);
    alarm(
      'ExpiryFailures',
      expiryFailures,
      EXPIRY_FAILURES_PER_SWEEP,
      'Holds the expiry sweeper could not expire, in every recent sweep: credit stays held (see the "hold expiry failed" log lines)',
      EXPIRY_FAILURE_PERIODS,
    );

    const alias = props.authorizeAlias;
    new Dashboard(this, 'Dashboard', {
      dashboardName: 'credit-authorization',
      widgets: [
        [
          new GraphWidget({ title: 'API requests and 5xx %', left: [requests], right: [serverErrorRate] }),
          new GraphWidget({
            title: 'Authorize latency (ms)',
            left: [authorizeLatency('p50'), authorizeLatency('p99')],
          }),
        ],
        [
          new GraphWidget({
            title: 'Authorize: concurrency vs provisioned',
            left: [
              alias.metric('ConcurrentExecutions', { statistic: 'Maximum', period: MINUTE }),
              alias.metric('ProvisionedConcurrentExecutions', { statistic: 'Maximum', period: MINUTE }),
            ],
            right: [
              alias.metric('ProvisionedConcurrencyUtilization', { statistic: 'Maximum', period: MINUTE }),
            ],
          }),
          new GraphWidget({
            title: 'Authorize: spillover (cold starts) and throttles',
            left: [spillover, alias.metric('Throttles', { statistic: 'Sum', period: MINUTE })],
          }),
        ],
        [
          new GraphWidget({
            title: 'DynamoDB consumed units (per minute)',
            left: [dynamo('ConsumedWriteCapacityUnits'), dynamo('ConsumedReadCapacityUnits')],
          }),
          new GraphWidget({
            title: 'DynamoDB throttles, system errors, conflicts',
            left: [throttleEvents, systemErrors],
            right: [conflicts, dynamo('TransactionConflict')],
          }),
        ],
        [
          new GraphWidget({ title: 'Dead-letter queue depth', left: [refreshDlqDepth, scheduleDlqDepth] }),
          new GraphWidget({
            title: 'Refresh segments dead-lettered',
            left: [props.deadLetters.deadLetteredSegments],
          }),
          new GraphWidget({
            title: 'Expiry sweeper: holds expired and failures',
            left: [sweeperMetric(EXPIRED_HOLDS_METRIC)],
            right: [expiryFailures],
          }),
        ],
      ],
    });
  }
}
