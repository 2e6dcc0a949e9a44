/**
 * Customer notifications (AWS): an SQS consumer of the event bus (every event of the service, as EventBridge puts
 * it on the queue: the event is `detail`). The notifier (shared/notifications/notifier.ts, the local consumer's too)
 * makes each event's inbox entry at most once (its id derives from the event's) and emails it through SES when the
 * stack has a From (NOTIFY_SES), outside quiet hours; an event that makes no notification costs no call. A failed
 * batch is reported back and redelivered, then dead-lettered.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config } from '../../shared/config.js';
import type { DomainEvent } from '../../shared/events/model.js';
import { Notifier } from '../../shared/notifications/notifier.js';
import { sesMailSender } from '../../shared/notifications/ses.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

const notifier = new Notifier({ sender: config.notifySes ? sesMailSender() : undefined });

const notify = withInvocationDeadline(
  async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const events = event.Records.map((record) => (JSON.parse(record.body) as { detail: DomainEvent }).detail);
    try {
      const outcome = await notifier.handle(events);
      logger.info('notifications made', { events: events.length, ...outcome });
      return { batchItemFailures: [] };
    } catch (error) {
      // Made notifications are not made twice on the retry (their ids derive from the events').
      logger.error('notifications failed', { error });
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
  },
);

export const handler = observedHandler('notifier', notify);
