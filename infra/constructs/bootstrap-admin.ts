/**
 * The first admin client of a deployed stack, made by the stack itself, never by a hand-written put-item and
 * never with a key in the template: Secrets Manager generates the key at deploy, and a custom resource served by
 * one of our functions (bundled like every other, functions/bootstrap-admin.ts) reads it and writes the client's
 * items, hashes only, each only if absent. The operator reads the key once from the secret (the stack outputs
 * its ARN) and rotates it through the API, which retires the secret's key after the overlap.
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { secretName } from '../names.js';
import { ServiceFunction } from './service-function.js';
import type { CreditTable } from './table.js';

/** Alphanumeric, 64 characters: about 380 bits (shared/clients/bootstrap.ts requires at least 32 characters). */
const KEY_LENGTH_CHARS = 64;
/** Reading one secret and writing two items takes a second; the rest is room for a cold start and retries. */
const FUNCTION_TIMEOUT_SECONDS = 30;
/**
 * How long CloudFormation waits for the function's answer before failing the deploy (its default is an hour):
 * the function answers within its timeout, or never (it could not even read the event).
 */
const SERVICE_TIMEOUT = Duration.minutes(5);

export interface BootstrapAdminProps {
  /** The custom resource's handler module, from the repository root. */
  readonly entry: string;
  readonly table: CreditTable;
  readonly environment: Readonly<Record<string, string>>;
  /** Namespace of the service's own metrics, for the function's Powertools settings. */
  readonly metricNamespace: string;
  readonly logRetention: RetentionDays;
}

export class BootstrapAdmin extends Construct {
  /** Holds the bootstrap admin's key, generated at deploy. */
  readonly secret: Secret;
  readonly function: ServiceFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: BootstrapAdminProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Key', {
      // Carries the stage and is unique per copy of the stack (infra/names.ts).
      secretName: secretName('bootstrap-admin-key'),
      description: 'API key of the bootstrap admin client (cli_bootstrap_admin); rotate it through the API',
      generateSecretString: {
        passwordLength: KEY_LENGTH_CHARS,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    this.function = new ServiceFunction(this, 'Writer', {
      entry: props.entry,
      description: 'Bootstrap admin client (CloudFormation custom resource)',
      table: props.table,
      access: 'write',
      environment: props.environment,
      metricNamespace: props.metricNamespace,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
      logRetention: props.logRetention,
    });
    this.function.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }),
    );
    this.resource = new CustomResource(this, 'Client', {
      serviceToken: this.function.fn.functionArn,
      serviceTimeout: SERVICE_TIMEOUT,
      resourceType: 'Custom::BootstrapAdminClient',
      properties: { SecretArn: this.secret.secretArn },
    });
    // The role's policy (secret read, table write) must be in place before CloudFormation invokes the function.
    this.resource.node.addDependency(this.function.role);
    this.suppressFindings();
  }

  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The key is rotated through the API (POST /v1/clients/cli_bootstrap_admin/rotate), which keeps the old key ' +
          'working for an overlap and stores only hashes. A Secrets Manager rotation would change the secret without ' +
          'changing the client, so the secret is only the first handover of the key, read once by the operator.',
      },
    ]);
  }
}
