/**
 * The AWS stack, checked on its synthesized template: table, functions, API and authorizer, WAF throttling per
 * client, schedules and fan-out, peak readiness, safe deploys (CodeDeploy), alarms, least-privilege IAM, no
 * default keys, stages side by side, and cdk-nag with no open error. Synthesized once for the whole file
 * (bundling ~27 functions with esbuild takes a while), from cdk.json's own context, so the tests check what
 * `cdk synth` deploys (prod, the default stage); staging is synthesized once more, without bundling.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { ROUTES } from '../../functions/routes.js';
import { AUTH_CACHE_TTL_MS } from '../../shared/clients/authenticate.js';
import { errorBody } from '../../shared/http/errors.js';
import { SEGMENT_MAX_DELIVERIES } from '../../shared/limits/segment-failures.js';
import { EXPIRY_INDEX, PROMOTIONS_BY_END_PARTITION, TTL_ATTRIBUTE } from '../../shared/storage/table.js';
import { buildApp } from '../../infra/app.js';
import { clientLimits, parseStackConfig, type StackConfig } from '../../infra/config.js';
import { AUTHORIZER_CACHE_TTL_SECONDS } from '../../infra/constructs/api.js';
import { KEY_SHAPED, WAF_WINDOW_SECONDS, wafLimit } from '../../infra/constructs/web-acl.js';
import { newApiKey } from '../../shared/ids.js';
import { TABLE_WRITE_ACTIONS } from '../../infra/route-permissions.js';
import { DEFAULT_RISK_SETTINGS_PARAMETER } from '../../shared/config.js';
import { defaultRiskSettings, RiskSettingsDocument } from '../../shared/settings/risk-settings.js';
import { riskSettingsParameterName } from '../../infra/constructs/risk-settings.js';
import { ServiceFunction } from '../../infra/constructs/service-function.js';
import { CreditTable } from '../../infra/constructs/table.js';
import * as cdkLib from 'aws-cdk-lib';
import type { CreditAuthorizationStack } from '../../infra/stack.js';

type Resource = { Properties: any; [key: string]: any };

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const config: StackConfig = parseStackConfig(cdkJson.context['credit']);

let stack: CreditAuthorizationStack;
let template: Template;

beforeAll(() => {
  ({ stack } = buildApp(cdkJson.context));
  template = Template.fromStack(stack);
}, 300_000);

const resources = (type: string): Resource[] => Object.values(template.findResources(type)) as Resource[];
const withIds = (type: string): Array<[string, Resource]> =>
  Object.entries(template.findResources(type)) as Array<[string, Resource]>;
/** Our functions (CDK adds none of its own here, but be explicit: ours are bundled to index.handler). */
const serviceFunctions = () =>
  resources('AWS::Lambda::Function').filter((f) => f.Properties.Handler === 'index.handler');
type Construct = { node: { defaultChild?: unknown } };
const logicalId = (construct: Construct) => stack.getLogicalId(construct.node.defaultChild as never);
/**
 * Every policy of every role: AWS::IAM::Policy resources, and each role's inline policies (infra/constructs/
 * service-function.ts puts a function's grants there) in the same shape, naming their role.
 */
const policies = (): Resource[] => [
  ...resources('AWS::IAM::Policy'),
  ...withIds('AWS::IAM::Role').flatMap(([id, role]) =>
    ((role.Properties.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: unknown }>).map((p) => ({
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: p.PolicyName, PolicyDocument: p.PolicyDocument, Roles: [{ Ref: id }] },
    })),
  ),
];
const statementsOfRole = (roleLogicalId: string) =>
  policies()
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleLogicalId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
const actionsOfRole = (roleLogicalId: string) =>
  statementsOfRole(roleLogicalId).flatMap((s) => [s.Action].flat());

describe('the table', () => {
  it('is on-demand with point-in-time recovery and deletion protection', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [
        Match.objectLike({
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: Match.objectLike({ PointInTimeRecoveryEnabled: true }),
        }),
      ],
    });
    const [table] = withIds('AWS::DynamoDB::GlobalTable');
    expect(table![1]['DeletionPolicy']).toBe('Retain');
  });

  it('is encrypted at rest and expires idempotency records by TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('has the sparse keys-only expiry index and the other indexes the code queries', () => {
    const [table] = resources('AWS::DynamoDB::GlobalTable');
    const indexes = table!.Properties.GlobalSecondaryIndexes as Array<{
      IndexName: string;
      Projection: { ProjectionType: string };
    }>;
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(['accounts', 'expiry', 'review']);
    expect(indexes.find((i) => i.IndexName === EXPIRY_INDEX.name)!.Projection.ProjectionType).toBe(
      'KEYS_ONLY',
    );
  });

  it('is pre-warmed for the festival peak: table and expiry index warm throughput from cdk.json', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      WarmThroughput: {
        ReadUnitsPerSecond: config.table.warmReadUnitsPerSecond,
        WriteUnitsPerSecond: config.table.warmWriteUnitsPerSecond,
      },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: EXPIRY_INDEX.name,
          WarmThroughput: { WriteUnitsPerSecond: config.table.expiryIndexWarmWriteUnitsPerSecond },
        }),
      ]),
    });
  });
});

