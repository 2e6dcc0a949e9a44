/**
 * The table's change stream → events (AWS). Lambda's DynamoDB event source hands over records in order per item;
 * each batch is mapped by the pure mapper (shared/events/mapper.ts, the local consumer's too), its events stored
 * (the event list), published to the bus and queued for each subscribed webhook endpoint (shared/events/publish.ts).
 * A failure throws: the event source retries the batch, bisecting it to isolate a record that keeps failing, and
 * sends what still fails to the mapper's DLQ. A retry maps the same records to the same ids: storing is once per
 * id, the bus and the queue get them again (at least once).
 */
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { present } from '../../shared/assert.js';
import { config } from '../../shared/config.js';
import { eventsFromChange } from '../../shared/events/mapper.js';
import { enqueueDeliveries, publishToBus } from '../../shared/events/publish.js';
import { recordEvents } from '../../shared/events/repository.js';
import { changeOf } from '../../shared/events/stream.js';
import { endpointCache } from '../../shared/events/webhooks.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** How long an execution environment keeps the endpoint list (a new or deleted endpoint shows after this). */
const ENDPOINTS_MAX_AGE_MS = 5_000;
const currentEndpoints = endpointCache(ENDPOINTS_MAX_AGE_MS);

const mapBatch = withInvocationDeadline(async (event: DynamoDBStreamEvent, _context: Context) => {
  const events = event.Records.flatMap((record) => eventsFromChange(changeOf(record)));
  if (events.length === 0) return;
  const stored = await recordEvents(events);
  await publishToBus(events, present(config.eventBusName, 'EVENT_BUS_NAME'));
  const queued = await enqueueDeliveries(
    events,
    await currentEndpoints(),
    present(config.webhookQueueUrl, 'WEBHOOK_QUEUE_URL'),
  );
  logger.info('stream batch mapped', {
    records: event.Records.length,
    events: events.length,
    stored,
    queued,
  });
});

export const handler = observedHandler('event-mapper', mapBatch);
