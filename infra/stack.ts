/**
 * The whole service as one stack, composed of constructs that mirror the architecture:
 * table → functions (one per route, same modules `npm start` serves) → peak readiness (authorize alias) →
 * API → jobs → observability. No default keys anywhere: the first admin client is created by an operator (see
 * docs/CAPACITY.md, "Standing it up").
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { ROUTES } from '../functions/routes.js';
import type { StackConfig } from './config.js';
import { CreditApi } from './constructs/api.js';
import { Jobs } from './constructs/jobs.js';
import { Observability } from './constructs/observability.js';
import { PeakReadiness } from './constructs/peak-readiness.js';
import { ServiceFunction } from './constructs/service-function.js';
import { CreditTable } from './constructs/table.js';
import { ROUTE_TABLE_ACCESS, ROUTES_THAT_ENQUEUE_REFRESH } from './route-permissions.js';

export const AUTHORIZE_HANDLER = 'authorizations-create';

export interface CreditAuthorizationStackProps extends StackProps {
  config: StackConfig;
}

export class CreditAuthorizationStack extends Stack {
  readonly functions: Record<string, ServiceFunction> = {};

  constructor(scope: Construct, id: string, props: CreditAuthorizationStackProps) {
    super(scope, id, props);
    const c = props.config;
    const { table } = new CreditTable(this, 'Data', {
      warmReadUnitsPerSecond: c.table.warmReadUnitsPerSecond,
      warmWriteUnitsPerSecond: c.table.warmWriteUnitsPerSecond,
    });
    const environment = {
      TABLE_NAME: table.tableName,
      REVIEW_THRESHOLD: String(c.service.reviewThreshold),
      VELOCITY_MAX: String(c.service.velocityMax),
      VELOCITY_WINDOW_SECONDS: String(c.service.velocityWindowSeconds),
      AUTH_HOLD_TTL_SECONDS: String(c.service.authHoldTtlSeconds),
    };
    const jobs = new Jobs(this, 'Jobs', { table, environment });

    for (const route of ROUTES) {
      const access = ROUTE_TABLE_ACCESS[route.handler];
      if (!access) throw new Error(`no table access declared for ${route.handler} (infra/route-permissions.ts)`);
      const enqueues = ROUTES_THAT_ENQUEUE_REFRESH.has(route.handler);
      const fn = new ServiceFunction(this, `Route-${route.handler}`, {
        entry: `functions/http/${route.handler}.ts`,
        table,
        access,
        environment: enqueues ? { ...environment, REFRESH_QUEUE_URL: jobs.refreshQueue.queueUrl } : environment,
      });
      if (enqueues) jobs.refreshQueue.grantSendMessages(fn.fn);
      this.functions[route.handler] = fn;
    }
    const authorizer = new ServiceFunction(this, 'Authorizer', { entry: 'functions/authorizer.ts', table, access: 'read', environment });

    const authorizeFn = this.functions[AUTHORIZE_HANDLER]!.fn;
    const peak = new PeakReadiness(this, 'PeakReadiness', {
      fn: authorizeFn,
      baselineProvisionedConcurrency: c.authorize.baselineProvisionedConcurrency,
      maxProvisionedConcurrency: c.authorize.maxProvisionedConcurrency,
      utilizationTarget: c.authorize.utilizationTarget,
      festival: c.festival,
    });

    const targets: Record<string, IFunction> = Object.fromEntries(Object.entries(this.functions).map(([name, f]) => [name, f.fn]));
    targets[AUTHORIZE_HANDLER] = peak.alias;
    const { api } = new CreditApi(this, 'Api', {
      targets,
      authorizerFunction: authorizer.fn,
      stageRateRps: c.api.stageRateRps,
      stageBurst: c.api.stageBurst,
      authorizeRateRps: c.api.authorizeRateRps,
      authorizeBurst: c.api.authorizeBurst,
    });

    const allFunctions = [...Object.values(this.functions), authorizer, ...jobs.functions].map((f) => f.fn);
    new Observability(this, 'Observability', {
      api,
      table,
      functions: allFunctions,
      authorizeFunction: authorizeFn,
      deadLetterQueue: jobs.deadLetterQueue,
      alarmEmail: c.alarmEmail,
      serverErrorRatePercent: c.alarms.serverErrorRatePercent,
      authorizeP99Ms: c.alarms.authorizeP99Ms,
      dlqDepth: c.alarms.dlqDepth,
    });

    this.suppressReviewedFindings();
  }

  /** cdk-nag findings reviewed and accepted, each with its reason. */
  private suppressReviewedFindings(): void {
    NagSuppressions.addStackSuppressions(this, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'AWSLambdaBasicExecutionRole (write own logs) and AmazonAPIGatewayPushToCloudWatchLogs (API execution logs) are ' +
          'the AWS-maintained, logging-only policies; a copy would only drift from them.',
        appliesTo: [
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Wildcards reviewed: `<table>/index/*` covers exactly the table\'s own three indexes; X-Ray PutTraceSegments and ' +
          'PutTelemetryRecords do not support resource-level permissions (AWS requires "*").',
        appliesTo: [{ regex: '/^Resource::<DataTable.*\\.Arn>\\/index\\/\\*$/g' }, 'Resource::*'],
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are machine clients (checkout, servicing, risk systems) holding API keys; the REQUEST authorizer checks ' +
          'the key hash against the table. There are no end users to sign in through Cognito.',
      },
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the refresh fan-out (and of the schedule targets).',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime the service is built and tested for (issue 5); a runtime upgrade is its own change.',
      },
    ]);
  }
}
