/**
 * A refresh segment that fails for good fails its run: in AWS when SQS dead-letters its message (the worker
 * failed, timed out or crashed on every delivery), locally when the in-process runner has tried it as often.
 * Either way the job says `failed`, which segment and why, instead of staying `running` forever. Pure and free
 * of SDK imports: infra reads the delivery count and the log message from here too.
 */

/**
 * Deliveries of one segment message before it counts as failed for good: the SQS redrive policy's
 * maxReceiveCount in AWS, attempts locally. A segment failing three times in a row is a bug, not bad luck
 * (DynamoDB throttles and conflicts are retried inside each delivery).
 */
export const SEGMENT_MAX_DELIVERIES = 3;

/** Logged once per dead-lettered message by the DLQ consumer; a metric filter counts it and alarms. Keep stable. */
export const SEGMENT_DEAD_LETTERED_LOG_MESSAGE = 'refresh segment dead-lettered';

/** The longest error text kept on the job (failJob caps the whole reason at 500 characters too). */
const MAX_ERROR_CHARS = 300;

export interface SegmentFailure {
  segment: number;
  /** Where the failing delivery started (a continuation), if not at the segment's start. */
  afterId?: string | undefined;
  /** 'dead_letter': SQS gave up on it; 'in_process': the local runner did. */
  where: 'dead_letter' | 'in_process';
  /** Deliveries made, when known (the DLQ consumer does not know how often SQS delivered it). */
  deliveries?: number | undefined;
  /** The last error a delivery recorded; none when the worker died without running code (timeout, memory). */
  lastError?: string | undefined;
}

/** The job's failureReason: which segment, how it failed, and the last error seen. */
export function segmentFailureReason(f: SegmentFailure): string {
  const segment = `segment ${f.segment}${f.afterId === undefined ? '' : ` (after account ${f.afterId})`}`;
  const how =
    f.where === 'dead_letter'
      ? `was dead-lettered after ${f.deliveries ?? 'all its'} deliveries failed`
      : `failed ${f.deliveries ?? SEGMENT_MAX_DELIVERIES} attempts in process`;
  const cause = f.lastError ?? 'none recorded (the worker timed out or crashed before it could record one)';
  return `${segment} ${how}; last error: ${cause}`;
}

/** An error as one short line: its name and message. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
