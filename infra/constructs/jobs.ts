/**
 * Scheduled work: the expiry sweeper every minute; the nightly limit refresh as a fan-out (a scheduler
 * function writes the run and enqueues one SQS message per accounts-index segment; workers process a segment
 * within their time budget and re-enqueue the continuation; messages that keep failing land in a DLQ).
 * The handler modules are props, so the construct does not know where functions live.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function.js';
import type { CreditTable } from './table.js';

export interface JobEntries {
  /** Every minute: releases holds past their expiry. */
  readonly expirySweeper: string;
  /** Nightly: starts a refresh run and enqueues its segments. */
  readonly refreshScheduler: string;
  /** SQS consumer: one segment per invocation. */
  readonly refreshWorker: string;
}

export interface JobsProps {
  readonly entries: JobEntries;
  readonly table: CreditTable;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Hour (UTC) the nightly refresh starts. */
  readonly limitRefreshHourUtc: number;
  /** Segments processed at once (SQS event source maximum concurrency). */
  readonly refreshWorkerMaxConcurrency: number;
}

/** A sweep stops itself 5 s before its timeout (functions/jobs/expiry-sweeper.ts); the next minute continues. */
const SWEEPER_TIMEOUT_SECONDS = 55;
/** Starting a run writes one item and enqueues ~16 messages in batches of 10. */
const SCHEDULER_TIMEOUT_SECONDS = 30;
/** A worker takes pages of ~100 accounts until 20 s before this, then re-enqueues the rest. */
const WORKER_TIMEOUT_SECONDS = 300;
/** AWS's advice for an SQS event source: visibility timeout at least 6x the function timeout. */
const QUEUE_VISIBILITY_SECONDS = 6 * WORKER_TIMEOUT_SECONDS;
/** A segment that failed this many receives is a bug, not bad luck: park it in the DLQ for a human. */
const MAX_RECEIVE_COUNT = 3;
/** EventBridge retries a failed asynchronous invocation of a job this many times before the DLQ. */
const SCHEDULE_RETRY_ATTEMPTS = 2;

export class Jobs extends Construct {
  readonly refreshQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly functions: readonly ServiceFunction[];

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'RefreshDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue (of the refresh segments and of the two schedule targets); a DLQ of a DLQ would only move the problem.',
      },
    ]);
    this.refreshQueue = new Queue(this, 'RefreshSegments', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const environment = { ...props.environment, REFRESH_QUEUE_URL: this.refreshQueue.queueUrl };
    const job = (name: string, entry: string, description: string, timeoutSeconds: number) =>
      new ServiceFunction(this, name, {
        entry, description, timeoutSeconds, environment, table: props.table, access: 'write', logRetention: props.logRetention,
      });
    const scheduleTarget = (fn: ServiceFunction) =>
      new LambdaFunction(fn.fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: SCHEDULE_RETRY_ATTEMPTS });

    // Overlapping sweeps are safe (each release is a guarded transaction), so a slow minute needs no lock.
    const sweeper = job('ExpirySweeper', props.entries.expirySweeper, 'Expiry sweeper (every minute)', SWEEPER_TIMEOUT_SECONDS);
    new Rule(this, 'EveryMinute', {
      description: 'Release credit held by authorizations past their expiry',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [scheduleTarget(sweeper)],
    });

    const scheduler = job('RefreshScheduler', props.entries.refreshScheduler, 'Limit refresh scheduler (nightly)', SCHEDULER_TIMEOUT_SECONDS);
    this.refreshQueue.grantSendMessages(scheduler.role);
    new Rule(this, 'Nightly', {
      description: 'Start the nightly credit-limit refresh',
      schedule: Schedule.cron({ minute: '0', hour: String(props.limitRefreshHourUtc) }),
      targets: [scheduleTarget(scheduler)],
    });

    const worker = job('RefreshWorker', props.entries.refreshWorker, 'Limit refresh worker (one segment per message)', WORKER_TIMEOUT_SECONDS);
    // The worker re-enqueues the continuation of a segment it could not finish in one invocation.
    this.refreshQueue.grantSendMessages(worker.role);
    worker.fn.addEventSource(
      new SqsEventSource(this.refreshQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // Bounds the refresh's share of table throughput and of the account's Lambda concurrency.
        maxConcurrency: props.refreshWorkerMaxConcurrency,
      }),
    );

    this.functions = [sweeper, scheduler, worker];
  }
}
