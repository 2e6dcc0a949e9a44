/**
 * The CDK app: one stack from cdk.json's `credit` context, checked by cdk-nag's AWS Solutions rules. Synthesizes
 * offline (no AWS credentials, no Docker: functions are bundled by local esbuild). Tests call buildApp() with
 * cdk.json's context; `cdk synth` runs this file (cdk.json "app").
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, parseStackConfig } from './config.js';
import { CreditAuthorizationStack } from './stack.js';

export function buildApp(context?: Record<string, unknown>): { app: App; stack: CreditAuthorizationStack } {
  const app = new App(context ? { context } : {});
  const config = parseStackConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY));
  const stack = new CreditAuthorizationStack(app, config.stackName, {
    config,
    description: 'Checkout authorization for a consumer credit line',
  });
  // Every finding is an error until fixed or suppressed next to its resource with a written reason.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) {
  buildApp().app.synth();
}