describe('the budgets table', () => {
  it('keys only, no stream (slice draws make no events), PITR on, warm for the draws from cdk.json', () => {
    const budgets = resources('AWS::DynamoDB::GlobalTable').find(
      (t) => t.Properties.WarmThroughput?.WriteUnitsPerSecond === config.table.budgetsWarmWriteUnitsPerSecond,
    );
    expect(budgets).toBeDefined();
    expect(budgets!.Properties.StreamSpecification).toBeUndefined();
    expect(budgets!.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(budgets!.Properties.Replicas[0].PointInTimeRecoverySpecification).toMatchObject({
      PointInTimeRecoveryEnabled: true,
    });
  });
});

describe('the functions', () => {
  it('are one per route of the manifest, plus the authorizer, seven jobs, three event functions and the bootstrap admin writer', () => {
    const functions = serviceFunctions();
    // No mail sweeper: cdk.json sets no From address for notification emails (the inbox only).
    expect(functions).toHaveLength(ROUTES.length + 12);
    const descriptions = functions.map((f) => f.Properties.Description as string);
    for (const route of ROUTES)
      expect(descriptions.filter((d) => d === `${route.method} ${route.path}`)).toHaveLength(1);
  });

  it('all run on ARM64 and Node.js 22, with X-Ray tracing, JSON logs and short timeouts', () => {
    for (const f of serviceFunctions()) {
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(f.Properties.LoggingConfig).toEqual(expect.objectContaining({ LogFormat: 'JSON' }));
      expect(f.Properties.Timeout).toBeLessThanOrEqual(300);
    }
    for (const route of ROUTES) expect(stack.functions[route.name]!.fn.timeout!.toSeconds()).toBe(6);
  });

  it('get the table name, source maps and the Powertools settings', () => {
    for (const f of serviceFunctions()) {
      expect(f.Properties.Environment.Variables).toEqual(
        expect.objectContaining({
          TABLE_NAME: expect.anything(),
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: 'credit-authorization',
          POWERTOOLS_METRICS_NAMESPACE: 'CreditAuthorization/prod',
        }),
      );
    }
  });

  it('never carry a default key: no ADMIN_API_KEY, no literal CURSOR_KEY (nor a local DynamoDB endpoint) in any environment', () => {
    const secretRef = { Ref: logicalId(stack.cursorKey.secret) };
    for (const f of resources('AWS::Lambda::Function')) {
      const environment: Record<string, unknown> = f.Properties.Environment?.Variables ?? {};
      const variables = Object.keys(environment);
      expect(variables).not.toContain('ADMIN_API_KEY');
      expect(variables).not.toContain('CURSOR_KEY');
      expect(variables).not.toContain('DYNAMODB_ENDPOINT');
      // The one secret-ish variable allowed is the cursor key's ARN, and it is a reference, never a value.
      expect(
        variables.filter((v) => /ADMIN|KEY|SECRET|PASSWORD/.test(v) && v !== 'CURSOR_KEY_SECRET_ARN'),
      ).toEqual([]);
      if ('CURSOR_KEY_SECRET_ARN' in environment)
        expect(environment['CURSOR_KEY_SECRET_ARN']).toEqual(secretRef);
    }
  });

  it('refuse at synth a function environment that sets a literal cursor key', () => {
    const { App, Stack } = cdkLib;
    const scratch = new Stack(new App(), 'Scratch');
    const table = new CreditTable(scratch, 'Data', config.table);
    expect(
      () =>
        new ServiceFunction(scratch, 'Leaky', {
          entry: 'functions/http/reviews-list.ts',
          description: 'GET /v1/reviews',
          table,
          access: 'read',
          environment: { CURSOR_KEY: 'k'.repeat(64) },
          metricNamespace: 'CreditAuthorization/scratch',
          logRetention: config.logRetentionDays as never,
        }),
    ).toThrow(/must not set CURSOR_KEY/);
  });

  it('give the cursor key secret to the listing functions only, each allowed GetSecretValue on that one secret', () => {
    const secretRef = { Ref: logicalId(stack.cursorKey.secret) };
    const sealing = new Set(ROUTES.filter((r) => r.access.sealsCursors).map((r) => r.name));
    for (const [name, fn] of Object.entries(stack.functions)) {
      const [, resource] = withIds('AWS::Lambda::Function').find(([id]) => id === logicalId(fn.fn))!;
      const seals = sealing.has(name);
      expect([name, 'CURSOR_KEY_SECRET_ARN' in (resource.Properties.Environment?.Variables ?? {})]).toEqual([
        name,
        seals,
      ]);
      const secretStatements = statementsOfRole(logicalId(fn.role)).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('secretsmanager:')),
      );
      expect([name, secretStatements]).toEqual([
        name,
        seals
          ? [expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: secretRef })]
          : [],
      ]);
    }
    // No other role (authorizer, jobs) may touch Secrets Manager at all, but the bootstrap writer (its own secret).
    const readers = policies().filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:'),
    );
    expect(readers).toHaveLength(sealing.size + 1);
    const bootstrapSecret = { Ref: logicalId(stack.bootstrapAdmin.secret) };
    for (const p of readers.filter((r) => JSON.stringify(r).includes(JSON.stringify(bootstrapSecret))))
      expect(p.Properties.Roles).toEqual([{ Ref: logicalId(stack.bootstrapAdmin.function.role) }]);
    expect(sealing).toEqual(new Set(['accounts-journal', 'reviews-list', 'promotions-list', 'events-list']));
  });

  it('generates the cursor key in Secrets Manager at deploy: the template holds no key material', () => {
    const [, secret] = withIds('AWS::SecretsManager::Secret').find(
      ([id]) => id === logicalId(stack.cursorKey.secret),
    )!;
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it("give each route's function the table access its spec declares", () => {
    for (const route of ROUTES) {
      const actions = actionsOfRole(logicalId(stack.functions[route.name]!.role));
      const writes = actions.some((a) => a === 'dynamodb:PutItem');
      expect([route.name, writes]).toEqual([route.name, route.access.table === 'write']);
    }
  });
});

