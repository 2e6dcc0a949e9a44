/**
 * Scheduled work: the expiry sweeper every minute; the nightly limit refresh as a fan-out (a scheduler
 * function writes the run and enqueues one SQS message per accounts-index segment; workers process a segment
 * within their time budget and re-enqueue the continuation; a segment that fails every delivery lands in the
 * refresh DLQ, whose consumer marks its run failed); the nightly billing run as a fan-out too (a scheduler
 * enqueues one message per accounts bucket, workers bill a bucket each and enqueue its rest; a bucket that fails
 * every delivery waits in the billing DLQ, whose depth alarms). Failed schedule invocations go to a DLQ of their own.
 * The handler modules are props, so the construct does not know where functions live.
 */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { SEGMENT_MAX_DELIVERIES } from '../../shared/limits/segment-failures.js';
import {
  SEGMENTS_DEAD_LETTERED_METRIC,
  SERVICE_DIMENSION,
  SERVICE_NAME,
} from '../../shared/observability/metrics.js';
import type { RiskSettingsParameter } from './risk-settings.js';
import { ServiceFunction } from './service-function.js';
import type { CreditTable } from './table.js';

export interface JobEntries {
  /** Every minute: releases holds past their expiry. */
  readonly expirySweeper: string;
  /** Nightly: starts a refresh run and enqueues its segments. */
  readonly refreshScheduler: string;
  /** SQS consumer: one segment per invocation. */
  readonly refreshWorker: string;
  /** SQS consumer of the refresh DLQ: fails the run of a dead-lettered segment. */
  readonly refreshDeadLetters: string;
  /** Nightly, before the refresh: enqueues the billing run's buckets; every minute, promotions' start runs. */
  readonly billingScheduler: string;
  /** SQS consumer: bills one accounts bucket per message. */
  readonly billingWorker: string;
  /** SQS consumer: one coupon campaign chunk (an accounts bucket) per message. */
  readonly couponCampaignWorker: string;
}

export interface JobsProps {
  readonly entries: JobEntries;
  readonly table: CreditTable;
  /** The scheduler reads it: the risk team's `refreshPaused` stops the nightly run. */
  readonly riskSettings: RiskSettingsParameter;
  readonly environment: Readonly<Record<string, string>>;
  /** The stage's namespace for the service's own metrics (infra/names.ts). */
  readonly metricNamespace: string;
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
/** EventBridge retries a failed asynchronous invocation of a job this many times before the DLQ. */
const SCHEDULE_RETRY_ATTEMPTS = 2;
/** Failing a run is one GetItem and one UpdateItem per message; 30 s covers a batch of 10 with retries. */
const DEAD_LETTERS_TIMEOUT_SECONDS = 30;
/** The same advice as for the segments queue: visibility at least 6x the consumer's timeout. */
const DEAD_LETTER_VISIBILITY_SECONDS = 6 * DEAD_LETTERS_TIMEOUT_SECONDS;
/** Dead letters are rare and each only fails a run: the event source's minimum concurrency is plenty. */
const DEAD_LETTERS_MAX_CONCURRENCY = 2;
/** Kept as long as SQS allows: a message the consumer cannot process waits there for a person. */
const DLQ_RETENTION_DAYS = 14;

export class Jobs extends Construct {
  readonly refreshQueue: Queue;
  /** Refresh segments that failed every delivery; its consumer fails their runs. */
  readonly refreshDeadLetterQueue: Queue;
  /** Schedule invocations EventBridge gave up on (nightly refresh start, expiry sweeps): for a person. */
  readonly scheduleDeadLetterQueue: Queue;
  /** Billing buckets, one message each: the nightly scheduler and the workers' continuations send here. */
  readonly billingQueue: Queue;
  /** Billing buckets that failed every delivery: waiting for a person (their depth alarms). */
  readonly billingDeadLetterQueue: Queue;
  /** Coupon campaign chunks, one accounts bucket each: the campaign route and the workers' continuations send here. */
  readonly couponCampaignQueue: Queue;
  /** Campaign chunks that failed every delivery: waiting for a person (their depth alarms). */
  readonly couponCampaignDeadLetterQueue: Queue;
  /** Segments dead-lettered (one per message the consumer took): what the on-call alarm watches. */
  readonly deadLetteredSegments: Metric;
  readonly functions: readonly ServiceFunction[];

