/**
 * X-Ray through Powertools Tracer, for every function but POST /v1/authorizations (shared/http/untraced-route.ts
 * says why): each SDK call a subsegment, and each invocation a `## <handler>` subsegment annotated with ColdStart
 * and Service. Also the wrapper every function that is not an HTTP route runs in (observedHandler).
 *
 * Importing this module captures this execution environment's DynamoDB client (storage/dynamo-client.ts; the
 * document client sends through the same middleware stack). Outside Lambda Tracer is off: nothing is recorded and
 * the clients stay as they are.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { dynamoClient } from '../storage/dynamo-client.js';
import { metrics } from './emf.js';
import { logger } from './logger.js';
import { SERVICE_NAME } from './metrics.js';

/**
 * No global capture of http, https and fetch (Tracer's default): the service's only outbound calls are the SDK
 * clients', captured one by one below and where they are made.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
tracer.captureAWSv3Client(dynamoClient);

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;
type Subsegment = ReturnType<Segment['addNewSubsegment']>;
interface OpenSegment {
  handler: Subsegment;
  parent: Segment;
}

/** Opens `## name` under the invocation's segment, as Powertools' captureLambdaHandler does; undefined when off. */
function openHandlerSegment(name: string): OpenSegment | undefined {
  if (!tracer.isTracingEnabled()) return undefined;
  const parent = tracer.getSegment();
  if (parent === undefined) return undefined;
  const handler = parent.addNewSubsegment(`## ${name}`);
  tracer.setSegment(handler);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  return { handler, parent };
}

function closeHandlerSegment({ handler, parent }: OpenSegment): void {
  try {
    handler.close();
  } catch (error) {
    logger.warn('could not close the handler subsegment: its trace may be incomplete', { error });
  }
  tracer.setSegment(parent);
}

/**
 * An HTTP handler's subsegment, marked by the status it answered: 5xx a fault (with the error), 429 a throttle,
 * other 4xx an error, as X-Ray reads them. Powertools' captureLambdaHandler marks anything thrown as a fault, and
 * the contract throws an ApiError for every 4xx, an ordinary decline included. Use it outside contractErrors
 * (shared/http/handler.ts), so it sees the answer.
 */
export function traceHttpHandler(name: string): MiddlewareObj<unknown, APIGatewayProxyResult> {
  const open = new WeakMap<object, OpenSegment>();
  const finish = (request: Request<unknown, APIGatewayProxyResult>) => {
    const segment = open.get(request);
    if (segment === undefined) return;
    open.delete(request);
    const status = request.response?.statusCode ?? 500;
    if (status >= 500) segment.handler.addError(asError(request.error, status));
    else if (status === 429) segment.handler.addThrottleFlag();
    if (status >= 400 && status < 500) segment.handler.addErrorFlag();
    closeHandlerSegment(segment);
  };
  return {
    before: (request) => {
      const segment = openHandlerSegment(name);
      if (segment) open.set(request, segment);
    },
    after: finish,
    onError: finish,
  };
}

function asError(error: unknown, status: number): Error {
  return error instanceof Error ? error : new Error(`answered ${status}`);
}

/**
 * What a function that is not an HTTP route (a job, the authorizer) does around each invocation, as the
 * middlewares do for the routes: the Lambda context on every log line, its `## name` subsegment (a throw is a
 * fault), and this environment's counters published when it ends, thrown or not.
 */
export function observedHandler<E, R>(
  name: string,
  handler: (event: E, context: Context) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.addContext(context);
    const segment = openHandlerSegment(name);
    try {
      return await handler(event, context);
    } catch (error) {
      segment?.handler.addError(asError(error, 500));
      throw error;
    } finally {
      if (segment) closeHandlerSegment(segment);
      metrics.publishStoredMetrics();
    }
  };
}
