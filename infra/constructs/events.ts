/**
 * The events pipeline (shared/events/): the table's change stream → the mapper Lambda (batches in order per item,
 * bisected on error, what keeps failing to its DLQ) → the events table, the EventBridge bus, and a FIFO queue of
 * webhook deliveries (one message per event and endpoint, grouped by endpoint and account) → the deliverer
 * Lambda, whose messages that fail for days land in their DLQ. The bus feeds the customer notifications (a rule →
 * SQS → the notifier Lambda; with a From address, emails through SES and a sweeper for those that waited). The
 * DLQs' depths alarm (infra/constructs/observability.ts), and the mapper's iterator age shows how far events trail.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/events/publish.js';
import { ServiceFunction } from './service-function.js';
import type { CreditTable } from './table.js';

export interface EventPipelineEntries {
  /** DynamoDB stream consumer: maps records to events, stores, publishes and queues them. */
  readonly mapper: string;
  /** SQS FIFO consumer: delivers one webhook per message. */
  readonly deliverer: string;
  /** SQS consumer of the bus: customer notifications. */
  readonly notifier: string;
  /** Every five minutes, when the stack sends email: the notification emails that waited. */
  readonly mailSweeper: string;
}

export interface EventPipelineProps {
  readonly entries: EventPipelineEntries;
  readonly table: CreditTable;
  readonly environment: Readonly<Record<string, string>>;
  readonly metricNamespace: string;
  readonly logRetention: RetentionDays;
  /** The bus's name (the stage's: infra/names.ts). */
  readonly busName: string;
  /** The From of notification emails (an SES identity); empty: the inbox only, no email. */
  readonly mailFrom: string;
  /** Where failed schedule invocations go (the jobs' schedule DLQ). */
  readonly scheduleDeadLetters: IQueue;
}

/** Records per mapper invocation: a few hundred ms of work, so events trail the table by well under a second. */
const MAPPER_BATCH_SIZE = 100;
/** Concurrent batches per stream shard; Lambda keeps the order of each item's records across them. */
const MAPPER_PARALLELIZATION = 4;
/** Retries of a failing batch (bisected each time) before its records go to the DLQ. */
const MAPPER_RETRY_ATTEMPTS = 10;
const MAPPER_TIMEOUT_SECONDS = 60;
/** A delivery waits at most 10 s for its receiver (shared/events/delivery.ts); a batch holds 10 messages. */
const DELIVERER_TIMEOUT_SECONDS = 120;
const DELIVERY_VISIBILITY_SECONDS = 6 * DELIVERER_TIMEOUT_SECONDS;
/**
 * Attempts before a delivery goes to the DLQ: at backoff up to an hour, about four days, past the three after
 * which the deliverer disables a failing endpoint (WEBHOOK_DISABLE_AFTER_MS).
 */
const DELIVERY_MAX_RECEIVES = 100;
const DLQ_RETENTION_DAYS = 14;
/** A batch of 10 events: one read of each account's contact, a transaction per notification, an email each. */
const NOTIFIER_TIMEOUT_SECONDS = 60;
const NOTIFICATION_MAX_RECEIVES = 5;