describe('least privilege', () => {
  const dynamoStatements = () =>
    policies().flatMap((p) =>
      (
        p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>
      ).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:'))),
    );

  it('scopes every DynamoDB statement to the tables and the table\'s named indexes: no "*" anywhere in them', () => {
    const statements = dynamoStatements();
    const tableRoutes = ROUTES.filter((r) => r.access.table !== 'none');
    expect(statements.length).toBeGreaterThanOrEqual(tableRoutes.length + 5);
    for (const s of statements) {
      expect([s.Action].flat().some((a) => a.includes('*'))).toBe(false);
      for (const r of [s.Resource].flat()) {
        expect(JSON.stringify(r)).not.toContain('*');
        expect(JSON.stringify(r)).toMatch(
          new RegExp(
            `${logicalId(stack.data.table)}|${logicalId(stack.data.events)}|${logicalId(stack.data.budgets)}`,
          ),
        );
      }
    }
  });

  it('lets only the event list read the events table, and only the stream mapper write it', () => {
    const events = logicalId(stack.data.events);
    const onEvents = policies().flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .filter((s) => JSON.stringify(s.Resource).includes(events))
        .map((s) => ({ roles: p.Properties.Roles, actions: [s.Action].flat() })),
    );
    const read = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
    const write = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'];
    expect(onEvents).toEqual(
      expect.arrayContaining([
        { roles: [{ Ref: logicalId(stack.events.mapper.role) }], actions: [...read, ...write] },
        { roles: [{ Ref: logicalId(stack.functions['events-list']!.role) }], actions: read },
      ]),
    );
    expect(onEvents).toHaveLength(2);
  });

  it('gives read-only handlers (and the authorizer) no write action', () => {
    const readOnly = ROUTES.filter((r) => r.access.table === 'read').map((r) => stack.functions[r.name]!);
    expect(readOnly.length).toBeGreaterThan(0);
    for (const fn of [...readOnly, stack.authorizer]) {
      const actions = actionsOfRole(logicalId(fn.role));
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
      expect(actions.filter((a) => TABLE_WRITE_ACTIONS.includes(a))).toEqual([]);
    }
  });

  it('lets write handlers transact (Put/Update/ConditionCheck) but delete nothing', () => {
    const actions = actionsOfRole(logicalId(stack.functions['authorizations-create']!.role));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
    );
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('lets only the promotion end and webhook endpoint delete routes delete, each only keys of its partition', () => {
    const deleting = policies().flatMap((p) =>
      (
        p.Properties.PolicyDocument.Statement as Array<{
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }>
      )
        .filter((s) => [s.Action].flat().some((a) => a === 'dynamodb:DeleteItem' || a === 'dynamodb:*'))
        .map((s) => ({ roles: p.Properties.Roles, statement: s })),
    );
    expect(deleting).toEqual([
      {
        roles: [{ Ref: logicalId(stack.functions['promotions-end']!.role) }],
        statement: {
          Effect: 'Allow',
          Action: 'dynamodb:DeleteItem',
          Resource: { 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] },
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [PROMOTIONS_BY_END_PARTITION] },
          },
        },
      },
      {
        roles: [{ Ref: logicalId(stack.functions['webhook-endpoints-delete']!.role) }],
        statement: {
          Effect: 'Allow',
          Action: 'dynamodb:DeleteItem',
          Resource: { 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WEBHOOK_ENDPOINTS'] } },
        },
      },
    ]);
  });

  it('gives function roles no AWS managed policy: each writes only its own log group', () => {
    const all = [
      ...Object.values(stack.functions),
      stack.authorizer,
      ...stack.jobs.functions,
      stack.bootstrapAdmin.function,
    ];
    for (const fn of all) {
      const [, role] = withIds('AWS::IAM::Role').find(([id]) => id === logicalId(fn.role))!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logStatements = statementsOfRole(logicalId(fn.role)).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('logs:')),
      );
      expect(logStatements.map((s) => s.Resource)).toEqual([
        { 'Fn::GetAtt': [logicalId(fn.logGroup), 'Arn'] },
      ]);
    }
  });

  it('lets only the refresh starters and workers send to the refresh queue', () => {
    const senders = policies().filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('sqs:SendMessage'),
    );
    // POST /v1/jobs/limit-refresh, the nightly scheduler, the worker (continuations), and POST /v1/promotions and
    // POST /v1/promotions/{id}/end (each starts the run that stages the change: shared/limits/staging.ts); and
    // the billing scheduler and worker, to the billing queue only; POST /v1/coupon-campaigns and the campaign
    // worker (continuations), to the campaign queue only; the stream mapper, to the webhook deliveries queue only.
    expect(senders).toHaveLength(10);
    const roleOf = (id: string) => logicalId(stack.jobs.functions.find((f) => f.node.id === id)!.role);
    const billing = ['BillingScheduler', 'BillingWorker'].map(roleOf);
    const campaigns = [
      roleOf('CouponCampaignWorker'),
      logicalId(stack.functions['coupon-campaigns-create']!.role),
    ];
    const queues = [
      stack.jobs.refreshQueue,
      stack.jobs.billingQueue,
      stack.jobs.couponCampaignQueue,
      stack.events.deliveries,
    ];
    const mapper = logicalId(stack.events.mapper.role);
    for (const p of senders) {
      const document = JSON.stringify(p.Properties.PolicyDocument);
      const roles = JSON.stringify(p.Properties.Roles);
      const own = billing.some((role) => roles.includes(role))
        ? stack.jobs.billingQueue
        : campaigns.some((role) => roles.includes(role))
          ? stack.jobs.couponCampaignQueue
          : roles.includes(mapper)
            ? stack.events.deliveries
            : stack.jobs.refreshQueue;
      for (const queue of queues)
        if (queue === own) expect(document).toContain(logicalId(queue));
        else expect(document).not.toContain(logicalId(queue));
    }
  });
});

describe('the bootstrap admin client', () => {
  const secretRef = () => ({ Ref: logicalId(stack.bootstrapAdmin.secret) });

  it('has its key generated by Secrets Manager at deploy: no key material in the template', () => {
    const [, secret] = withIds('AWS::SecretsManager::Secret').find(
      ([id]) => id === logicalId(stack.bootstrapAdmin.secret),
    )!;
    expect(secret.Properties.GenerateSecretString).toEqual({
      PasswordLength: 64,
      ExcludePunctuation: true,
      IncludeSpace: false,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(resources('AWS::SecretsManager::Secret')).toHaveLength(2); // this one and the cursor key
  });

  it('is written by a custom resource our own bundled function serves, after its role may do so', () => {
    const writer = stack.bootstrapAdmin.function;
    const [[, resource]] = withIds('Custom::BootstrapAdminClient') as [[string, Resource]];
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [logicalId(writer.fn), 'Arn'] },
      ServiceTimeout: '300',
      SecretArn: secretRef(),
    });
    // Its grants are the role's own inline policy (infra/constructs/service-function.ts): after the role is after them.
    expect(resource['DependsOn']).toEqual(expect.arrayContaining([logicalId(writer.role)]));
    expect(statementsOfRole(logicalId(writer.role)).length).toBeGreaterThan(0);
    const [, fn] = withIds('AWS::Lambda::Function').find(([id]) => id === logicalId(writer.fn))!;
    expect(fn.Properties.Handler).toBe('index.handler');
    // No key and no secret in its environment: the secret's ARN comes with each request, as a property.
    expect(
      Object.keys(fn.Properties.Environment.Variables).filter((v) => /KEY|SECRET|ADMIN/.test(v)),
    ).toEqual([]);
    // Every resource of the stack is served by our functions: CDK's provider framework adds none.
    expect(
      resources('AWS::Lambda::Function').filter((f) => f.Properties.Handler !== 'index.handler'),
    ).toEqual([]);
  });

  it('lets its writer read that one secret and write the table, and delete nothing', () => {
    const statements = statementsOfRole(logicalId(stack.bootstrapAdmin.function.role));
    const secretStatements = statements.filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: secretRef() }),
    ]);
    const actions = actionsOfRole(logicalId(stack.bootstrapAdmin.function.role));
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it("outputs the secret's name (AdminKeySecretName) with the command that reads the key", () => {
    const name = stack.resolve(stack.bootstrapAdmin.secret.secretName);
    expect(JSON.stringify(name)).toContain('bootstrap-admin-key');
    template.hasOutput('AdminKeySecretName', {
      Value: name,
      Description: Match.stringLikeRegexp('aws secretsmanager get-secret-value --secret-id'),
    });
  });
});

