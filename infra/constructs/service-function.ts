/**
 * One Lambda function of the service, built the same way for every handler: the module under functions/,
 * bundled by local esbuild (infra/bundling.ts, no Docker), ARM64 on Node 22, X-Ray on, JSON logs into its
 * own log group, and only the table actions its access level allows.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_BUNDLE_OPTIONS } from '../bundling.js';
import { TABLE_ACTIONS, type TableAccess } from '../route-permissions.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceFunctionProps {
  /** Path of the handler module from the repository root, e.g. functions/http/accounts-get.ts. */
  entry: string;
  table: ITableV2;
  access: TableAccess;
  environment: Record<string, string>;
  /** API handlers answer in milliseconds; 6 s leaves room for bounded retries (2.5 s deadline) and a cold start. */
  timeout?: Duration;
  memorySizeMb?: number;
}

export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMb ?? 1024,
      timeout: props.timeout ?? Duration.seconds(6),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'credit-authorization',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        minify: LAMBDA_BUNDLE_OPTIONS.minify,
        sourceMap: LAMBDA_BUNDLE_OPTIONS.sourceMap,
        target: LAMBDA_BUNDLE_OPTIONS.target,
        mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
        externalModules: [...LAMBDA_BUNDLE_OPTIONS.externalModules],
        banner: LAMBDA_BUNDLE_OPTIONS.banner,
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLE_OPTIONS.aliases).map(([from, to]) => [`--alias:${from}`, join(REPO_ROOT, to)]),
        ),
      },
    });
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS[props.access],
        resources: [props.table.tableArn, `${props.table.tableArn}/index/*`],
      }),
    );
  }
}