export class EventPipeline extends Construct {
  readonly bus: EventBus;
  readonly deliveries: Queue;
  readonly mapperDeadLetters: Queue;
  readonly deliveryDeadLetters: Queue;
  readonly mapper: ServiceFunction;
  readonly deliverer: ServiceFunction;
  /** Every event of the bus, for the notifier. */
  readonly notifications: Queue;
  readonly notificationDeadLetters: Queue;
  readonly notifier: ServiceFunction;
  readonly mailSweeper: ServiceFunction | undefined;

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
    this.mapperDeadLetters = deadLetterQueue(this, 'MapperDlq', 'the stream mapper', false);
    this.deliveryDeadLetters = deadLetterQueue(this, 'DeliveriesDlq', 'the webhook deliveries', true);
    this.deliveries = new Queue(this, 'Deliveries', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVERY_VISIBILITY_SECONDS),
      retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: DELIVERY_MAX_RECEIVES },
    });
    const environment = {
      ...props.environment,
      EVENT_BUS_NAME: this.bus.eventBusName,
      WEBHOOK_QUEUE_URL: this.deliveries.queueUrl,
    };
    this.mapper = this.newMapper(props, environment);
    this.deliverer = this.newDeliverer(props, environment);
    this.notificationDeadLetters = deadLetterQueue(this, 'NotificationsDlq', 'the notifications', false);
    this.notifications = new Queue(this, 'Notifications', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(6 * NOTIFIER_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.notificationDeadLetters, maxReceiveCount: NOTIFICATION_MAX_RECEIVES },
    });
    new Rule(this, 'EveryEvent', {
      description: 'Every event of the service, for the customer notifications',
      eventBus: this.bus,
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [
        new SqsQueue(this.notifications, {
          deadLetterQueue: this.notificationDeadLetters,
          retryAttempts: 10,
        }),
      ],
    });
    const mail: Record<string, string> = props.mailFrom
      ? { NOTIFY_SES: 'on', NOTIFY_MAIL_FROM: props.mailFrom }
      : {};
    this.notifier = this.newNotifier(props, { ...props.environment, ...mail });
    this.mailSweeper = props.mailFrom
      ? this.newMailSweeper(props, { ...props.environment, ...mail })
      : undefined;
  }

  get functions(): readonly ServiceFunction[] {
    return [this.mapper, this.deliverer, this.notifier, ...(this.mailSweeper ? [this.mailSweeper] : [])];
  }

  /** One of the pipeline's functions: its own role on the table (`access`), the stage's settings. */
  private newFunction(
    id: string,
    props: EventPipelineProps,
    f: { entry: string; description: string; access: 'read' | 'write'; timeoutSeconds: number },
    environment: Record<string, string>,
  ): ServiceFunction {
    return new ServiceFunction(this, id, {
      ...f,
      table: props.table,
      environment,
      metricNamespace: props.metricNamespace,
      logRetention: props.logRetention,
    });
  }

  private newNotifier(props: EventPipelineProps, environment: Record<string, string>): ServiceFunction {
    const notifier = this.newFunction(
      'Notifier',
      props,
      {
        entry: props.entries.notifier,
        description: 'Customer notifications (inbox, and email through SES)',
        access: 'write',
        timeoutSeconds: NOTIFIER_TIMEOUT_SECONDS,
      },
      environment,
    );
    if (props.mailFrom) grantSendEmail(notifier, props.mailFrom);
    notifier.fn.addEventSource(
      new SqsEventSource(this.notifications, { batchSize: 10, reportBatchItemFailures: true }),
    );
    return notifier;
  }

  private newMailSweeper(props: EventPipelineProps, environment: Record<string, string>): ServiceFunction {
    const sweeper = this.newFunction(
      'MailSweeper',
      props,
      {
        entry: props.entries.mailSweeper,
        description: 'Notification emails that waited (quiet hours, failed sends), every five minutes',
        access: 'write',
        timeoutSeconds: NOTIFIER_TIMEOUT_SECONDS,
      },
      environment,
    );
    grantSendEmail(sweeper, props.mailFrom);
    new Rule(this, 'MailSweep', {
      description: 'Send the notification emails that waited in the outbox',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [
        new LambdaFunction(sweeper.fn, { deadLetterQueue: props.scheduleDeadLetters, retryAttempts: 2 }),
      ],
    });
    return sweeper;
  }

  private newMapper(props: EventPipelineProps, environment: Record<string, string>): ServiceFunction {
    const mapper = this.newFunction(
      'Mapper',
      props,
      {
        entry: props.entries.mapper,
        description: 'Change stream to events (stored, published, queued for webhooks)',
        access: 'read',
        timeoutSeconds: MAPPER_TIMEOUT_SECONDS,
      },
      environment,
    );
    props.table.grantEvents(mapper.role, 'write');
    this.bus.grantPutEventsTo(mapper.role);
    this.deliveries.grantSendMessages(mapper.role);
    mapper.fn.addEventSource(
      new DynamoEventSource(props.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: MAPPER_BATCH_SIZE,
        parallelizationFactor: MAPPER_PARALLELIZATION,
        bisectBatchOnError: true,
        retryAttempts: MAPPER_RETRY_ATTEMPTS,
        onFailure: new SqsDlq(this.mapperDeadLetters),
      }),
    );
    return mapper;
  }

  private newDeliverer(props: EventPipelineProps, environment: Record<string, string>): ServiceFunction {
    const deliverer = this.newFunction(
      'Deliverer',
      props,
      {
        entry: props.entries.deliverer,
        description: 'Webhook deliveries (Standard Webhooks, in order per endpoint and account)',
        // Reads the endpoint; marks it failing, healthy or disabled.
        access: 'write',
        timeoutSeconds: DELIVERER_TIMEOUT_SECONDS,
      },
      environment,
    );
    deliverer.fn.addEventSource(
      new SqsEventSource(this.deliveries, { batchSize: 10, reportBatchItemFailures: true }),
    );
    return deliverer;
  }
}

/** ses:SendEmail from the one identity: the From address's own identity, or its domain's. */
function grantSendEmail(fn: ServiceFunction, mailFrom: string): void {
  const domain = mailFrom.split('@')[1] ?? mailFrom;
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [mailFrom, domain].map((identity) =>
        Stack.of(fn).formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
      ),
    }),
  );
}

function deadLetterQueue(scope: Construct, id: string, of: string, fifo: boolean): Queue {
  const queue = new Queue(scope, id, {
    ...(fifo ? { fifo: true } : {}),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(DLQ_RETENTION_DAYS),
  });
  NagSuppressions.addResourceSuppressions(queue, [
    {
      id: 'AwsSolutions-SQS3',
      reason: `This queue is the dead-letter queue of ${of}; a DLQ of a DLQ would only move the problem.`,
    },
  ]);
  return queue;
}