describe('the risk settings parameter', () => {
  const parameters = () => resources('AWS::SSM::Parameter');
  const parameterArn = () => stack.resolve(stack.riskSettings.parameterArn);
  /** Every IAM statement of the stack that names an SSM action, with the roles it is attached to. */
  const ssmStatements = () =>
    policies().flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:') || a === '*'))
        .map((statement) => ({ roles: p.Properties.Roles as Array<{ Ref: string }>, statement })),
    );
  const readers = () => [
    ...ROUTES.filter((r) => r.access.riskSettings === 'read').map((r) => stack.functions[r.name]!),
    stack.jobs.functions.find((f) => f.entry === 'functions/jobs/limit-refresh-scheduler.ts')!,
  ];
  const writers = () =>
    ROUTES.filter((r) => r.access.riskSettings === 'write').map((r) => stack.functions[r.name]!);

  it('is one String parameter named with the stack, holding the defaults of cdk.json as a valid document', () => {
    expect(parameters()).toHaveLength(1);
    const [parameter] = parameters();
    expect(parameter!.Properties).toMatchObject({
      Type: 'String',
      Tier: 'Standard',
      Name: `/${config.stackName}/risk-settings`,
    });
    const document = JSON.parse(parameter!.Properties.Value);
    expect(RiskSettingsDocument.parse(document)).toEqual(defaultRiskSettings(config.service));
    expect(document).toMatchObject({
      reviewThreshold: config.service.reviewThreshold,
      velocityMax: config.service.velocityMax,
      velocityWindowSeconds: config.service.velocityWindowSeconds,
      newHoldsPaused: false,
      refreshPaused: false,
      changedBy: 'deployment',
    });
  });

  it('is named as the local parameter store names it by default, stage `local` (the same configuration names)', () => {
    const prefix = (cdkJson.context['credit'] as { stackNamePrefix: string }).stackNamePrefix;
    expect(parameters()[0]!.Properties.Name).toBe(riskSettingsParameterName(`${prefix}-${config.stage}`));
    expect(DEFAULT_RISK_SETTINGS_PARAMETER).toBe(riskSettingsParameterName(`${prefix}-local`));
  });

  it('is named to exactly the functions that read or write it', () => {
    const named = [...readers(), ...writers()].map((f) => logicalId(f.fn)).sort();
    const withVariable = withIds('AWS::Lambda::Function')
      .filter(([, f]) => 'RISK_SETTINGS_PARAMETER' in (f.Properties.Environment?.Variables ?? {}))
      .map(([id, f]) => {
        expect(f.Properties.Environment.Variables.RISK_SETTINGS_PARAMETER).toBe(
          `/${config.stackName}/risk-settings`,
        );
        return id;
      })
      .sort();
    expect(withVariable).toEqual(named);
    expect(readers().map((f) => f.entry)).toEqual(
      expect.arrayContaining([
        'functions/http/authorizations-create.ts',
        'functions/http/authorizations-increment.ts',
      ]),
    );
  });

  it('grants ssm:GetParameter on that one parameter to the readers, ssm:PutParameter to the settings route, and no other SSM action to anyone', () => {
    const byRole = (fns: Array<{ role: { node: { defaultChild?: unknown } } }>, action: string) =>
      fns.map((f) => ({
        roles: [{ Ref: logicalId(f.role) }],
        statement: { Effect: 'Allow', Action: action, Resource: parameterArn() },
      }));
    const expected = [...byRole(readers(), 'ssm:GetParameter'), ...byRole(writers(), 'ssm:PutParameter')];
    const key = (s: { roles: Array<{ Ref: string }> }) => s.roles[0]!.Ref;
    expect(ssmStatements().sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
    expect(writers()).toHaveLength(1);
    expect(JSON.stringify(parameterArn())).toContain(`:parameter/${config.stackName}/risk-settings`);
  });
});

describe('the API', () => {
  it('has every route of the manifest, each behind the custom authorizer (no method without it)', () => {
    const methods = resources('AWS::ApiGateway::Method');
    expect(methods).toHaveLength(ROUTES.length);
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'));
    for (const m of methods) {
      expect(m.Properties.AuthorizationType).toBe('CUSTOM');
      expect(m.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    }
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(ROUTES.map((r) => r.method).sort());
  });

  it('caches the authorizer answer per Authorization header for 300 s, as the local server does', () => {
    expect(AUTHORIZER_CACHE_TTL_SECONDS * 1000).toBe(AUTH_CACHE_TTL_MS);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL_SECONDS,
    });
  });

  it('throttles the stage and, tighter, the authorize route', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: config.api.stageRateRps,
          ThrottlingBurstLimit: config.api.stageBurst,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1v1~1authorizations',
          ThrottlingRateLimit: config.api.authorizeRateRps,
          ThrottlingBurstLimit: config.api.authorizeBurst,
        }),
      ]),
    });
  });

  it('writes JSON access logs (with the client id, never headers or bodies) to a log group', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: config.stage,
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"clientId":"\\$context.authorizer.clientId"'),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', LoggingLevel: 'ERROR', DataTraceEnabled: false }),
      ]),
    });
  });

  it('answers its own errors in the contract shape: 429 rate_limited, 401 missing_api_key, 404 for unknown routes', () => {
    const expectResponse = (type: string, status: string, body: unknown) =>
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: status,
        ResponseTemplates: { 'application/json': JSON.stringify(body) },
      });
    expectResponse('THROTTLED', '429', {
      error: {
        type: 'rate_limited',
        code: 'too_many_requests',
        message: 'Too many requests; retry later with backoff.',
      },
    });
    expectResponse('UNAUTHORIZED', '401', errorBody('missing_api_key'));
    expectResponse('MISSING_AUTHENTICATION_TOKEN', '404', errorBody('route_not_found'));
    expectResponse('DEFAULT_4XX', '400', errorBody('validation_failed'));
    expectResponse('DEFAULT_5XX', '500', errorBody('internal_error'));
    // An authorizer that threw or timed out (DynamoDB unavailable): 503, and API Gateway caches nothing.
    expectResponse('AUTHORIZER_CONFIGURATION_ERROR', '503', errorBody('unavailable'));
  });

  it('says when to retry (Retry-After, seconds) on every 429 and 503 it answers, and on nothing else', () => {
    const retryAfterOf = new Map(
      resources('AWS::ApiGateway::GatewayResponse').map((r) => [
        r.Properties.ResponseType as string,
        r.Properties.ResponseParameters?.['gatewayresponse.header.retry-after'] as string | undefined,
      ]),
    );
    expect(Object.fromEntries([...retryAfterOf].filter(([, value]) => value !== undefined))).toEqual({
      THROTTLED: "'1'",
      QUOTA_EXCEEDED: "'1'",
      // WAF notices a key's rate has dropped only some time later (usually within 30 s).
      WAF_FILTERED: "'30'",
      AUTHORIZER_FAILURE: "'1'",
      AUTHORIZER_CONFIGURATION_ERROR: "'1'",
      INTEGRATION_FAILURE: "'1'",
      INTEGRATION_TIMEOUT: "'1'",
    });
    for (const r of resources('AWS::ApiGateway::GatewayResponse')) {
      const carries = r.Properties.ResponseParameters?.['gatewayresponse.header.retry-after'] !== undefined;
      expect([r.Properties.ResponseType, carries]).toEqual([
        r.Properties.ResponseType,
        ['429', '503'].includes(r.Properties.StatusCode),
      ]);
    }
  });

  it('sends authorize, and only authorize, to the live alias with provisioned concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: {
        ProvisionedConcurrentExecutions: config.authorize.baselineProvisionedConcurrency,
      },
    });
    const [aliasId] = Object.keys(template.findResources('AWS::Lambda::Alias'));
    const callers = resources('AWS::ApiGateway::Method').filter((m) =>
      JSON.stringify(m.Properties.Integration.Uri).includes(`"Ref":"${aliasId}"`),
    );
    expect(callers).toHaveLength(1);
    expect(callers[0]!.Properties.HttpMethod).toBe('POST');
  });

  it('is protected by a WAF web ACL, named for its stage, on the stage', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'credit-authorization-prod',
      VisibilityConfig: Match.objectLike({ MetricName: 'credit-authorization-prod' }),
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });
});

