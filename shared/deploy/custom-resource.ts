/**
 * A CloudFormation custom resource served directly by one of our Lambda functions (its ARN is the resource's
 * ServiceToken; no provider framework, so no extra function or role): CloudFormation invokes the function with
 * the event, and waits for the answer to arrive at the event's pre-signed ResponseURL. So the function always
 * answers, SUCCESS or FAILED with a reason, unless the event itself cannot be read (then there is nowhere to
 * answer, and CloudFormation gives up at the resource's ServiceTimeout).
 *
 * The protocol: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
import type { Context } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { logger } from '../observability/logger.js';
import { withInvocationDeadline } from '../storage/deadline.js';

export const CustomResourceEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string().min(1),
  RequestId: z.string().min(1),
  LogicalResourceId: z.string().min(1),
  PhysicalResourceId: z.string().min(1).optional(),
  ResourceType: z.string().min(1),
  ResourceProperties: z.record(z.string(), z.unknown()),
});
export type CustomResourceEvent = z.infer<typeof CustomResourceEvent>;

/** What a request did: the resource's physical id, and attributes `Fn::GetAtt` can read. */
export interface CustomResourceOutcome {
  physicalResourceId: string;
  data?: Record<string, string>;
}

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho: false;
  Data?: Record<string, string>;
}

/** CloudFormation's limit on a whole response is 4 KB: a reason is cut well inside it. */
const MAX_REASON_CHARS = 1_000;
/** Attempts to deliver the response to S3; after the last failure the invocation fails (CloudFormation times out). */
const RESPONSE_ATTEMPTS = 3;
/** One attempt's bound: a PUT of under 4 KB to S3 in the Region. */
const RESPONSE_ATTEMPT_TIMEOUT_MS = 5_000;
const RESPONSE_RETRY_PAUSE_MS = 500;

function response(
  event: CustomResourceEvent,
  outcome: { Status: 'SUCCESS' | 'FAILED'; Reason?: string } & Partial<CustomResourceOutcome>,
): CustomResourceResponse {
  return {
    Status: outcome.Status,
    ...(outcome.Reason === undefined ? {} : { Reason: outcome.Reason.slice(0, MAX_REASON_CHARS) }),
    // A failed Create has no resource yet; CloudFormation then sends a Delete for this id, which must succeed.
    PhysicalResourceId: outcome.physicalResourceId ?? event.PhysicalResourceId ?? event.LogicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    ...(outcome.data === undefined ? {} : { Data: outcome.data }),
  };
}

/** PUTs the response to the pre-signed URL, as cfn-response does (an empty content type: S3's signature expects none). */
async function deliver(url: string, body: CustomResourceResponse): Promise<void> {
  const text = JSON.stringify(body);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const reply = await fetch(url, {
        method: 'PUT',
        body: text,
        headers: { 'content-type': '' },
        signal: AbortSignal.timeout(RESPONSE_ATTEMPT_TIMEOUT_MS),
      });
      if (reply.ok) return;
      throw new Error(`the response URL answered ${reply.status}`);
    } catch (error) {
      if (attempt >= RESPONSE_ATTEMPTS) throw error;
      logger.warn('custom resource: response not delivered, trying again', { error, attempt });
      await sleep(RESPONSE_RETRY_PAUSE_MS * attempt);
    }
  }
}

/**
 * A custom resource's Lambda handler: runs `apply` for the event and delivers SUCCESS with its outcome, or FAILED
 * with the error's message (never anything `apply` read: messages here name what failed, not values). Resolves
 * with the response it delivered.
 */
export function customResourceHandler(
  apply: (event: CustomResourceEvent) => Promise<CustomResourceOutcome>,
): (event: unknown, context: Context) => Promise<CustomResourceResponse> {
  return withInvocationDeadline(async (raw: unknown, context: Context) => {
    const event = CustomResourceEvent.parse(raw);
    let answer: CustomResourceResponse;
    try {
      answer = response(event, { Status: 'SUCCESS', ...(await apply(event)) });
    } catch (error) {
      logger.error('custom resource: request failed', { error, requestType: event.RequestType });
      const what = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
      answer = response(event, { Status: 'FAILED', Reason: `${what} (log stream ${context.logStreamName})` });
    }
    await deliver(event.ResponseURL, answer);
    return answer;
  });
}
