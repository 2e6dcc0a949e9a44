/**
 * One Lambda function of the service, built the same way for every handler: the module under functions/,
 * bundled by local esbuild (infra/bundling.ts, shared with the bench; no Docker), ARM64 on Node 22, X-Ray on,
 * JSON logs into its own log group, and a role of its own that may write only that log group and do only the
 * table actions its access level allows.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  type AddToPrincipalPolicyResult,
  PolicyDocument,
  type PolicyStatement,
  Role,
  type RoleProps,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAME } from '../../shared/observability/metrics.js';
import { LAMBDA_BUNDLE_OPTIONS } from '../bundling.js';
import type { TableAccess } from '../route-permissions.js';
import type { CreditTable } from './table.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** API handlers answer in milliseconds; 6 s leaves room for the bounded write retries (2.5 s deadline) and a cold start. */
const DEFAULT_TIMEOUT_SECONDS = 6;
/** Memory buys CPU on Lambda: 1 GB makes JSON, zod and the SDK's signing fast enough that DynamoDB dominates. */
const DEFAULT_MEMORY_MIB = 1024;

/**
 * Variables a deployed function must never carry: the local bootstrap admin key, a literal cursor key (deployed
 * functions read theirs from Secrets Manager), and the DynamoDB Local endpoint (with it the SDK would use the
 * fixed local credentials). Checked at synth time.
 */
export const FORBIDDEN_VARIABLES = ['ADMIN_API_KEY', 'CURSOR_KEY', 'DYNAMODB_ENDPOINT', 'LOCAL_TIME_SCALE'];

export interface ServiceFunctionProps {
  /** Path of the handler module from the repository root, e.g. functions/http/accounts-get.ts. */
  readonly entry: string;
  /** What the function does, e.g. `GET /v1/accounts/{id}`: shown in the console and checked by the tests. */
  readonly description: string;
  readonly table: CreditTable;
  readonly access: TableAccess;
  /** Partitions whose items the function may also delete (infra/route-permissions.ts ROUTE_TABLE_DELETES). */
  readonly deletesFrom?: readonly string[] | undefined;
  readonly environment: Readonly<Record<string, string>>;
  /** Where its EMF metrics go (POWERTOOLS_METRICS_NAMESPACE): the stage's namespace (infra/names.ts). */
  readonly metricNamespace: string;
  readonly logRetention: RetentionDays;
  readonly timeoutSeconds?: number;
  readonly memoryMiB?: number;
}

export class ServiceFunction extends Construct {
  /** The handler module it runs, from the repository root: what tests match invocations to roles by. */
  readonly entry: string;
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    const forbidden = FORBIDDEN_VARIABLES.filter((name) => name in props.environment);
    if (forbidden.length)
      throw new Error(`${props.entry}: a deployed function must not set ${forbidden.join(', ')}`);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = this.newRole(props);
    this.fn = this.newFunction(props);
    this.suppressFindings();
  }

  /** Its own role, not AWSLambdaBasicExecutionRole: that policy may create and write *any* log group. */
  private newRole(props: ServiceFunctionProps): Role {
    const role = new InlinePolicyRole(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    this.logGroup.grantWrite(role);
    props.table.grant(role, props.access);
    if (props.deletesFrom?.length) props.table.grantDeletes(role, props.deletesFrom);
    return role;
  }

  private newFunction(props: ServiceFunctionProps): NodejsFunction {
    return new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMiB ?? DEFAULT_MEMORY_MIB,
      timeout: Duration.seconds(props.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      role: this.role,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // The service name the code uses too (shared/observability/metrics.ts); the stage's metric namespace,
        // which the code reads through shared/config.ts.
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: props.metricNamespace,
        ...props.environment,
      },
      bundling: bundlingOptions(),
    });
  }

  /** cdk-nag findings accepted on purpose, each with its reason. */
  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Only the X-Ray statement CDK adds for active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords ' +
            'do not support resource-level permissions, AWS documents Resource "*" for them. Table and log statements name exact ARNs.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(this.fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to Node.js 22 on purpose: the bundles target node22 (infra/bundling.ts) and BENCHMARKS.md measured cold ' +
          'starts on it; moving to a newer runtime is its own, measured change.',
      },
    ]);
  }
}

/** infra/bundling.ts's options (the bench bundles with them too) in CDK's shape: the same for every function. */
function bundlingOptions(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    minify: LAMBDA_BUNDLE_OPTIONS.minify,
    sourceMap: LAMBDA_BUNDLE_OPTIONS.sourceMap,
    target: LAMBDA_BUNDLE_OPTIONS.target,
    mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
    externalModules: [...LAMBDA_BUNDLE_OPTIONS.externalModules],
    banner: LAMBDA_BUNDLE_OPTIONS.banner,
    esbuildArgs: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE_OPTIONS.aliases).map(([from, to]) => [
        `--alias:${from}`,
        join(REPO_ROOT, to),
      ]),
    ),
  };
}

/**
 * A role whose grants (the table's, the queues', the log group's, the ones CDK adds for tracing and event sources)
 * all land in one inline policy of the role itself, instead of an AWS::IAM::Policy resource beside it. The
 * permissions are the same (both are inline policies of the role, under the same size limit); the stack is ~60
 * resources lighter, which keeps it under CloudFormation's 500 resources per stack with a function per route.
 */
class InlinePolicyRole extends Role {
  private readonly document: PolicyDocument;

  constructor(scope: Construct, id: string, props: RoleProps) {
    const document = new PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Service: document } });
    this.document = document;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}