describe('throttling per client (WAF)', () => {
  type Rule = { Name: string; Priority: number; Action?: unknown; Statement: any };
  const rules = () => resources('AWS::WAFv2::WebACL')[0]!.Properties.Rules as Rule[];
  const rule = (name: string) => rules().find((r) => r.Name === name)!.Statement.RateBasedStatement;
  const limits = clientLimits(config.api);
  const perMinute = (rps: number) => rps * WAF_WINDOW_SECONDS;
  /** What the rules' key-shaped statements match, as the JavaScript equivalent of WAF's checks. */
  const keyShaped = (header: string) =>
    new RegExp(KEY_SHAPED.regex).test(header) &&
    header.length >= KEY_SHAPED.minLength &&
    header.length <= KEY_SHAPED.maxLength;

  it('holds each key to its share of the authorize rate on POST /v1/authorizations, and of the stage rate overall', () => {
    expect(limits.authorizeRps).toBe(config.api.authorizeRateRps * (config.api.clientSharePercent / 100));
    const authorize = rule('rate-per-client-authorize');
    expect(authorize.AggregateKeyType).toBe('CUSTOM_KEYS');
    expect(authorize.CustomKeys).toEqual([
      { Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
    ]);
    expect(authorize.Limit).toBe(perMinute(limits.authorizeRps));
    expect(authorize.EvaluationWindowSec).toBe(WAF_WINDOW_SECONDS);
    const scope = JSON.stringify(authorize.ScopeDownStatement);
    expect(scope).toContain('"SearchString":"POST"');
    expect(scope).toContain('"RegexString":"/v1/authorizations/?$"');
    const overall = rule('rate-per-client');
    expect(overall.CustomKeys).toEqual(authorize.CustomKeys);
    expect(overall.Limit).toBe(perMinute(limits.stageRps));
    // No single client can take the whole authorize capacity any more.
    expect(limits.authorizeRps).toBeLessThan(config.api.authorizeRateRps);
  });

  it('gives only key-shaped headers a bucket each: everything else shares one (CONSTANT) bucket', () => {
    const shaped = { AndStatement: { Statements: expect.any(Array) } };
    for (const name of ['rate-per-client', 'rate-per-client-authorize']) {
      const statements = rule(name).ScopeDownStatement.AndStatement.Statements as unknown[];
      expect(JSON.stringify(statements)).toContain(JSON.stringify(KEY_SHAPED.regex));
    }
    const unrecognized = rule('rate-unrecognized-keys');
    expect(unrecognized.AggregateKeyType).toBe('CONSTANT');
    expect(unrecognized.CustomKeys).toBeUndefined();
    expect(unrecognized.ScopeDownStatement).toEqual({ NotStatement: { Statement: shaped } });
    expect(unrecognized.ScopeDownStatement.NotStatement.Statement.AndStatement.Statements).toEqual(
      rule('rate-per-client').ScopeDownStatement.AndStatement.Statements,
    );
    expect(unrecognized.Limit).toBe(perMinute(config.api.unrecognizedKeyRateRps));
  });

  it('treats every key POST /v1/clients issues, and a generated bootstrap key, as key-shaped, and junk as not', () => {
    for (let i = 0; i < 50; i++) expect(keyShaped(`Bearer ${newApiKey()}`)).toBe(true);
    // A Secrets Manager password without punctuation, as a bootstrap admin key would be generated.
    expect(keyShaped(`Bearer ${'aZ09'.repeat(16)}`)).toBe(true);
    for (const junk of [
      'Bearer short',
      `Basic ${'a'.repeat(40)}`,
      `Bearer ${'a'.repeat(20)} ${'b'.repeat(20)}`,
      `bearer ${'a'.repeat(40)}`,
      `Bearer ${'a'.repeat(513)}`,
      `Bearer ${'é'.repeat(40)}`,
    ])
      expect({ junk, shaped: keyShaped(junk) }).toEqual({ junk, shaped: false });
  });

  it('backstops every source address, and blocks before anything else is counted', () => {
    const ip = rule('rate-per-ip');
    expect(ip.AggregateKeyType).toBe('IP');
    expect(ip.Limit).toBe(perMinute(config.api.perIpRateRps));
    expect(config.api.perIpRateRps).toBeGreaterThanOrEqual(limits.stageRps);
    expect(rules().map((r) => [r.Name, r.Priority])).toEqual([
      ['rate-per-ip', 0],
      ['rate-unrecognized-keys', 1],
      ['rate-per-client-authorize', 2],
      ['rate-per-client', 3],
      ['known-bad-inputs', 4],
    ]);
    for (const r of rules().filter((r) => r.Name.startsWith('rate-')))
      expect(r.Action).toEqual({ Block: {} });
  });

  it('answers a WAF block with 429 too_many_requests in the contract shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'WAF_FILTERED',
      StatusCode: '429',
      ResponseTemplates: { 'application/json': JSON.stringify(errorBody('too_many_requests')) },
    });
  });

  it('refuses at synth a limit WAF would not accept', () => {
    expect(() => wafLimit(0.1)).toThrow(/outside what WAF accepts/);
    expect(() => wafLimit(40_000_000)).toThrow(/outside what WAF accepts/);
    expect(wafLimit(1)).toBe(WAF_WINDOW_SECONDS);
  });
});

