/**
 * The DynamoDB clients of this execution environment: created once, outside any handler, with keep-alive
 * connections and bounded timeouts so a slow DynamoDB answer fails fast instead of eating the Lambda's budget.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { config } from '../config.js';

/** Connect and request timeouts: DynamoDB answers in single-digit ms; 1 s / 3 s leave room for retries. */
const CONNECTION_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 3_000;
/** SDK-level attempts for throttling/5xx; our own write paths add bounded retries for TransactionConflict. */
const SDK_MAX_ATTEMPTS = 3;
/**
 * The longest wait between two SDK attempts: the standard retry strategy waits at most 500 ms x 2^retry for a
 * throttle (<= 1 s for the two retries of three attempts) and honours a retry-after hint up to 5 s beyond that.
 */
const SDK_RETRY_DELAY_MAX_MS = 6_000;
/**
 * The longest one `send` can last before it answers or throws, the SDK's retries included: every attempt's
 * connection and request timeouts, and the waits between them. The journal's settled horizon must outlast it
 * (shared/journal/horizon.ts asserts so at load): a change here that breaks that stops the listing functions
 * at cold start instead of letting the journal skip entries. Caveat: @smithy/node-http-handler 4.x only *warns*
 * when REQUEST_TIMEOUT_MS passes unless `throwOnRequestTimeout` is set, so today a hung request is bounded by the
 * function's timeout, not by this figure (left to the change that derives these timeouts from the remaining time).
 */
export const MAX_SEND_MS = SDK_MAX_ATTEMPTS * (CONNECTION_TIMEOUT_MS + REQUEST_TIMEOUT_MS) + (SDK_MAX_ATTEMPTS - 1) * SDK_RETRY_DELAY_MAX_MS;
/** Sockets kept per process: local runs share one process among hundreds of concurrent requests. */
const MAX_SOCKETS = 256;

function createClient(): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  return new DynamoDBClient({
    region: config.region,
    maxAttempts: SDK_MAX_ATTEMPTS,
    ...(config.dynamodbEndpoint
      ? {
          endpoint: config.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; these are not secrets and never reach AWS.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

export const dynamoClient: DynamoDBClient = createClient();
export const documentClient: DynamoDBDocumentClient = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
export const tableName: string = config.tableName;
