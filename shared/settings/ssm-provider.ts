/**
 * The SSM provider (Powertools Parameters over an SSM client with short timeouts). Its own module, imported
 * dynamically by parameter-store.ts on first use: esbuild keeps a dynamically imported *package* whole (every
 * command of the SSM client: ~220 KiB), while the static imports here are tree-shaken to what SSMProvider uses.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpsAgent } from 'node:https';

/**
 * One SSM call's bounds. The settings are read on the checkout path once per maxAge per execution environment:
 * a slow or throttled SSM must cost that checkout little, and the function keeps its last good settings
 * (source.ts). One attempt: a throttled read is not retried at once (the source tries again a few seconds later).
 */
const SSM_CONNECTION_TIMEOUT_MS = 500;
const SSM_REQUEST_TIMEOUT_MS = 1_000;
const SSM_MAX_ATTEMPTS = 1;

export function newSsmClient(region: string): SSMClient {
  return new SSMClient({
    region,
    maxAttempts: SSM_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: SSM_CONNECTION_TIMEOUT_MS,
      requestTimeout: SSM_REQUEST_TIMEOUT_MS,
      httpsAgent: new HttpsAgent({ keepAlive: true }),
    }),
  });
}

/** Powertools' SSM provider over `client` (this Region's, with the bounds above, by default). */
export function newSsmProvider(client: SSMClient): SSMProvider {
  return new SSMProvider({ awsSdkV3Client: client });
}
