/**
 * Where the stream mapper Lambda sends the events it mapped (AWS; the local consumer delivers in process):
 * - every event to the EventBridge bus, for whoever subscribes (the notifier, an analytics sink, another team);
 * - one message per event and subscribed webhook endpoint to the deliveries FIFO queue, grouped by endpoint and
 *   account, so SQS hands an account's events to the deliverer in order, one at a time, and a failing endpoint
 *   holds back only its own group. The bus cannot do that part: its SQS target takes one fixed message group,
 *   which would put every delivery of the service in a single line.
 * Both sends are at least once. A retried batch sends again, under the same ids; SQS drops a repeat seen in the
 * last five minutes by its deduplication id (the event's and the endpoint's ids).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config.js';
import { sha256 } from '../ids.js';
import { SERVICE_NAME } from '../observability/metrics.js';
import { traced } from '../observability/tracing.js';
import type { DomainEvent } from './model.js';
import { subscribes, type WebhookEndpoint } from './webhooks.js';

/** EventBridge takes at most 10 entries per PutEvents, SQS at most 10 messages per batch. */
const BATCH = 10;

let bus: EventBridgeClient | undefined;
let sqs: SQSClient | undefined;

/** The bus entries' source: rules match on it (`{"source": ["credit-authorization"]}`). */
export const EVENT_SOURCE = SERVICE_NAME;

export async function publishToBus(events: readonly DomainEvent[], busName: string): Promise<void> {
  bus ??= traced(new EventBridgeClient({ region: config.region }));
  for (let i = 0; i < events.length; i += BATCH) {
    const entries = events.slice(i, i + BATCH).map((event) => ({
      EventBusName: busName,
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(event),
      Time: new Date(event.createdAt),
    }));
    const result = await bus.send(new PutEventsCommand({ Entries: entries }));
    if (result.FailedEntryCount) throw new Error(`the event bus refused ${result.FailedEntryCount} events`);
  }
}

/** One webhook delivery: what the deliverer Lambda reads from each message. */
export interface DeliveryMessage {
  endpointId: string;
  event: DomainEvent;
}

export async function enqueueDeliveries(
  events: readonly DomainEvent[],
  endpoints: readonly WebhookEndpoint[],
  queueUrl: string,
): Promise<number> {
  const messages = events.flatMap((event) =>
    endpoints.filter((e) => subscribes(e, event.type)).map((e) => ({ endpointId: e.id, event })),
  );
  sqs ??= traced(new SQSClient({ region: config.region }));
  for (let i = 0; i < messages.length; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(message satisfies DeliveryMessage),
          MessageGroupId: `${message.endpointId}:${message.event.accountId}`.slice(0, 128),
          MessageDeduplicationId: sha256(`${message.event.id}\n${message.endpointId}`).toString('hex'),
        })),
      }),
    );
    if (result.Failed?.length)
      throw new Error(`could not enqueue ${result.Failed.length} webhook deliveries`);
  }
  return messages.length;
}
