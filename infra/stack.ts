/**
 * The whole service as one stack per stage, composed of constructs that mirror the architecture:
 * table → jobs (queue, schedules) → functions (one per route, the same modules `npm start` serves) → peak
 * readiness (authorize alias) → API → observability → safe deploys (CodeDeploy on the authorize alias).
 * Environment-agnostic (no account/Region lookups), so `cdk synth` runs offline. The stage is in the stack's
 * name and in every name it sets (infra/names.ts). No default keys anywhere: the first admin client is created
 * by an operator (docs/CAPACITY.md, "Standing it up").
 */
import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AUTHORIZER_ENTRY, ROUTES, routeEntry, type RouteDefinition } from '../functions/routes.js';
import { API_TIMEOUT_SECONDS, AUTHORIZER_TIMEOUT_SECONDS } from '../shared/function-timeouts.js';
import { clientLimits, type StackConfig } from './config.js';
import { CreditApi } from './constructs/api.js';
import { CursorKey } from './constructs/cursor-key.js';
import { Jobs } from './constructs/jobs.js';
import { Observability } from './constructs/observability.js';
import { PeakReadiness } from './constructs/peak-readiness.js';
import { SafeDeploys } from './constructs/safe-deploys.js';
import { ServiceFunction } from './constructs/service-function.js';
import { CreditTable } from './constructs/table.js';
import { type StageNames, stageNames } from './names.js';

/** The route served through the provisioned `live` alias: the checkout hot path. */
export const AUTHORIZE_HANDLER = 'authorizations-create';

/** The scheduled job modules (functions/jobs/*.ts, each exporting `handler`). */
export const JOB_ENTRIES = {
  expirySweeper: 'functions/jobs/expiry-sweeper.ts',
  refreshScheduler: 'functions/jobs/limit-refresh-scheduler.ts',
  refreshWorker: 'functions/jobs/limit-refresh-worker.ts',
  refreshDeadLetters: 'functions/jobs/limit-refresh-dead-letters.ts',
} as const;

export interface CreditAuthorizationStackProps extends StackProps {
  readonly config: StackConfig;
  /** The route manifest (defaults to functions/routes.ts; tests pass the same). */
  readonly routes?: readonly RouteDefinition[];
}

export class CreditAuthorizationStack extends Stack {
  /** Route functions by handler name. */
  readonly functions: Readonly<Record<string, ServiceFunction>>;
  readonly authorizer: ServiceFunction;
  readonly jobs: Jobs;
  readonly data: CreditTable;
  readonly cursorKey: CursorKey;
  /** The names this stack sets itself, each carrying its stage. */
  readonly names: StageNames;
  readonly safeDeploys: SafeDeploys;

  constructor(scope: Construct, id: string, props: CreditAuthorizationStackProps) {
    super(scope, id, props);
    const c = props.config;
    const routes = props.routes ?? ROUTES;
    const logRetention = c.logRetentionDays as RetentionDays;
    this.names = stageNames(c.stage);

    this.data = new CreditTable(this, 'Data', c.table);
    const environment = serviceEnvironment(this.data, c);
    this.jobs = new Jobs(this, 'Jobs', {
      entries: JOB_ENTRIES,
      table: this.data,
      environment,
      metricNamespace: this.names.metricNamespace,
      logRetention,
      limitRefreshHourUtc: c.jobs.limitRefreshHourUtc,
      refreshWorkerMaxConcurrency: c.jobs.refreshWorkerMaxConcurrency,
    });
    this.cursorKey = new CursorKey(this, 'CursorKey');
    this.functions = this.routeFunctions(routes, environment, logRetention);
    this.authorizer = new ServiceFunction(this, 'Authorizer', {
      entry: AUTHORIZER_ENTRY,
      description: 'API key authorizer (REQUEST, cached per key)',
      table: this.data,
      access: 'read',
      environment,
      metricNamespace: this.names.metricNamespace,
      timeoutSeconds: AUTHORIZER_TIMEOUT_SECONDS,
      logRetention,
    });

    const authorizeRoute = routes.find((r) => r.name === AUTHORIZE_HANDLER);
    const authorizeFn = this.functions[AUTHORIZE_HANDLER];
    if (!authorizeRoute || !authorizeFn)
      throw new Error(`the route manifest has no ${AUTHORIZE_HANDLER} route`);
    const peak = new PeakReadiness(this, 'PeakReadiness', {
      version: authorizeFn.fn.currentVersion,
      baselineProvisionedConcurrency: c.authorize.baselineProvisionedConcurrency,
      maxProvisionedConcurrency: c.authorize.maxProvisionedConcurrency,
      utilizationTarget: c.authorize.utilizationTarget,
      festivals: c.festivals,
    });
    const api = this.api(c, routes, authorizeRoute, peak.alias, logRetention);
    const observability = this.observability(c, api, authorizeRoute, peak.alias);
    this.safeDeploys = new SafeDeploys(this, 'SafeDeploys', {
      alias: peak.alias,
      api,
      authorizeRoute,
      trafficShift: c.deploy.authorizeTrafficShift,
      deployedBefore: [
        ...Object.entries(this.functions)
          .filter(([name]) => name !== AUTHORIZE_HANDLER)
          .map(([, f]) => f.fn),
        this.authorizer.fn,
      ],
      alarmAction: new SnsAction(observability.topic),
      thresholds: c.alarms,
    });
    this.outputs(c, api, observability);
  }

