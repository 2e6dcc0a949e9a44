/**
 * The local event pipeline (`npm start`): polls DynamoDB Local's change stream of the table, maps each record to
 * events (shared/events/mapper.ts, the same function the mapper Lambda runs), stores them (the event list), makes
 * the customer notifications they call for (shared/notifications/notifier.ts, emailing through SMTP_URL when it is
 * set) and hands them to the webhook deliverer (shared/events/delivery.ts). It also runs the notifier's outbox
 * sweep (emails held back by quiet hours or a failed send) every MAIL_SWEEP_INTERVAL_MS.
 *
 * Nothing is lost across a crash: the checkpoint in a shard moves past a record only once its events are stored,
 * their notifications made and every delivery they made is done. A restart reads again from the checkpoint, so a
 * record may be mapped twice, and it then yields the same event ids (they derive from the item's key and
 * version), is stored once, makes no notification twice (their ids derive from the events'), and is delivered
 * again under the same `webhook-id` (at least once).
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../shared/config.js';
import { Deliveries } from '../shared/events/delivery.js';
import { eventsFromChange } from '../shared/events/mapper.js';
import type { DomainEvent } from '../shared/events/model.js';
import { changeOf } from '../shared/events/stream.js';
import { readCheckpoint, recordEvents, writeCheckpoint } from '../shared/events/repository.js';
import { endpointCache } from '../shared/events/webhooks.js';
import { Notifier } from '../shared/notifications/notifier.js';
import { smtpMailSender } from '../shared/notifications/smtp.js';
import { logger } from '../shared/observability/logger.js';
import { dynamoClient, tableName } from '../shared/storage/dynamo-client.js';

/**
 * Between two passes over the stream, unless the last one read a full batch: Lambda polls a shard about four
 * times a second too. Each pass is a GetRecords per shard to DynamoDB Local, whose cores the API shares: polling
 * back to back, with a trickle of records each time, took most of a core from it under load.
 */
const POLL_INTERVAL_MS = 200;
/** How long the consumer keeps the shard list (a shard closes every few hours; a new one shows within this). */
const SHARDS_MAX_AGE_MS = 10_000;
/** Records one GetRecords returns at most (DynamoDB Streams' own limit is 1,000). */
const BATCH_LIMIT = 1_000;
/** How long the consumer keeps the endpoint list before reading it again (a deleted endpoint's last deliveries). */
export const ENDPOINTS_MAX_AGE_MS = 1_000;
/** Between two runs of the notifier's outbox sweep (deferred and retried emails). */
export const MAIL_SWEEP_INTERVAL_MS = 30_000;

export interface EventConsumerOptions {
  deliveries?: Deliveries;
  /** Default: one emailing through SMTP_URL (inbox only when it is unset). */
  notifier?: Notifier;
}

/** One read batch of a shard, waiting for its deliveries before the checkpoint may pass its last record. */
interface Batch {
  lastSequence: string;
  outstanding: number;
}

