/**
 * Sends a job's tasks to its SQS queue (AWS only: locally the tasks run in process), in batches of the most SQS
 * takes at once, one JSON message a task. One client for every job queue, created on first use.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { config } from '../config.js';
import { traced } from '../observability/tracing.js';
import { ACCOUNT_BUCKETS } from '../storage/table.js';

/** SQS takes at most 10 messages per batch. */
const SQS_BATCH = 10;

let sqs: SQSClient | undefined;

/** Throws if SQS refused any message (`what` names them in the error: "refresh segments"). */
export async function sendTasks(queueUrl: string, tasks: readonly unknown[], what: string): Promise<void> {
  sqs ??= traced(new SQSClient({ region: config.region }));
  for (let i = 0; i < tasks.length; i += SQS_BATCH) {
    const batch = tasks.slice(i, i + SQS_BATCH);
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((task, j) => ({ Id: String(j), MessageBody: JSON.stringify(task) })),
      }),
    );
    if (result.Failed?.length) throw new Error(`could not enqueue ${result.Failed.length} ${what}`);
  }
}

/** Where a task that walks one accounts bucket starts: the bucket, and after which account (its start when absent). */
export const bucketPosition = {
  bucket: z
    .number()
    .int()
    .min(0)
    .max(ACCOUNT_BUCKETS - 1),
  afterId: z.string().min(1).max(256).optional(),
};