  /** One function per route, with the table access, queue and secret its spec declares. */
  private routeFunctions(
    routes: readonly RouteDefinition[],
    environment: Readonly<Record<string, string>>,
    logRetention: RetentionDays,
  ): Record<string, ServiceFunction> {
    const functions: Record<string, ServiceFunction> = {};
    for (const route of routes) {
      const enqueues = route.access.enqueuesRefresh === true;
      const seals = route.access.sealsCursors === true;
      const fn = new ServiceFunction(this, `Route-${route.name}`, {
        entry: routeEntry(route),
        description: `${route.method} ${route.path}`,
        table: this.data,
        access: route.access.table,
        deletesFrom: route.access.deletesFrom,
        environment: {
          ...environment,
          ...(enqueues ? { REFRESH_QUEUE_URL: this.jobs.refreshQueue.queueUrl } : {}),
          ...(seals ? this.cursorKey.environment : {}),
        },
        metricNamespace: this.names.metricNamespace,
        timeoutSeconds: API_TIMEOUT_SECONDS,
        logRetention,
      });
      if (enqueues) this.jobs.refreshQueue.grantSendMessages(fn.role);
      if (seals) this.cursorKey.grantRead(fn.role);
      functions[route.name] = fn;
    }
    return functions;
  }

  /** The REST API: every route to its function, authorize to the provisioned alias. */
  private api(
    c: StackConfig,
    routes: readonly RouteDefinition[],
    authorizeRoute: RouteDefinition,
    authorizeAlias: IFunction,
    logRetention: RetentionDays,
  ): CreditApi['api'] {
    const targets: Record<string, IFunction> = Object.fromEntries(
      Object.entries(this.functions).map(([name, f]) => [name, f.fn]),
    );
    targets[AUTHORIZE_HANDLER] = authorizeAlias;
    return new CreditApi(this, 'Api', {
      routes,
      targets,
      authorizerFunction: this.authorizer.fn,
      name: this.names.api,
      stageName: c.stage,
      stageRateRps: c.api.stageRateRps,
      stageBurst: c.api.stageBurst,
      authorizeRoute,
      authorizeRateRps: c.api.authorizeRateRps,
      authorizeBurst: c.api.authorizeBurst,
      waf: {
        clientRps: clientLimits(c.api).stageRps,
        clientAuthorizeRps: clientLimits(c.api).authorizeRps,
        perIpRps: c.api.perIpRateRps,
        unrecognizedKeyRps: c.api.unrecognizedKeyRateRps,
      },
      functionTimeoutSeconds: API_TIMEOUT_SECONDS,
      accessLogRetention: logRetention,
    }).api;
  }

  /** Alarms and the dashboard over every function, the API, the table and the dead letters. */
  private observability(
    c: StackConfig,
    api: CreditApi['api'],
    authorizeRoute: RouteDefinition,
    authorizeAlias: PeakReadiness['alias'],
  ): Observability {
    const observed = [
      ...Object.entries(this.functions).map(([name, f]) => ({ name, fn: f.fn, logGroup: f.logGroup })),
      { name: 'authorizer', fn: this.authorizer.fn, logGroup: this.authorizer.logGroup },
      ...this.jobs.functions.map((f) => ({ name: f.node.id, fn: f.fn, logGroup: f.logGroup })),
    ];
    return new Observability(this, 'Observability', {
      api,
      authorizeRoute,
      table: this.data,
      functions: observed,
      authorizeAlias,
      deadLetters: {
        refreshQueue: this.jobs.refreshDeadLetterQueue,
        scheduleQueue: this.jobs.scheduleDeadLetterQueue,
        deadLetteredSegments: this.jobs.deadLetteredSegments,
      },
      alarmEmail: c.alarmEmail,
      thresholds: c.alarms,
      metricNamespace: this.names.metricNamespace,
      dashboardName: this.names.dashboard,
    });
  }

  /** What an operator needs after a deploy (README, "Deploy to AWS"). */
  private outputs(c: StackConfig, api: CreditApi['api'], observability: Observability): void {
    new CfnOutput(this, 'Stage', { value: c.stage, description: 'The stage this stack deploys' });
    new CfnOutput(this, 'ApiUrl', {
      // No trailing slash: `curl $API_URL/v1/accounts`.
      value: Fn.join('', [
        'https://',
        api.restApiId,
        '.execute-api.',
        Aws.REGION,
        '.',
        Aws.URL_SUFFIX,
        '/',
        api.deploymentStage.stageName,
      ]),
      description: 'Base URL of the API (routes start with /v1)',
    });
    new CfnOutput(this, 'TableName', {
      value: this.data.table.tableName,
      description: 'Where the bootstrap admin client is put (docs/CAPACITY.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: observability.topic.topicArn,
      description: 'Subscribe the on-call rota here',
    });
  }
}

/** What every function reads from its environment (shared/config.ts): the table and the risk rules. */
function serviceEnvironment(data: CreditTable, c: StackConfig): Record<string, string> {
  return {
    TABLE_NAME: data.table.tableName,
    REVIEW_THRESHOLD: String(c.service.reviewThreshold),
    VELOCITY_MAX: String(c.service.velocityMax),
    VELOCITY_WINDOW_SECONDS: String(c.service.velocityWindowSeconds),
    AUTH_HOLD_TTL_SECONDS: String(c.service.authHoldTtlSeconds),
  };
}
