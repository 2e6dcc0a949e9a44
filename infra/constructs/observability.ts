/**
 * What the on-call engineer watches: alarms (API 5xx rate, authorize p99, Lambda errors and throttles,
 * DynamoDB throttles and system errors, transaction conflicts, DLQ depth) into one encrypted SNS topic, and a
 * dashboard with the same signals.
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const METRIC_NAMESPACE = 'CreditAuthorization';

export interface ObservabilityProps {
  api: RestApi;
  table: ITableV2;
  functions: LambdaFunction[];
  authorizeFunction: LambdaFunction;
  deadLetterQueue: Queue;
  alarmEmail: string;
  serverErrorRatePercent: number;
  authorizeP99Ms: number;
  dlqDepth: number;
}

export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { masterKey: new Key(this, 'AlarmsKey', { enableKeyRotation: true }), enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: Metric | MathExpression, threshold: number, periods = 3) => {
      const a = metric.createAlarm(this, name, {
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: name,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };
    const minute = Duration.minutes(1);

    const serverErrorRate = new MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: { errors: props.api.metricServerError({ period: minute }), requests: props.api.metricCount({ period: minute }) },
      period: minute,
      label: 'API 5xx %',
    });
    alarm('Api5xxRate', serverErrorRate, props.serverErrorRatePercent);
    const authorizeLatency = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'Latency',
      dimensionsMap: { ApiName: props.api.restApiName, Stage: props.api.deploymentStage.stageName, Resource: '/v1/authorizations', Method: 'POST' },
      statistic: 'p99',
      period: minute,
    });
    alarm('AuthorizeP99Latency', authorizeLatency, props.authorizeP99Ms);

    for (const fn of props.functions) {
      alarm(`Errors-${fn.node.path.split('/').slice(-2, -1)[0]}`, fn.metricErrors({ period: minute, statistic: 'Sum' }), 1, 2);
      alarm(`Throttles-${fn.node.path.split('/').slice(-2, -1)[0]}`, fn.metricThrottles({ period: minute, statistic: 'Sum' }), 1, 2);
    }

    const tableMetric = (metricName: string) =>
      new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: props.table.tableName }, statistic: 'Sum', period: minute });
    alarm('DynamoThrottles', tableMetric('ThrottledRequests'), 1);
    alarm('DynamoSystemErrors', tableMetric('SystemErrors'), 1);

    // The code logs "transaction conflict" (shared/storage/transactions.ts); each function's logs feed one metric.
    const conflicts = new Metric({ namespace: METRIC_NAMESPACE, metricName: 'TransactionConflicts', statistic: 'Sum', period: minute });
    for (const fn of props.functions) {
      new MetricFilter(this, `Conflicts-${fn.node.path.split('/').slice(-2, -1)[0]}`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', 'transaction conflict'),
        metricNamespace: METRIC_NAMESPACE,
        metricName: 'TransactionConflicts',
        metricValue: '1',
      });
    }
    // Conflicts are normal under contention and retried; sustained hundreds a minute mean a hot account.
    alarm('TransactionConflicts', conflicts, 500);
    const dlq = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: minute });
    alarm('RefreshDlqDepth', dlq, props.dlqDepth, 1);

    new Dashboard(this, 'Dashboard', {
      dashboardName: 'credit-authorization',
      widgets: [
        [
          new GraphWidget({ title: 'Requests and 5xx %', left: [props.api.metricCount({ period: minute })], right: [serverErrorRate] }),
          new GraphWidget({ title: 'Authorize latency p99 (ms)', left: [authorizeLatency] }),
        ],
        [
          new GraphWidget({ title: 'Authorize function', left: [props.authorizeFunction.metricInvocations(), props.authorizeFunction.metricErrors(), props.authorizeFunction.metricThrottles()] }),
          new GraphWidget({ title: 'DynamoDB throttles, system errors, conflicts', left: [tableMetric('ThrottledRequests'), tableMetric('SystemErrors'), conflicts] }),
        ],
        [new GraphWidget({ title: 'Refresh DLQ depth', left: [dlq] })],
      ],
    });
  }
}
