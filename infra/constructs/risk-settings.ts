/**
 * The risk settings parameter (shared/settings/): one SSM String parameter holding the JSON document, created
 * with the stack's defaults (cdk.json `service`, validated at synth against the same schema the functions use).
 * The risk team changes it at runtime (PUT /v1/risk-settings, or `aws ssm put-parameter` in an emergency); every
 * change is a new version in the parameter's history and a PutParameter event in CloudTrail.
 *
 * Functions get its name in RISK_SETTINGS_PARAMETER and exactly one action on this one parameter: the readers
 * ssm:GetParameter, the settings route ssm:PutParameter (CDK's grantRead would add GetParameters,
 * GetParameterHistory and DescribeParameters, which nothing here calls).
 *
 * A deploy that changes the defaults rewrites the document (CloudFormation sets the value it declares); a deploy
 * that leaves them alone leaves the document as the risk team set it.
 */
import { Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  defaultRiskSettings,
  MAX_DOCUMENT_BYTES,
  type RiskRuleDefaults,
  RiskSettingsDocument,
} from '../../shared/settings/risk-settings.js';

/** The environment variable that names the parameter (shared/config.ts reads it). */
export const RISK_SETTINGS_PARAMETER_VARIABLE = 'RISK_SETTINGS_PARAMETER';

/** `/<stack name>/risk-settings`: one document per stack, so two stacks in one account never share one. */
export const riskSettingsParameterName = (stackName: string): string => `/${stackName}/risk-settings`;

export interface RiskSettingsParameterProps {
  /** Default: `/<stack name>/risk-settings` (riskSettingsParameterName). */
  readonly parameterName?: string;
  /** The document's rule values before anyone changes them (cdk.json `service`). */
  readonly defaults: RiskRuleDefaults;
}

export class RiskSettingsParameter extends Construct {
  readonly parameter: StringParameter;
  readonly parameterName: string;
  /** The parameter's ARN, built from its literal name (so a policy and a test can name it exactly). */
  readonly parameterArn: string;

  constructor(scope: Construct, id: string, props: RiskSettingsParameterProps) {
    super(scope, id);
    const document = JSON.stringify(RiskSettingsDocument.parse(defaultRiskSettings(props.defaults)));
    if (Buffer.byteLength(document, 'utf8') > MAX_DOCUMENT_BYTES)
      throw new Error('the default risk settings do not fit an SSM Standard parameter');
    this.parameterName = props.parameterName ?? riskSettingsParameterName(Stack.of(this).stackName);
    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName: this.parameterName,
      stringValue: document,
      tier: ParameterTier.STANDARD,
      description:
        'Risk settings (JSON): review thresholds, velocity rule, sale switches. Change with PUT /v1/risk-settings.',
    });
    this.parameterArn = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: this.parameterName.replace(/^\//, ''),
    });
  }

  /** The environment a function needs to find the parameter. */
  get environment(): Record<string, string> {
    return { [RISK_SETTINGS_PARAMETER_VARIABLE]: this.parameterName };
  }

  /** Lets `role` read the document: ssm:GetParameter on this parameter, nothing else of SSM. */
  grantRead(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [this.parameterArn] }),
    );
  }

  /** Lets `role` write the next version of the document: ssm:PutParameter on this parameter, nothing else. */
  grantWrite(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ssm:PutParameter'], resources: [this.parameterArn] }),
    );
  }
}
