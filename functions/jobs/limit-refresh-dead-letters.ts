/**
 * SQS consumer of the refresh segments' dead-letter queue. A segment message lands there after
 * SEGMENT_MAX_DELIVERIES failed deliveries: an error, a timeout or a crash (the worker may not have run any code
 * on its last one). This marks the segment's run `failed`, naming the segment and the last error a worker
 * recorded, instead of leaving it `running` forever.
 *
 * The message is then consumed, but nothing is lost for a person: its whole content is in the log line below
 * (the RefreshSegmentsDeadLettered metric counts it, and alarms) and in the job's failureReason, and re-driving it would do nothing (a
 * failed run's segments stop at once; the next run starts over, and its run key skips what this one wrote).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { failRunForSegment } from '../../shared/limits/job.js';
import { SegmentTaskSchema } from '../../shared/limits/schemas.js';
import { SEGMENT_DEAD_LETTERED_LOG_MESSAGE } from '../../shared/limits/segment-failures.js';
import { countDeadLetteredSegment } from '../../shared/observability/emf.js';
import { logger } from '../../shared/observability/logger.js';
import { observedHandler } from '../../shared/observability/tracing.js';
import { withInvocationDeadline } from '../../shared/storage/deadline.js';

/** Within the invocation's deadline (storage/deadline.ts): a stuck DynamoDB call cannot outlive the function. */
const consume = withInvocationDeadline(
  async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      // First, whatever happens next: the alarm counts the segment, and the line keeps the message for a person.
      countDeadLetteredSegment();
      logger.error(SEGMENT_DEAD_LETTERED_LOG_MESSAGE, {
        messageId: record.messageId,
        body: record.body,
        attributes: record.attributes,
      });
      const task = SegmentTaskSchema.safeParse(parseJson(record.body));
      if (!task.success) continue; // a message no worker could read: no run to fail, the log line above is its record
      try {
        await failRunForSegment(task.data, { where: 'dead_letter' });
      } catch (error) {
        // Retried from this queue (no redrive beyond it) until the run is marked; the DLQ depth alarm watches.
        logger.error('could not fail the run of a dead-lettered refresh segment', {
          messageId: record.messageId,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
);

/** Its count is published as the invocation ends (observedHandler). */
export const handler = observedHandler('limit-refresh-dead-letters', consume);

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
