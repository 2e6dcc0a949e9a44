/**
 * X-Ray through Powertools Tracer, for every function but POST /v1/authorizations (shared/http/untraced-route.ts
 * says why): each SDK call a subsegment, and each invocation a `## <handler>` subsegment annotated with ColdStart
 * and Service. Also the wrapper every function that is not an HTTP route runs in (observedHandler).
 *
 * In Lambda, importing this module captures this execution environment's DynamoDB client (storage/dynamo-client.ts;
 * the document client sends through the same middleware stack).
 *
 * Outside Lambda Tracer records nothing, so it is not even loaded (`tracer` is undefined): the X-Ray SDK enables a
 * process-wide async hook with destroy tracking when it is imported, which costs every promise of every request.
 * The local server runs all routes in one process, so it would otherwise make the checkout path, bundled without
 * the X-Ray SDK in AWS (untraced-route.ts), pay for the other routes' tracing: about 8% of the local API's CPU
 * under the bench's c=16 authorize load, measured with --cpu-prof.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { dynamoClient } from '../storage/dynamo-client.js';
import { metrics } from './emf.js';
import { logger } from './logger.js';
import { SERVICE_NAME } from './metrics.js';

/** Powertools' own test for a Lambda runtime (Tracer.isLambdaExecutionEnv): without it Tracer records nothing. */
const inLambdaRuntime = (process.env['AWS_EXECUTION_ENV'] ?? '') !== '';

/**
 * No global capture of http, https and fetch (Tracer's default): the service's only outbound calls are the SDK
 * clients', captured one by one (`traced`).
 */
async function createTracer(): Promise<Tracer> {
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  const created = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
  created.captureAWSv3Client(dynamoClient);
  return created;
}

/** This environment's Tracer in a Lambda runtime; undefined anywhere else (see the module comment). */
export const tracer: Tracer | undefined = inLambdaRuntime ? await createTracer() : undefined;

/** `client` with each of its calls an X-Ray subsegment in Lambda; as it is anywhere else. */
export function traced<C>(client: C): C {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;
type Subsegment = ReturnType<Segment['addNewSubsegment']>;
interface OpenSegment {
  handler: Subsegment;
  parent: Segment;
}

/** Opens `## name` under the invocation's segment, as Powertools' captureLambdaHandler does; undefined when off. */
function openHandlerSegment(name: string): OpenSegment | undefined {
  if (!tracer?.isTracingEnabled()) return undefined;
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
  tracer?.setSegment(parent);
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
