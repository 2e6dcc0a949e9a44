/**
 * Scheduled (every five minutes, AWS, when the stack sends email): sends the notification emails that waited in the
 * outbox (quiet hours, or a send that failed), each claimed first so two sweeps never send one twice.
 */
import type { Context } from 'aws-lambda';
import { Notifier } from '../../shared/notifications/notifier.js';
import { sesMailSender } from '../../shared/notifications/ses.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

const notifier = new Notifier({ sender: sesMailSender() });

const sweep = withInvocationDeadline(async (_event: unknown, _context: Context) => {
  const counts = await notifier.sendDueMail();
  logger.info('mail sweep', { ...counts });
  return counts;
});

export const handler = observedHandler('mail-sweeper', sweep);
