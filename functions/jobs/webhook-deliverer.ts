/**
 * Webhook deliveries (AWS): one FIFO message per event and endpoint (shared/events/publish.ts), grouped by endpoint
 * and account, so SQS hands an account's events over in order and one at a time. Each is POSTed signed the
 * Standard Webhooks way (shared/events/delivery.ts, the local deliverer's code). A failed delivery waits
 * (its visibility timeout raised along the backoff: 30 s, 1 min, 2 min, … up to an hour) and holds back the rest
 * of its group, which this batch reports failed too; an endpoint that has failed every delivery for
 * WEBHOOK_DISABLE_AFTER_MS is disabled, with the reason, and its messages are dropped.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { config } from '../../shared/config.js';
import { deliver, retryDelayMs } from '../../shared/events/delivery.js';
import type { DeliveryMessage } from '../../shared/events/publish.js';
import {
  disableWebhookEndpoint,
  getWebhookEndpoint,
  markFailing,
  markHealthy,
} from '../../shared/events/webhooks.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler, traced } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

const sqs = traced(new SQSClient({ region: config.region }));

/** The group a message belongs to (the FIFO attribute SQS hands over). */
const groupOf = (record: SQSRecord): string => record.attributes.MessageGroupId ?? record.messageId;

const deliverBatch = withInvocationDeadline(
  async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const failed = new Set<string>();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const group = groupOf(record);
      // An earlier message of its group failed: this one waits behind it (order per account).
      if (failed.has(group) || !(await deliverOne(record))) {
        failed.add(group);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
);

/** True when the message is done with (delivered, or dropped with its endpoint); false to try it again later. */
async function deliverOne(record: SQSRecord): Promise<boolean> {
  const message = JSON.parse(record.body) as DeliveryMessage;
  const endpoint = await getWebhookEndpoint(message.endpointId);
  if (endpoint?.status !== 'enabled') return true;
  const outcome = await deliver(message.event, endpoint);
  if (outcome.ok) {
    if (endpoint.failingSince) await markHealthy(endpoint.id);
    return true;
  }
  const now = new Date();
  const since = await markFailing(endpoint.id, now.toISOString());
  if (now.getTime() - Date.parse(since) >= config.webhookDisableAfterMs) {
    await disableWebhookEndpoint(
      endpoint.id,
      `Every delivery failed since ${since} (last: ${outcome.why}).`,
      now.toISOString(),
    );
    logger.warn('webhook endpoint disabled', { endpointId: endpoint.id });
    return true;
  }
  const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrlOf(record),
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: Math.ceil(retryDelayMs(attempt) / 1000),
    }),
  );
  logger.info('webhook delivery failed; retrying later', {
    endpointId: endpoint.id,
    attempt,
    why: outcome.why,
  });
  return false;
}

/** arn:aws:sqs:<region>:<account>:<name> → https://sqs.<region>.amazonaws.com/<account>/<name>. */
function queueUrlOf(record: SQSRecord): string {
  if (config.webhookQueueUrl) return config.webhookQueueUrl;
  const [, , , region, account, name] = record.eventSourceARN.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
}

export const handler = observedHandler('webhook-deliverer', deliverBatch);
