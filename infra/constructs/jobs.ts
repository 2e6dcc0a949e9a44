/**
 * Scheduled work: the expiry sweeper every minute; the nightly limit refresh as a fan-out (a scheduler
 * function writes the run and enqueues one SQS message per accounts-index segment; workers process a segment
 * within their time budget and re-enqueue the continuation; messages that keep failing land in a DLQ).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ServiceFunction } from './service-function.js';

export interface JobsProps {
  table: ITableV2;
  environment: Record<string, string>;
}

/** A worker gets 5 minutes per segment invocation; SQS hides a message 6× that while it is being worked on. */
const WORKER_TIMEOUT = Duration.minutes(5);

export class Jobs extends Construct {
  readonly refreshQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly functions: ServiceFunction[];

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'RefreshDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.refreshQueue = new Queue(this, 'RefreshSegments', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(30),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
    });
    const environment = { ...props.environment, REFRESH_QUEUE_URL: this.refreshQueue.queueUrl };

    const sweeper = new ServiceFunction(this, 'ExpirySweeper', {
      entry: 'functions/jobs/expiry-sweeper.ts', table: props.table, access: 'write', environment, timeout: Duration.seconds(55),
    });
    new Rule(this, 'EveryMinute', {
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(sweeper.fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 })],
    });

    const scheduler = new ServiceFunction(this, 'RefreshScheduler', {
      entry: 'functions/jobs/limit-refresh-scheduler.ts', table: props.table, access: 'write', environment, timeout: Duration.seconds(30),
    });
    this.refreshQueue.grantSendMessages(scheduler.fn);
    // 18:00 UTC is 02:00 in China Standard Time: the quiet hours of the book.
    new Rule(this, 'Nightly', {
      schedule: Schedule.cron({ minute: '0', hour: '18' }),
      targets: [new LambdaFunction(scheduler.fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 })],
    });

    const worker = new ServiceFunction(this, 'RefreshWorker', {
      entry: 'functions/jobs/limit-refresh-worker.ts', table: props.table, access: 'write', environment, timeout: WORKER_TIMEOUT,
    });
    this.refreshQueue.grantSendMessages(worker.fn);
    worker.fn.addEventSource(new SqsEventSource(this.refreshQueue, { batchSize: 1, reportBatchItemFailures: true }));

    this.functions = [sweeper, scheduler, worker];
  }
}