describe('scheduled work', () => {
  it('sweeps expiry every minute and refreshes limits nightly', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `cron(0 ${config.jobs.limitRefreshHourUtc} * * ? *)`,
    });
  });

  it('fans refresh segments out through an encrypted, TLS-only SQS queue with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 1800,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.jobs.refreshDeadLetterQueue), 'Arn'] },
        maxReceiveCount: SEGMENT_MAX_DELIVERIES,
      },
    });
    for (const queue of resources('AWS::SQS::Queue'))
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const policy of resources('AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('fails the run of a dead-lettered segment: a consumer of the refresh DLQ that may read it, write the table, and send nowhere', () => {
    const consumer = stack.jobs.functions.find((f) => f.node.id === 'RefreshDeadLetters')!;
    const dlqArn = { 'Fn::GetAtt': [logicalId(stack.jobs.refreshDeadLetterQueue), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: dlqArn,
      FunctionName: { Ref: logicalId(consumer.fn) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Its SQS rights are the event source's, on the refresh DLQ alone: receive and delete, never send.
    const sqsStatements = statementsOfRole(logicalId(consumer.role)).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('sqs:')),
    );
    expect(sqsStatements.map((s) => s.Resource)).toEqual([dlqArn]);
    const actions = actionsOfRole(logicalId(consumer.role));
    expect(actions).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'dynamodb:UpdateItem',
        'dynamodb:GetItem',
      ]),
    );
    expect(actions.filter((a) => a.startsWith('sqs:Send'))).toEqual([]);
    const [, fn] = withIds('AWS::Lambda::Function').find(([id]) => id === logicalId(consumer.fn))!;
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('REFRESH_QUEUE_URL');
    // It counts dead-lettered segments (EMF, with the service dimension), and that metric pages the on-call.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CreditAuthorization/prod',
      MetricName: 'RefreshSegmentsDeadLettered',
      Dimensions: [{ Name: 'service', Value: 'credit-authorization' }],
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  it('sends schedule invocations EventBridge gives up on to a DLQ of their own, not to the refresh DLQ', () => {
    const scheduleDlqArn = { 'Fn::GetAtt': [logicalId(stack.jobs.scheduleDeadLetterQueue), 'Arn'] };
    const targets = resources('AWS::Events::Rule')
      .filter((r) => r.Properties.ScheduleExpression !== undefined)
      .flatMap((r) => r.Properties.Targets as Array<{ DeadLetterConfig: unknown; RetryPolicy: unknown }>);
    // Expiry sweeps, the nightly refresh, the nightly billing, and the promotions' start runs every minute.
    expect(targets).toHaveLength(4);
    for (const t of targets) expect(t.DeadLetterConfig).toEqual({ Arn: scheduleDlqArn });
    expect(
      targets.filter((t) => (t as { Input?: string }).Input === '{"promotionStarts":true}'),
    ).toHaveLength(1);
  });

  it('puts every event of the bus on the notifications queue, and what EventBridge cannot put there in its DLQ', () => {
    const [rule, ...others] = resources('AWS::Events::Rule').filter((r) => r.Properties.EventPattern);
    expect(others).toEqual([]);
    expect(rule!.Properties.EventPattern).toEqual({ source: ['credit-authorization'] });
    expect(rule!.Properties.EventBusName).toEqual({ Ref: logicalId(stack.events.bus) });
    expect(rule!.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(stack.events.notifications), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.events.notificationDeadLetters), 'Arn'] } },
      }),
    ]);
  });

  /** A job worker fed one task at a time from its encrypted queue, whose DLQ's depth alarms. */
  function expectQueueFedWorker(workerId: string, queue: Construct, deadLetterQueue: Construct): void {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(deadLetterQueue), 'Arn'] },
        maxReceiveCount: SEGMENT_MAX_DELIVERIES,
      },
    });
    const worker = stack.jobs.functions.find((f) => f.node.id === workerId)!;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(worker.fn) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: config.jobs.refreshWorkerMaxConcurrency },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(deadLetterQueue), 'QueueName'] } }],
    });
  }

  it('bills nightly an hour before the refresh, fanned out per accounts bucket, with a DLQ whose depth alarms', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `cron(0 ${(config.jobs.limitRefreshHourUtc + 23) % 24} * * ? *)`,
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [
              logicalId(stack.jobs.functions.find((f) => f.node.id === 'BillingScheduler')!.fn),
              'Arn',
            ],
          },
        }),
      ],
    });
    expectQueueFedWorker('BillingWorker', stack.jobs.billingQueue, stack.jobs.billingDeadLetterQueue);
  });

  it('issues coupon campaigns by chunks from a queue, with a DLQ whose depth alarms', () => {
    expectQueueFedWorker(
      'CouponCampaignWorker',
      stack.jobs.couponCampaignQueue,
      stack.jobs.couponCampaignDeadLetterQueue,
    );
    // The route that starts a campaign knows the queue; no other route does.
    const withQueue = Object.entries(stack.functions).filter(([, f]) =>
      JSON.stringify(template.toJSON().Resources[logicalId(f.fn)].Properties.Environment).includes(
        'COUPON_CAMPAIGN_QUEUE_URL',
      ),
    );
    expect(withQueue.map(([name]) => name)).toEqual(['coupon-campaigns-create']);
  });

  it('feeds one segment at a time to a bounded number of workers, reporting partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: config.jobs.refreshWorkerMaxConcurrency },
    });
  });
});

describe('peak readiness', () => {
  it('tracks provisioned-concurrency utilization on the authorize alias', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: config.authorize.utilizationTarget,
        PredefinedMetricSpecification: { PredefinedMetricType: 'LambdaProvisionedConcurrencyUtilization' },
      }),
    });
  });

  it('raises provisioned concurrency before each festival and lowers it after', () => {
    expect(config.festivals.map((f) => f.name)).toContain('618');
    const at = (iso: string) => `at(${new Date(iso).toISOString().slice(0, 19)})`;
    const actions = config.festivals.flatMap((f) => [
      Match.objectLike({
        Schedule: at(f.prewarmAt),
        ScalableTargetAction: {
          MinCapacity: f.minProvisionedConcurrency,
          MaxCapacity: f.maxProvisionedConcurrency,
        },
      }),
      Match.objectLike({
        Schedule: at(f.endsAt),
        ScalableTargetAction: {
          MinCapacity: config.authorize.baselineProvisionedConcurrency,
          MaxCapacity: config.authorize.maxProvisionedConcurrency,
        },
      }),
    ]);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: config.authorize.baselineProvisionedConcurrency,
      MaxCapacity: config.authorize.maxProvisionedConcurrency,
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ScheduledActions: actions,
    });
  });
});

