/**
 * Safe deploys of the checkout hot path. Every deploy that changes the authorize function publishes a new
 * version; CodeDeploy then shifts the `live` alias to it as the stage's `deploy.authorizeTrafficShift` says (in
 * production a canary: 10% of authorize calls for 5 minutes, then all of them) and rolls the alias back to the
 * old version if one of these alarms fires while it runs:
 *
 * - the new version's invocation errors (crashes, timeouts), on the alias's ExecutedVersion dimension;
 * - the new version's p99 duration, same dimension (cold starts are not in Duration, so a canary that starts
 *   cold is not mistaken for a slow one);
 * - the authorize route's share of 5xx answers: what a checkout sees from the alias, old and new versions mixed
 *   (a new version failing every call at 10% weight makes about 10%);
 * - the whole API's share of 5xx answers. CloudFormation updates every other function (all at once) and the
 *   authorizer before it starts the shift (the alias depends on them), so the canary's minutes are their bake
 *   time too: a rollback fails the deploy and CloudFormation rolls the whole stack back, their code included.
 *
 * The other routes get no alias of their own: a canary per function would add a version, an alias, a deployment
 * group and alarms for each of ~25 functions (CloudFormation allows 500 resources per stack), and CodeDeploy runs
 * them in parallel anyway. The bake window above covers them; authorize, the route that runs at 50,000/s, is
 * the one whose new code meets real traffic gradually.
 *
 * Provisioned concurrency during a shift: while the alias is weighted, its provisioned concurrency is divided
 * between the two versions (Lambda's API documents the allocation as fluctuating during canary and linear
 * deployments), and calls beyond what is ready on either side spill over to on-demand environments (cold starts:
 * the AuthorizeSpillover alarm counts them, and is deliberately not a rollback alarm, since spillover says nothing
 * about the new code). Deploy off-peak. CloudFormation applies
 * the alias's configured provisioned concurrency (the everyday baseline) when it updates the alias, and a
 * festival's raised floor is a scheduled action that has already run: do not deploy inside a festival window
 * (PeakReadiness warns at synth time when one is open).
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  type ILambdaDeploymentConfig,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import type { Alias, CfnAlias, CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/routes.js';
import type { StackConfig, TrafficShift } from '../config.js';

const SHIFTS: Readonly<Record<TrafficShift, ILambdaDeploymentConfig>> = {
  CANARY_10PERCENT_5MINUTES: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  CANARY_10PERCENT_10MINUTES: LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
  CANARY_10PERCENT_15MINUTES: LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  CANARY_10PERCENT_30MINUTES: LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
  LINEAR_10PERCENT_EVERY_1MINUTE: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  LINEAR_10PERCENT_EVERY_2MINUTES: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
  LINEAR_10PERCENT_EVERY_3MINUTES: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  LINEAR_10PERCENT_EVERY_10MINUTES: LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
  ALL_AT_ONCE: LambdaDeploymentConfig.ALL_AT_ONCE,
};

const MINUTE = Duration.minutes(1);
/**
 * A canary lasts minutes and CodeDeploy stops watching when the last shift is done: errors and 5xx roll back
 * on the first bad minute. Latency needs two, so one noisy minute of a small sample does not.
 */
const FAULT_MINUTES = 1;
const LATENCY_MINUTES = 2;

export interface SafeDeploysProps {
  /** The authorize function's `live` alias (PeakReadiness). */
  readonly alias: Alias;
  readonly api: RestApi;
  readonly authorizeRoute: RouteDefinition;
  readonly trafficShift: TrafficShift;
  /** Functions CloudFormation must update before the shift starts: their bake time is the canary's. */
  readonly deployedBefore: readonly IFunction[];
  /** Where the rollback alarms also notify (the on-call topic): a rolled-back deploy is worth knowing about. */
  readonly alarmAction: IAlarmAction;
  readonly thresholds: Pick<
    StackConfig['alarms'],
    'lambdaErrorsPerMinute' | 'authorizeP99Ms' | 'serverErrorRatePercent'
  >;
}

export class SafeDeploys extends Construct {
  readonly deploymentGroup: LambdaDeploymentGroup;
  /** The alarms that roll a shift back. */
  readonly rollbackAlarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SafeDeploysProps) {
    super(scope, id);
    this.newRollbackAlarms(props);
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Authorize', {
      alias: props.alias,
      deploymentConfig: SHIFTS[props.trafficShift],
      alarms: this.rollbackAlarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    const alias = props.alias.node.defaultChild as CfnAlias;
    for (const fn of props.deployedBefore) alias.addResourceDependency(fn.node.defaultChild as CfnFunction);
    this.suppressFindings();
  }

  private newRollbackAlarms(props: SafeDeploysProps): void {
    const t = props.thresholds;
    const newVersion = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: {
          FunctionName: props.alias.version.lambda.functionName,
          Resource: `${props.alias.version.lambda.functionName}:${props.alias.aliasName}`,
          ExecutedVersion: props.alias.version.version,
        },
        statistic,
        period: MINUTE,
      });
    this.alarm('NewVersionErrors', newVersion('Errors', 'Sum'), t.lambdaErrorsPerMinute, FAULT_MINUTES);
    this.alarm('NewVersionP99', newVersion('Duration', 'p99'), t.authorizeP99Ms, LATENCY_MINUTES);
    const route = { Resource: props.authorizeRoute.path, Method: props.authorizeRoute.method };
    this.alarm(
      'Authorize5xxRate',
      serverErrorRate(props.api, route),
      t.serverErrorRatePercent,
      FAULT_MINUTES,
    );
    this.alarm('Api5xxRate', serverErrorRate(props.api), t.serverErrorRatePercent, FAULT_MINUTES);
    for (const alarm of this.rollbackAlarms) alarm.addAlarmAction(props.alarmAction);
  }

  private alarm(id: string, metric: IMetric, threshold: number, minutes: number): void {
    this.rollbackAlarms.push(
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: minutes,
        alarmDescription: `Rolls back a deploy of the authorize function while its traffic shifts: ${id}`,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No calls, no data (outside a deploy, the new-version metrics do not exist): not a reason to roll back.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(
      this.deploymentGroup.role,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AWSCodeDeployRoleForLambdaLimited is the AWS managed policy for CodeDeploy shifting Lambda aliases: it allows ' +
            'reading alarms, updating aliases and invoking only functions named CodeDeployHook_*; a copy of it would only drift.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited',
          ],
        },
      ],
      true,
    );
  }
}

/** Share of 5xx answers (%), for the whole stage or one method (`dimensions`: Resource and Method). */
function serverErrorRate(api: RestApi, method?: { Resource: string; Method: string }): IMetric {
  const metric = (metricName: string) =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: api.restApiName, Stage: api.deploymentStage.stageName, ...method },
      statistic: 'Sum',
      period: MINUTE,
    });
  return new MathExpression({
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: { errors: metric('5XXError'), requests: metric('Count') },
    period: MINUTE,
    label: method ? `${method.Method} ${method.Resource} 5xx %` : 'API 5xx %',
  });
}
