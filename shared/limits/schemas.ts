/** Request schemas of the limit endpoints, and of the refresh's queue messages and scheduled events. */
import * as z from 'zod';
import { LimitMinor } from '../money.js';
import { ACCOUNT_BUCKETS } from '../storage/table.js';

export const LimitRequestBody = z.strictObject({ requestedLimit: z.optional(LimitMinor) });

export const RefreshJobBody = z.strictObject({ dryRun: z.boolean().default(false) });

/**
 * A refresh segment message (shared/limits/job.SegmentTask), as the worker and the dead-letter consumer read it.
 * A message the worker cannot read fails (and, after the queue's retries, lands in the DLQ for a person).
 */
export const SegmentTaskSchema = z.strictObject({
  jobId: z.string().min(1).max(64),
  segment: z
    .number()
    .int()
    .min(0)
    .max(ACCOUNT_BUCKETS - 1),
  afterId: z.string().min(1).optional(),
});

/** What the scheduler needs of an EventBridge scheduled event: its slot (the same on every retry of it). */
export const ScheduledEventSchema = z.looseObject({ time: z.iso.datetime() });