  private readonly props: JobsProps;
  /** What every job but the dead-letter consumer gets: the service's variables and the segments queue's URL. */
  private readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    this.props = props;
    this.refreshDeadLetterQueue = this.newDeadLetterQueue(
      'RefreshDlq',
      'the refresh segments',
      DEAD_LETTER_VISIBILITY_SECONDS,
    );
    this.scheduleDeadLetterQueue = this.newDeadLetterQueue('ScheduleDlq', 'the schedule targets');
    this.billingDeadLetterQueue = this.newDeadLetterQueue('BillingDlq', 'the billing buckets');
    this.billingQueue = new Queue(this, 'BillingBuckets', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: this.billingDeadLetterQueue, maxReceiveCount: SEGMENT_MAX_DELIVERIES },
    });
    this.couponCampaignDeadLetterQueue = this.newDeadLetterQueue(
      'CouponCampaignDlq',
      'the coupon campaign chunks',
    );
    this.couponCampaignQueue = new Queue(this, 'CouponCampaignChunks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: this.couponCampaignDeadLetterQueue, maxReceiveCount: SEGMENT_MAX_DELIVERIES },
    });
    this.refreshQueue = new Queue(this, 'RefreshSegments', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: this.refreshDeadLetterQueue, maxReceiveCount: SEGMENT_MAX_DELIVERIES },
    });
    this.environment = { ...props.environment, REFRESH_QUEUE_URL: this.refreshQueue.queueUrl };
    const sweeper = this.newExpirySweeper();
    const scheduler = this.newRefreshScheduler();
    const worker = this.newRefreshWorker();
    const deadLetters = this.newRefreshDeadLetters();
    const billingScheduler = this.newBillingScheduler();
    const billingWorker = this.newBillingWorker();
    const campaignWorker = this.newCouponCampaignWorker();
    this.deadLetteredSegments = deadLetteredSegments(props.metricNamespace);
    this.functions = [
      sweeper,
      scheduler,
      worker,
      deadLetters,
      billingScheduler,
      billingWorker,
      campaignWorker,
    ];
  }

  private newJob(
    name: string,
    entry: string,
    description: string,
    timeoutSeconds: number,
    environment = this.environment,
  ): ServiceFunction {
    return new ServiceFunction(this, name, {
      entry,
      description,
      timeoutSeconds,
      environment,
      metricNamespace: this.props.metricNamespace,
      table: this.props.table,
      access: 'write',
      logRetention: this.props.logRetention,
    });
  }

  /** A schedule's target: EventBridge retries a failed invocation, then leaves it in the schedule DLQ. */
  private scheduleTarget(fn: ServiceFunction, event?: RuleTargetInput): LambdaFunction {
    return new LambdaFunction(fn.fn, {
      deadLetterQueue: this.scheduleDeadLetterQueue,
      retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
      ...(event ? { event } : {}),
    });
  }

  /** Overlapping sweeps are safe (each release is a guarded transaction), so a slow minute needs no lock. */
  private newExpirySweeper(): ServiceFunction {
    const sweeper = this.newJob(
      'ExpirySweeper',
      this.props.entries.expirySweeper,
      'Expiry sweeper (every minute)',
      SWEEPER_TIMEOUT_SECONDS,
    );
    new Rule(this, 'EveryMinute', {
      description: 'Release credit held by authorizations past their expiry',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [this.scheduleTarget(sweeper)],
    });
    return sweeper;
  }

  /**
   * Retries (EventBridge's and Lambda's) are safe: the run's id is the schedule slot's (limit-refresh-scheduler.ts).
   * It reads the risk settings: while `refreshPaused` is set, a scheduled invocation starts no run.
   */
  private newRefreshScheduler(): ServiceFunction {
    const scheduler = this.newJob(
      'RefreshScheduler',
      this.props.entries.refreshScheduler,
      'Limit refresh scheduler (nightly)',
      SCHEDULER_TIMEOUT_SECONDS,
      { ...this.environment, ...this.props.riskSettings.environment },
    );
    this.refreshQueue.grantSendMessages(scheduler.role);
    this.props.riskSettings.grantRead(scheduler.role);
    new Rule(this, 'Nightly', {
      description: 'Start the nightly credit-limit refresh',
      schedule: Schedule.cron({ minute: '0', hour: String(this.props.limitRefreshHourUtc) }),
      targets: [this.scheduleTarget(scheduler)],
    });
    return scheduler;
  }

  private newRefreshWorker(): ServiceFunction {
    const worker = this.newJob(
      'RefreshWorker',
      this.props.entries.refreshWorker,
      'Limit refresh worker (one segment per message)',
      WORKER_TIMEOUT_SECONDS,
    );
    // The worker re-enqueues the continuation of a segment it could not finish in one invocation.
    this.refreshQueue.grantSendMessages(worker.role);
    worker.fn.addEventSource(
      new SqsEventSource(this.refreshQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // Bounds the refresh's share of table throughput and of the account's Lambda concurrency.
        maxConcurrency: this.props.refreshWorkerMaxConcurrency,
      }),
    );
    return worker;
  }

  /**
   * The nightly billing run, an hour before the refresh so the refresh reads the night's overdue. Retries are
   * safe: billing an account twice the same day changes nothing (billing-scheduler.ts).
   */
  private newBillingScheduler(): ServiceFunction {
    const scheduler = this.newJob(
      'BillingScheduler',
      this.props.entries.billingScheduler,
      'Billing scheduler (nightly, before the limit refresh)',
      SCHEDULER_TIMEOUT_SECONDS,
      { ...this.props.environment, BILLING_QUEUE_URL: this.billingQueue.queueUrl },
    );
    this.billingQueue.grantSendMessages(scheduler.role);
    new Rule(this, 'NightlyBilling', {
      description: 'Start the nightly billing run (installments past their grace days become overdue)',
      schedule: Schedule.cron({ minute: '0', hour: String((this.props.limitRefreshHourUtc + 23) % 24) }),
      targets: [this.scheduleTarget(scheduler)],
    });
    // Every minute: a run for each promotion that has started (its `promotion.started` notices).
    new Rule(this, 'PromotionStarts', {
      description: 'Dispatch a notices run for each promotion that has started',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [this.scheduleTarget(scheduler, RuleTargetInput.fromObject({ promotionStarts: true }))],
    });
    return scheduler;
  }

  /** One bucket per message; the same concurrency bound as the refresh's workers. */
  private newBillingWorker(): ServiceFunction {
    const worker = this.newJob(
      'BillingWorker',
      this.props.entries.billingWorker,
      'Billing worker (one accounts bucket per message)',
      WORKER_TIMEOUT_SECONDS,
      { ...this.props.environment, BILLING_QUEUE_URL: this.billingQueue.queueUrl },
    );
    // The worker enqueues the rest of a bucket it could not finish in one invocation.
    this.billingQueue.grantSendMessages(worker.role);
    worker.fn.addEventSource(
      new SqsEventSource(this.billingQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: this.props.refreshWorkerMaxConcurrency,
      }),
    );
    return worker;
  }

  /** One campaign chunk per message; the same concurrency bound as the refresh's workers. */
  private newCouponCampaignWorker(): ServiceFunction {
    const env = { ...this.props.environment, COUPON_CAMPAIGN_QUEUE_URL: this.couponCampaignQueue.queueUrl };
    const worker = this.newJob(
      'CouponCampaignWorker',
      this.props.entries.couponCampaignWorker,
      'Coupon campaign worker (one accounts bucket per message)',
      WORKER_TIMEOUT_SECONDS,
      env,
    );
    // The worker enqueues the rest of a bucket it could not finish in one invocation.
    this.couponCampaignQueue.grantSendMessages(worker.role);
    worker.fn.addEventSource(
      new SqsEventSource(this.couponCampaignQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: this.props.refreshWorkerMaxConcurrency,
      }),
    );
    return worker;
  }

  /** Consumes the refresh DLQ only (the event source grants receive/delete on it); sends nowhere, so no queue URL. */
  private newRefreshDeadLetters(): ServiceFunction {
    const deadLetters = this.newJob(
      'RefreshDeadLetters',
      this.props.entries.refreshDeadLetters,
      'Limit refresh dead letters (fails the run of a dead-lettered segment)',
      DEAD_LETTERS_TIMEOUT_SECONDS,
      this.props.environment,
    );
    deadLetters.fn.addEventSource(
      new SqsEventSource(this.refreshDeadLetterQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: DEAD_LETTERS_MAX_CONCURRENCY,
      }),
    );
    return deadLetters;
  }

  private newDeadLetterQueue(id: string, of: string, visibilitySeconds?: number): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
      ...(visibilitySeconds === undefined ? {} : { visibilityTimeout: Duration.seconds(visibilitySeconds) }),
    });
    NagSuppressions.addResourceSuppressions(queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is the dead-letter queue of ${of}; a DLQ of a DLQ would only move the problem.`,
      },
    ]);
    return queue;
  }
}

/**
 * Segments the dead-letter consumer took, one each, as it writes them (EMF, in the stage's `namespace`): what the
 * on-call alarm watches.
 */
function deadLetteredSegments(namespace: string): Metric {
  return new Metric({
    namespace,
    metricName: SEGMENTS_DEAD_LETTERED_METRIC,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME },
    statistic: 'Sum',
    period: Duration.minutes(1),
  });
}
