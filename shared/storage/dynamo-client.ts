/**
 * The DynamoDB clients of this execution environment: created once, outside any handler, with keep-alive
 * connections and bounded timeouts so a slow DynamoDB answer fails fast instead of eating the Lambda's budget.
 *
 * Every call through them, SDK retries and their waits included, is cut by an abort signal at
 * min(SDK_CALL_MAX_MS, the time its invocation or logical write has left; see deadline.ts). So no call
 * outlives the function that made it, whatever DynamoDB does.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent as HttpsAgent } from 'node:https';
import { assert } from '../assert.js';
import { type Config, config } from '../config.js';
import { AUTHORIZER_TIMEOUT_SECONDS, runTimeoutMs } from '../function-timeouts.js';
import { RESPONSE_MARGIN_MS, withinDeadline } from './deadline.js';

/**
 * One call's budget, SDK attempts and the SDK's waits between them included, enforced by an abort signal at
 * min(this, the time the call's scope has left). DynamoDB answers in single-digit ms (transactions in tens), so
 * only a stuck call gets near it; 2.5 s is what the authorizer (3 s) can give one call and still answer. Times
 * LOCAL_TIME_SCALE on DynamoDB Local (shared/config.ts).
 */
export const SDK_CALL_MAX_MS = 2_500 * config.localTimeScale;
/**
 * One attempt may use the whole call's budget. A shorter per-attempt timeout would retry a stuck attempt on a
 * fresh connection sooner, but it also cuts slow answers that were coming: DynamoDB Local on a shared machine
 * answers in a second or two, and the abort already bounds the call.
 */
const REQUEST_TIMEOUT_MS = SDK_CALL_MAX_MS;
/** Within an attempt: a TCP + TLS handshake in the Region takes tens of ms. */
const CONNECTION_TIMEOUT_MS = 1_000;
/**
 * SDK-level attempts for throttling, 5xx and lost connections, all within SDK_CALL_MAX_MS; our write paths
 * add their own bounded retries for TransactionConflict (retry.ts). A resent TransactWriteItems carries the
 * same ClientRequestToken, so it never applies twice.
 */
const SDK_MAX_ATTEMPTS = 3;
/** Sockets kept per process: local runs share one process among hundreds of concurrent requests. */
const MAX_SOCKETS = 256;

assert(CONNECTION_TIMEOUT_MS < SDK_CALL_MAX_MS, 'a connection must be able to open within one call');
assert(
  SDK_CALL_MAX_MS <= runTimeoutMs(AUTHORIZER_TIMEOUT_SECONDS, config.localTimeScale) - RESPONSE_MARGIN_MS,
  'one DynamoDB call must fit the smallest function timeout (the authorizer) with the margin to answer',
);

type SendOptions = { abortSignal?: AbortSignal } & Record<string, unknown>;
type Send = (command: { constructor: { name: string } }, options?: SendOptions) => Promise<unknown>;

/**
 * Gives every call through `client` its deadline (deadline.ts). The SDK aborts the attempt in flight (closing
 * its connection) and makes no further attempt; callbacks are not supported (nothing here uses them).
 */
function boundEveryCall<C extends DynamoDBClient | DynamoDBDocumentClient>(
  client: C,
  transactions: LimitFunction | undefined,
): C {
  const send = client.send.bind(client) as unknown as Send;
  const bounded: Send = (command, options) => {
    if (typeof options === 'function')
      throw new TypeError('DynamoDB callbacks are not supported: await the call');
    const name = command.constructor.name;
    const call = () =>
      withinDeadline(
        name,
        SDK_CALL_MAX_MS,
        (abortSignal) => send(command, { ...options, abortSignal }),
        options?.abortSignal,
      );
    return transactions && name.startsWith('Transact') ? transactions(call) : call();
  };
  Object.defineProperty(client, 'send', { value: bounded });
  return client;
}

/** Where the clients connect: the Region, or a local DynamoDB's endpoint. */
export type ClientSettings = Pick<Config, 'region' | 'dynamodbEndpoint'>;

function createClient(settings: ClientSettings): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  return new DynamoDBClient({
    region: settings.region,
    maxAttempts: SDK_MAX_ATTEMPTS,
    ...(settings.dynamodbEndpoint
      ? {
          endpoint: settings.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; these are not secrets and never reach AWS.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Without this the request timeout only logs a warning (@smithy/node-http-handler 4): the attempt would wait on.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

/**
 * What the storage functions that take one talk to: a document client and the table. Each defaults to this
 * environment's (`defaultStorage`); a tool or a test may pass its own (a second table, a stub client), as
 * Powertools' persistence layer takes an SDK client. Item builders (reserveUpdate, journalPut, ...) name the
 * environment's table, so a Storage with another table is for reads; transactWrite uses only its client.
 */
export interface Storage {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/** Clients bounded like this environment's (deadlines, timeouts, keep-alive), for `settings`. */
export function createStorage(
  settings: ClientSettings & Pick<Config, 'tableName'>,
): Storage & { dynamoClient: DynamoDBClient } {
  // DynamoDB Local runs transactions one at a time: at most this many are sent to it at once (both clients).
  const limit = settings.dynamodbEndpoint ? config.dynamodbLocalMaxTransactions : undefined;
  const transactions = limit === undefined ? undefined : pLimit(limit);
  const dynamoClient = boundEveryCall(createClient(settings), transactions);
  return {
    dynamoClient,
    /** Shares the client's configuration and middleware, not its `send`: it is bounded on its own. */
    documentClient: boundEveryCall(
      DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } }),
      transactions,
    ),
    tableName: settings.tableName,
  };
}

/** This execution environment's clients and table, from its configuration: created once, at cold start. */
const environment = createStorage(config);
export const defaultStorage: Storage = environment;
export const dynamoClient: DynamoDBClient = environment.dynamoClient;
export const documentClient: DynamoDBDocumentClient = environment.documentClient;
export const tableName: string = environment.tableName;