describe('safe deploys (CodeDeploy on the authorize alias)', () => {
  const liveAlias = () => withIds('AWS::Lambda::Alias')[0]!;
  const groups = () => withIds('AWS::CodeDeploy::DeploymentGroup');

  it("shifts the alias to each new version as the stage says (prod: 10% for 5 minutes, then all), through CloudFormation's CodeDeploy update policy", () => {
    expect(config.deploy.authorizeTrafficShift).toBe('CANARY_10PERCENT_5MINUTES');
    expect(groups()).toHaveLength(1);
    const [groupId, group] = groups()[0]!;
    expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
    expect(group.Properties.AutoRollbackConfiguration).toEqual({
      Enabled: true,
      Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
    });
    const [, alias] = liveAlias();
    expect(alias['UpdatePolicy']).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: Object.keys(template.findResources('AWS::CodeDeploy::Application'))[0] },
        DeploymentGroupName: { Ref: groupId },
      },
    });
  });

  it("rolls back on the new version's errors and p99, the authorize route's 5xx share and the whole API's", () => {
    const rollback = stack.safeDeploys.rollbackAlarms.map((a) => ({ Name: { Ref: logicalId(a) } }));
    expect(rollback).toHaveLength(4);
    const [, group] = groups()[0]!;
    expect(group.Properties.AlarmConfiguration).toEqual({ Alarms: rollback, Enabled: true });
    const authorizeFn = logicalId(stack.functions['authorizations-create']!.fn);
    const [, alias] = liveAlias();
    const newVersion = [
      { Name: 'ExecutedVersion', Value: alias.Properties.FunctionVersion },
      { Name: 'FunctionName', Value: { Ref: authorizeFn } },
      { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: authorizeFn }, ':live']] } },
    ];
    const byName = (n: string) =>
      resources('AWS::CloudWatch::Alarm').filter((a) => a.Properties.MetricName === n);
    const onNewVersion = (a: Resource) =>
      JSON.stringify([...(a.Properties.Dimensions ?? [])].sort((x, y) => x.Name.localeCompare(y.Name))) ===
      JSON.stringify(newVersion);
    expect(byName('Errors').filter(onNewVersion)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          Threshold: config.alarms.lambdaErrorsPerMinute,
          EvaluationPeriods: 1,
        }),
      }),
    ]);
    expect(byName('Duration').filter(onNewVersion)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          ExtendedStatistic: 'p99',
          Threshold: config.alarms.authorizeP99Ms,
        }),
      }),
    ]);
    const rates = stack.safeDeploys.rollbackAlarms.slice(2).map((a) => {
      const [, resource] = withIds('AWS::CloudWatch::Alarm').find(([id]) => id === logicalId(a))!;
      return JSON.stringify(resource.Properties.Metrics);
    });
    expect(rates[0]).toContain('"Name":"Resource","Value":"/v1/authorizations"');
    expect(rates[0]).toContain('"MetricName":"5XXError"');
    expect(rates[1]).toContain('"MetricName":"5XXError"');
    expect(rates[1]).not.toContain('"Name":"Resource"');
  });

  it('lets every other route and the authorizer take their new code before the shift starts: the canary is their bake time', () => {
    const [, alias] = liveAlias();
    const others = ROUTES.filter((r) => r.name !== 'authorizations-create').map((r) =>
      logicalId(stack.functions[r.name]!.fn),
    );
    expect(alias['DependsOn']).toEqual(expect.arrayContaining([...others, logicalId(stack.authorizer.fn)]));
  });

  it("gives CodeDeploy a role of its own with only AWS's limited policy for Lambda deployments", () => {
    const [, group] = groups()[0]!;
    const roleId = (group.Properties.ServiceRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const [, role] = withIds('AWS::IAM::Role').find(([id]) => id === roleId)!;
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(
      ':iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited',
    );
    expect(role.Properties.ManagedPolicyArns).toHaveLength(1);
    expect(statementsOfRole(roleId)).toEqual([]);
  });
});

describe('stages: staging and prod side by side in one account', () => {
  let staging: CreditAuthorizationStack;
  let stagingTemplate: Template;
  const stagingConfig = parseStackConfig(cdkJson.context['credit'], 'staging');

  beforeAll(() => {
    // The same app as `npx cdk deploy -c stage=staging`, without bundling (the functions' code is not checked here).
    ({ stack: staging } = buildApp({ ...cdkJson.context, stage: 'staging', 'aws:cdk:bundling-stacks': [] }));
    stagingTemplate = Template.fromStack(staging);
  }, 300_000);

  /** Properties named *Name that are not account-wide physical names: scoped to a parent, or not a name at all. */
  const NOT_ACCOUNT_WIDE = new Set([
    'AWS::Lambda::Alias/Name',
    'AWS::IAM::Policy/PolicyName',
    'AWS::CloudWatch::Alarm/MetricName',
    'AWS::CodeDeploy::DeploymentGroup/DeploymentConfigName',
  ]);

  /** Every name a template sets itself (literal, or joined from parts): what must differ between stages. */
  const setNames = (t: Template) =>
    Object.entries(t.toJSON().Resources as Record<string, Resource & { Type: string }>).flatMap(([id, r]) =>
      Object.entries(r.Properties ?? {})
        .filter(([key]) => key.endsWith('Name') && !NOT_ACCOUNT_WIDE.has(`${r.Type}/${key}`))
        .filter(([, value]) => typeof value === 'string' || 'Fn::Join' in (value as object))
        .map(([key, value]) => ({ resource: `${id} ${r.Type}.${key}`, value: JSON.stringify(value) })),
    );

  it("is its own stack, API Gateway stage and metric namespace, with staging's settings", () => {
    expect(staging.stackName).toBe('CreditAuthorization-staging');
    expect(staging.names.metricNamespace).toBe('CreditAuthorization/staging');
    stagingTemplate.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'staging' });
    stagingTemplate.hasOutput('Stage', { Value: 'staging' });
    stagingTemplate.hasResourceProperties('AWS::Lambda::Alias', {
      ProvisionedConcurrencyConfig: {
        ProvisionedConcurrentExecutions: stagingConfig.authorize.baselineProvisionedConcurrency,
      },
    });
    const [target] = Object.values(
      stagingTemplate.findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
    );
    expect(target!['Properties'].ScheduledActions).toBeUndefined();
    stagingTemplate.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
    });
  });

  it('names nothing without its stage: every account-wide name is generated from the stack name or carries the stage', () => {
    const names = setNames(stagingTemplate);
    const stageless = names.filter(
      (n) => !n.value.includes('staging') && !n.value.includes('{"Ref":"AWS::StackName"}'),
    );
    expect(stageless).toEqual([]);
    // The names the stack sets itself (the rest are CloudFormation's, which start with the stack name).
    expect(names.map((n) => n.resource.split(' ')[1]).sort()).toEqual(
      expect.arrayContaining([
        'AWS::ApiGateway::RestApi.Name',
        'AWS::CloudWatch::Dashboard.DashboardName',
        'AWS::SecretsManager::Secret.Name',
        'AWS::WAFv2::WebACL.Name',
      ]),
    );
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::Lambda::Function',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
    ])
      for (const r of Object.values(stagingTemplate.findResources(type)))
        expect(
          Object.keys(r['Properties'] ?? {}).filter((k) => /^(Table|Function|LogGroup|Queue)Name$/.test(k)),
        ).toEqual([]);
  });

  it('shares no literal name with prod', () => {
    const literal = (t: Template) =>
      new Set(
        setNames(t)
          .map((n) => n.value)
          .filter((v) => !v.includes('AWS::StackName')),
      );
    const prodNames = literal(template);
    expect(prodNames).toContain(JSON.stringify('credit-authorization-prod'));
    expect([...literal(stagingTemplate)].filter((n) => prodNames.has(n))).toEqual([]);
  });

  it("puts the service's own metrics in the stage's namespace: functions (which write them), alarms and dashboard", () => {
    for (const f of Object.values(stagingTemplate.findResources('AWS::Lambda::Function')).filter(
      (f) => f['Properties'].Handler === 'index.handler',
    ))
      expect(f['Properties'].Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(
        'CreditAuthorization/staging',
      );
    const own = JSON.stringify(stagingTemplate.findResources('AWS::CloudWatch::Alarm'));
    expect(own).toContain('"Namespace":"CreditAuthorization/staging"');
    expect(own).not.toContain('"Namespace":"CreditAuthorization"');
    expect(own).not.toContain('"Namespace":"CreditAuthorization/prod"');
    const dashboard = JSON.stringify(stagingTemplate.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('CreditAuthorization/staging');
    expect(dashboard).not.toContain('CreditAuthorization/prod');
  });

  it('passes cdk-nag too', () => {
    const errors = Annotations.fromStack(staging).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
  });
});

