/**
 * The CDK app: one stack from cdk.json's `credit` context, checked by cdk-nag's AWS Solutions rules. Synthesizes
 * offline (no AWS credentials, no Docker: functions are bundled by local esbuild).
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseStackConfig } from './config.js';
import { CreditAuthorizationStack } from './stack.js';

export function buildApp(context?: Record<string, unknown>): { app: App; stack: CreditAuthorizationStack } {
  const app = new App(context ? { context } : {});
  const config = parseStackConfig(app.node.tryGetContext('credit'));
  const stack = new CreditAuthorizationStack(app, config.stackName, {
    config,
    description: 'Checkout authorization for a consumer credit line',
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) {
  buildApp().app.synth();
}
