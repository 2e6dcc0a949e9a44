/**
 * The AWS stack, checked on its synthesized template: table, functions, API and authorizer, schedules and
 * fan-out, peak readiness, alarms, least-privilege IAM, no default keys, and cdk-nag with no open error.
 * Synthesized once (bundling ~27 functions with esbuild takes a while).
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { ROUTES } from '../../functions/routes.js';
import { buildApp } from '../../infra/app.js';
import { ROUTE_TABLE_ACCESS, TABLE_ACTIONS } from '../../infra/route-permissions.js';
import type { CreditAuthorizationStack } from '../../infra/stack.js';

let stack: CreditAuthorizationStack;
let template: Template;
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
const config = cdkJson.context['credit'] as any;

beforeAll(() => {
  ({ stack } = buildApp(cdkJson.context));
  template = Template.fromStack(stack);
}, 300_000);

const resources = (type: string) => Object.values(template.findResources(type)) as Array<{ Properties: any }>;

describe('the table', () => {
  it('is on-demand with point-in-time recovery, deletion protection, TTL and warm throughput', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      WarmThroughput: { ReadUnitsPerSecond: config.table.warmReadUnitsPerSecond, WriteUnitsPerSecond: config.table.warmWriteUnitsPerSecond },
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('has the three sparse indexes the code queries', () => {
    const [table] = resources('AWS::DynamoDB::GlobalTable');
    const names = table!.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName).sort();
    expect(names).toEqual(['accounts', 'expiry', 'review']);
  });
});

describe('the functions', () => {
  it('are one per route, plus the authorizer and three jobs, all ARM64 on Node 22', () => {
    const functions = resources('AWS::Lambda::Function').filter((f) => f.Properties.Runtime !== undefined && String(f.Properties.Handler).startsWith('index.'));
    expect(functions).toHaveLength(ROUTES.length + 4);
    for (const f of functions) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.Timeout).toBeLessThanOrEqual(300);
    }
  });

  it('never carry a default key: no ADMIN_API_KEY (or any *_KEY) in any environment', () => {
    for (const f of resources('AWS::Lambda::Function')) {
      const variables = Object.keys(f.Properties.Environment?.Variables ?? {});
      expect(variables.filter((v) => /ADMIN|API_KEY|SECRET/.test(v))).toEqual([]);
    }
  });

  it('declare table access for every route', () => {
    for (const route of ROUTES) expect(ROUTE_TABLE_ACCESS[route.handler]).toBeDefined();
  });
});

describe('least privilege', () => {
  const dynamoStatements = () =>
    resources('AWS::IAM::Policy').flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as any[]).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:'))),
    );

  it('scopes every DynamoDB statement to the table and its indexes, never "*"', () => {
    const statements = dynamoStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      for (const r of [s.Resource].flat()) {
        expect(r).not.toBe('*');
        expect(JSON.stringify(r)).toMatch(/DataTable/);
      }
    }
  });

  it('gives read-only handlers no write action', () => {
    const writes = TABLE_ACTIONS.write.filter((a) => !TABLE_ACTIONS.read.includes(a));
    const readOnly = Object.entries(ROUTE_TABLE_ACCESS).filter(([, access]) => access === 'read').map(([name]) => name);
    for (const name of readOnly) {
      const role = stack.functions[name]!.fn.role!;
      const logicalRole = stack.resolve((role.node.defaultChild as any).logicalId);
      const policies = resources('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes(logicalRole));
      const actions = policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as any[]).flatMap((s) => [s.Action].flat()));
      expect(actions.filter((a) => writes.includes(a))).toEqual([]);
    }
  });
});

describe('the API', () => {
  it('has every route of the contract, each behind the custom authorizer', () => {
    const methods = resources('AWS::ApiGateway::Method');
    expect(methods).toHaveLength(ROUTES.length);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('CUSTOM');
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(ROUTES.map((r) => r.method).sort());
  });

  it('caches the authorizer answer per Authorization header for 300 s', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('throttles the stage and the authorize route, and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: config.api.stageRateRps, ThrottlingBurstLimit: config.api.stageBurst }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1v1~1authorizations', ThrottlingRateLimit: config.api.authorizeRateRps }),
      ]),
    });
  });

  it('answers gateway errors in the contract shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"too_many_requests"') },
    });
  });

  it('sends authorize to the live alias with provisioned concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: config.authorize.baselineProvisionedConcurrency },
    });
    const aliasId = Object.keys(template.findResources('AWS::Lambda::Alias'))[0]!;
    const callers = resources('AWS::ApiGateway::Method').filter((m) => JSON.stringify(m.Properties.Integration.Uri).includes(`"Ref":"${aliasId}"`));
    expect(callers).toHaveLength(1);
    expect(callers[0]!.Properties.HttpMethod).toBe('POST');
  });

  it('is protected by a WAF web ACL with a rate rule', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Rules: Match.arrayWith([Match.objectLike({ Name: 'rate-per-source' })]) });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});

describe('scheduled work', () => {
  it('sweeps expiry every minute and refreshes limits nightly', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 18 * * ? *)' });
  });

  it('fans refresh segments out through an encrypted SQS queue with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });
});

describe('peak readiness', () => {
  it('tracks utilization and raises provisioned concurrency before the festival, lowering it after', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: config.authorize.baselineProvisionedConcurrency,
      MaxCapacity: config.authorize.maxProvisionedConcurrency,
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ScheduledActions: [
        Match.objectLike({
          Schedule: `at(${config.festival.prewarmAt.slice(0, 19)})`,
          ScalableTargetAction: { MinCapacity: config.festival.minProvisionedConcurrency, MaxCapacity: config.festival.maxProvisionedConcurrency },
        }),
        Match.objectLike({
          Schedule: `at(${config.festival.endsAt.slice(0, 19)})`,
          ScalableTargetAction: { MinCapacity: config.authorize.baselineProvisionedConcurrency, MaxCapacity: config.authorize.maxProvisionedConcurrency },
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: config.authorize.utilizationTarget,
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
      }),
    });
  });
});

describe('observability', () => {
  it('alarms on 5xx rate, authorize p99, Lambda errors and throttles, DynamoDB throttles and system errors, conflicts and DLQ depth', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    const text = JSON.stringify(alarms);
    for (const needle of ['Api5xxRate', 'AuthorizeP99Latency', 'ThrottledRequests', 'SystemErrors', 'TransactionConflicts', 'ApproximateNumberOfMessagesVisible']) {
      expect(text).toContain(needle);
    }
    const lambdaMetrics = alarms.map((a) => a.Properties.MetricName).filter((n) => n === 'Errors' || n === 'Throttles');
    expect(lambdaMetrics.length).toBe(2 * (ROUTES.length + 4));
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed error', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 120)}`)).toEqual([]);
  });
});