describe('observability', () => {
  const alarmsJson = () => JSON.stringify(resources('AWS::CloudWatch::Alarm'));

  it('alarms on the API 5xx rate, authorize p99, spillover, DynamoDB throttles and system errors, conflicts and DLQ depth', () => {
    const text = alarmsJson();
    for (const needle of [
      'IF(requests > 0, 100 * errors / requests, 0)',
      '"Stat":"p99"',
      'ProvisionedConcurrencySpilloverInvocations',
      'WriteThrottleEvents',
      'SystemErrors',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect({ needle, found: text.includes(needle) }).toEqual({ needle, found: true });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CreditAuthorization/prod',
      MetricName: 'TransactionConflicts',
      Dimensions: [{ Name: 'service', Value: 'credit-authorization' }],
      Threshold: config.alarms.transactionConflictsPerMinute,
    });
  });

  it('reads no metric from log text: every metric of its own is EMF the code writes', () => {
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('alarms on a decline-rate spike: the share of authorizations declined over 5 minutes, given enough of them', () => {
    const service = { Name: 'service', Value: 'credit-authorization' };
    const authorizations = (dimensions: unknown[]) => ({
      MetricStat: {
        Metric: {
          Namespace: 'CreditAuthorization/prod',
          MetricName: 'Authorizations',
          Dimensions: dimensions,
        },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: `IF(FILL(all, 0) >= ${config.alarms.declineRateMinAuthorizations}, 100 * FILL(declined, 0) / all, 0)`,
        }),
        Match.objectLike({ Id: 'all', ...authorizations([service]) }),
        Match.objectLike({
          Id: 'declined',
          ...authorizations([{ Name: 'outcome', Value: 'declined' }, service]),
        }),
      ]),
      Threshold: config.alarms.declineRatePercent,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('shows the business on the dashboard: outcomes, decline codes, quota draws per currency, refresh counts', () => {
    const [dashboard] = resources('AWS::CloudWatch::Dashboard');
    const body = dashboard!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
    // The body is JSON around tokens (the Region): read it with the tokens as plain strings.
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'token')).join('');
    const widgets = JSON.parse(text).widgets as Array<{ properties: { metrics?: unknown[][] } }>;
    const series = widgets.flatMap((w) => w.properties.metrics ?? []);
    const named = (...parts: string[]) => series.some((m) => parts.every((part) => m.includes(part)));
    for (const outcome of ['authorized', 'pending_review', 'declined'])
      expect({ outcome, shown: named('Authorizations', 'outcome', outcome) }).toEqual({
        outcome,
        shown: true,
      });
    for (const code of [
      'insufficient_credit',
      'account_frozen',
      'account_closed',
      'velocity_exceeded',
      'risk_declined',
    ])
      expect({ code, shown: named('Authorizations', 'declineCode', code) }).toEqual({ code, shown: true });
    const expressions = series.flatMap((m) =>
      m.map((part) => (part as { expression?: string }).expression ?? []),
    );
    for (const metric of ['QuotaDraws', 'QuotaDrawnMinor'])
      expect(expressions).toContain(
        `SEARCH('{CreditAuthorization/prod,currency,service} MetricName="${metric}"', 'Sum', 60)`,
      );
    for (const metric of [
      'LimitRefreshChanged',
      'LimitRefreshUnchanged',
      'LimitRefreshSkipped',
      'LimitRefreshFailed',
    ])
      expect({ metric, shown: named(metric) }).toEqual({ metric, shown: true });
  });

  it("alarms when holds fail to expire in every recent sweep (the sweeper's EMF metric, with its service dimension)", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CreditAuthorization/prod',
      MetricName: 'ExpiryFailures',
      Dimensions: [{ Name: 'service', Value: 'credit-authorization' }],
      Statistic: 'Sum',
      Threshold: 1,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on errors and throttles of every function, each in one alarm on the worst of at most ten', () => {
    const lambdaAlarms = (metricName: string) =>
      resources('AWS::CloudWatch::Alarm').filter((a) =>
        (a.Properties.Metrics ?? []).some(
          (m: { MetricStat?: { Metric: { Namespace: string; MetricName: string } } }) =>
            m.MetricStat?.Metric.Namespace === 'AWS/Lambda' && m.MetricStat.Metric.MetricName === metricName,
        ),
      );
    for (const metricName of ['Errors', 'Throttles']) {
      const alarms = lambdaAlarms(metricName);
      const watched = alarms.flatMap((a) => {
        const metrics = a.Properties.Metrics as Array<{
          Expression?: string;
          MetricStat?: { Metric: { Dimensions: Array<{ Value: { Ref: string } }> } };
        }>;
        expect(metrics.filter((m) => m.Expression)).toEqual([
          expect.objectContaining({ Expression: 'MAX(METRICS())', ReturnData: true }),
        ]);
        expect(metrics.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
        return metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.Dimensions[0]!.Value.Ref] : []));
      });
      // Every function of the stack (each route, the authorizer, the jobs, the event functions), exactly once.
      expect(watched).toHaveLength(ROUTES.length + 11);
      expect(new Set(watched).size).toBe(watched.length);
    }
  });

  it('stays within CloudFormation’s 500 resources per stack, with room to grow', () => {
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(470);
  });

  it('uses only DynamoDB metrics that exist (per-operation metrics carry their Operation dimension)', () => {
    const text = alarmsJson();
    expect(text).not.toMatch(/"MetricName":"ThrottledRequests"/);
    const systemErrorMetrics = resources('AWS::CloudWatch::Alarm')
      .flatMap(
        (a) =>
          (a.Properties.Metrics ?? []) as Array<{
            MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string }> } };
          }>,
      )
      .filter((m) => m.MetricStat?.Metric.MetricName === 'SystemErrors');
    expect(systemErrorMetrics.length).toBeGreaterThan(0);
    for (const m of systemErrorMetrics)
      expect(m.MetricStat!.Metric.Dimensions.map((d) => d.Name)).toContain('Operation');
  });

  it('notifies an encrypted SNS topic from every alarm, and has a dashboard', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    for (const a of resources('AWS::CloudWatch::Alarm'))
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed error', () => {
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
  });

  it('has a written reason for every suppression', () => {
    const suppressions = Object.values(
      template.toJSON().Resources as Record<
        string,
        { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }
      >,
    ).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.length).toBeGreaterThanOrEqual(60);
  });
});
