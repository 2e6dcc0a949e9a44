/**
 * Writes SSM parameters: Powertools' SSMProvider over the SDK's SSM client with short timeouts. Imported only by
 * the function that writes the risk settings (PUT /v1/risk-settings): the SSM client is ~180 KiB minified, which
 * the readers' bundles (authorize's is budgeted) must not carry (ssm-reader.ts).
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpsAgent } from 'node:https';
import { ApiError } from '../http/errors.js';
import type { ParameterWriter } from './parameter-store.js';

/** A write is one call, made by a person through the API: a throttled one answers 503 and the client retries. */
const SSM_CONNECTION_TIMEOUT_MS = 1_000;
const SSM_REQUEST_TIMEOUT_MS = 2_000;
const SSM_MAX_ATTEMPTS = 2;

export function newSsmClient(region: string, endpoint?: string): SSMClient {
  return new SSMClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: SSM_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: SSM_CONNECTION_TIMEOUT_MS,
      requestTimeout: SSM_REQUEST_TIMEOUT_MS,
      httpsAgent: new HttpsAgent({ keepAlive: true }),
    }),
  });
}

/** Writes each version as a String parameter (Standard tier), over the one the stack created. */
export class SsmParameterWriter implements ParameterWriter {
  readonly #provider: SSMProvider;

  constructor(client: SSMClient) {
    this.#provider = new SSMProvider({ awsSdkV3Client: client });
  }

  async put(name: string, value: string): Promise<void> {
    try {
      await this.#provider.set(name, { value, overwrite: true, parameterType: 'String' });
    } catch (error) {
      // Powertools wraps the SDK's error: hand on the SDK's own, so a throttled write answers 503, not 500. SSM
      // refuses a write racing another write of the same parameter (TooManyUpdates): also a 503, retried as one.
      const cause = (error as { cause?: unknown }).cause ?? error;
      if ((cause as { name?: string }).name === 'TooManyUpdates') throw new ApiError('unavailable');
      throw cause;
    }
  }
}