export class EventConsumer {
  private readonly streams: DynamoDBStreamsClient;
  private readonly deliveries: Deliveries;
  private readonly notifier: Notifier;
  private mailSweep: NodeJS.Timeout | undefined;
  /** The sweep under way (or the last one): one at a time, and stop() waits for it. */
  private mailSweeping: Promise<unknown> = Promise.resolve();
  private readonly iterators = new Map<string, string>();
  private readonly finished = new Set<string>();
  private readonly batches = new Map<string, Batch[]>();
  private readonly saved = new Map<string, string>();
  private readonly currentEndpoints = endpointCache(ENDPOINTS_MAX_AGE_MS);
  private running = false;
  /** The batches' storing and notifying, chained in read order (storeAndNotify). */
  private storing: Promise<unknown> = Promise.resolve();
  /** The table's stream, and its shards as last listed (SHARDS_MAX_AGE_MS). */
  private arn: string | undefined;
  private shardList: { at: number; shards: Shard[] } | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: EventConsumerOptions = {}) {
    this.streams = new DynamoDBStreamsClient({
      region: config.region,
      ...(config.dynamodbEndpoint
        ? {
            endpoint: config.dynamodbEndpoint,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {}),
    });
    this.deliveries = options.deliveries ?? new Deliveries();
    this.notifier =
      options.notifier ??
      new Notifier({ sender: config.smtpUrl ? smtpMailSender(config.smtpUrl) : undefined });
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.mailSweep = setInterval(() => {
      this.mailSweeping = this.mailSweeping.then(() =>
        this.notifier.sendDueMail().catch((error: unknown) => logger.error('mail sweep failed', { error })),
      );
    }, MAIL_SWEEP_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.storing;
    clearInterval(this.mailSweep);
    await this.mailSweeping;
    this.notifier.close();
    this.deliveries.stop();
    this.streams.destroy();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const read = await this.pass();
        await this.saveCheckpoints();
        if (read < BATCH_LIMIT) await sleep(POLL_INTERVAL_MS);
      } catch (error) {
        logger.error('event consumer pass failed', { error });
        this.shardList = undefined;
        await sleep(POLL_INTERVAL_MS * 5);
      }
    }
  }

  /** One GetRecords on each readable shard; returns the records read. */
  private async pass(): Promise<number> {
    this.arn ??= await this.streamArn();
    const streamArn = this.arn;
    if (!this.shardList || Date.now() - this.shardList.at > SHARDS_MAX_AGE_MS)
      this.shardList = { at: Date.now(), shards: await this.shards(streamArn) };
    const shards = this.shardList.shards.filter((s) => !this.finished.has(s.ShardId ?? ''));
    let read = 0;
    for (const shard of shards) {
      if (!this.running) break;
      read += await this.readShard(streamArn, shard);
    }
    return read;
  }

  private async streamArn(): Promise<string> {
    const { Table } = await dynamoClient.send(new DescribeTableCommand({ TableName: tableName }));
    const arn = Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${tableName} has no stream`);
    return arn;
  }

  /** Shards whose turn it is: a child only once its parent is read to its end (or gone), so order holds per key. */
  private async shards(streamArn: string): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      all.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const known = new Set(all.map((s) => s.ShardId));
    // Finished shards stay listed here; pass() skips them (one finishing clears the cached list anyway).
    return all.filter(
      (s) => !s.ParentShardId || !known.has(s.ParentShardId) || this.finished.has(s.ParentShardId),
    );
  }

  private async readShard(streamArn: string, shard: Shard): Promise<number> {
    const shardId = shard.ShardId ?? '';
    const iterator = this.iterators.get(shardId) ?? (await this.firstIterator(streamArn, shardId));
    const { Records = [], NextShardIterator } = await this.streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: BATCH_LIMIT }),
    );
    if (Records.length > 0) await this.handle(shardId, Records);
    if (NextShardIterator) this.iterators.set(shardId, NextShardIterator);
    else if ((this.batches.get(shardId) ?? []).length === 0) {
      this.iterators.delete(shardId);
      this.finished.add(shardId);
      // Its children may be read now: list the shards again.
      this.shardList = undefined;
    }
    return Records.length;
  }

  private async firstIterator(streamArn: string, shardId: string): Promise<string> {
    const checkpoint = await readCheckpoint(shardId);
    if (checkpoint) this.saved.set(shardId, checkpoint);
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(checkpoint
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) throw new Error(`no iterator for shard ${shardId}`);
    return ShardIterator;
  }

  /** Maps, stores (per account in stream order), notifies, then queues the deliveries of one batch. */
  private async handle(shardId: string, records: readonly _Record[]): Promise<void> {
    const events = records.flatMap((record) => eventsFromChange(changeOf(record)));
    // Outstanding: the batch's storing and notifying (one), and each delivery it queues.
    const batch: Batch = { lastSequence: records.at(-1)?.dynamodb?.SequenceNumber ?? '', outstanding: 1 };
    this.batches.set(shardId, [...(this.batches.get(shardId) ?? []), batch]);
    this.storing = this.storing
      .then(() => this.storeAndNotify(events))
      .then(
        () => (batch.outstanding -= 1),
        () => undefined,
      );
    const endpoints = await this.currentEndpoints();
    this.deliveries.retain(endpoints);
    batch.outstanding += this.deliveries.enqueue(events, endpoints, { done: () => (batch.outstanding -= 1) });
  }

  /**
   * Stores a batch's events and makes their notifications, one batch after another (so an account's events are
   * stored in stream order across batches too), while reading and delivering go on: under load, webhooks do not
   * wait for the event list. A failure is tried again, in place, until it succeeds or the consumer stops; the
   * batch's checkpoint waits for it either way.
   */
  private async storeAndNotify(events: readonly DomainEvent[]): Promise<void> {
    for (let attempt = 1; this.running; attempt += 1) {
      try {
        await recordEvents(events);
        await this.notifier.handle(events);
        return;
      } catch (error) {
        logger.error('storing events failed; trying again', { attempt, error });
        await sleep(Math.min(POLL_INTERVAL_MS * 2 ** attempt, 10_000));
      }
    }
    // Stopped first: the batch stays outstanding, so its checkpoint never passes it (a restart reads it again).
    throw new Error('the event consumer stopped before the batch was stored');
  }

  /** Moves each shard's checkpoint past the batches whose deliveries are all done, in order. */
  private async saveCheckpoints(): Promise<void> {
    for (const [shardId, batches] of this.batches) {
      let last: string | undefined;
      while (batches[0] && batches[0].outstanding <= 0) last = batches.shift()?.lastSequence;
      if (last && last !== this.saved.get(shardId)) {
        await writeCheckpoint(shardId, last);
        this.saved.set(shardId, last);
      }
    }
  }
}
