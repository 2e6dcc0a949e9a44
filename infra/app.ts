/**
 * The CDK app: one stack, for the stage `-c stage=<name>` picks (cdk.json's `credit.defaultStage` otherwise),
 * from cdk.json's `credit` context, checked by cdk-nag's AWS Solutions rules. Synthesizes offline (no AWS
 * credentials, no Docker: functions are bundled by local esbuild). Tests call buildApp() with cdk.json's context
 * (plus `stage` to pick another); `cdk synth` runs this file (cdk.json "app").
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, parseStackConfig, STAGE_CONTEXT_KEY } from './config.js';
import { CreditAuthorizationStack } from './stack.js';

export function buildApp(context?: Record<string, unknown>): { app: App; stack: CreditAuthorizationStack } {
  const app = new App(context ? { context } : {});
  const stage: unknown = app.node.tryGetContext(STAGE_CONTEXT_KEY);
  if (stage !== undefined && typeof stage !== 'string') throw new Error('-c stage=<name> must be a name');
  const config = parseStackConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY), stage);
  const stack = new CreditAuthorizationStack(app, config.stackName, {
    config,
    description: `Checkout authorization for a consumer credit line (stage ${config.stage})`,
  });
  // Every finding is an error until fixed or suppressed next to its resource with a written reason.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) {
  buildApp().app.synth();
}
