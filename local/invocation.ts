/**
 * Which deployed function the code running now stands for. In AWS every handler runs in its own Lambda function
 * with its own role; locally one process runs them all, so each invocation carries its function's module (the
 * CDK entry) through its async work. Tests read it to hold each DynamoDB call against that function's role
 * (test/integration/iam-parity.test.ts); nothing in the service decides anything by it.
 */
import type { Context } from 'aws-lambda';
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** Runs `work` as an invocation of the function whose module is `entry` (e.g. functions/http/accounts-get.ts). */
export function asInvocationOf<T>(entry: string, work: () => Promise<T>): Promise<T> {
  return current.run(entry, work);
}

/** The module of the function whose invocation is running now; undefined outside any invocation. */
export function invokedEntry(): string | undefined {
  return current.getStore();
}

/** A Lambda context for one local invocation of `name`, its remaining time counting down from `timeoutMs`. */
export function lambdaContext(name: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
