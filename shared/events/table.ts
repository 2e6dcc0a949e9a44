/**
 * The events table: the events the stream consumer derived (shared/events/mapper.ts), one item per event keyed by
 * its id (so a record read twice is stored once), and the consumer's stream checkpoints. The `order` index sorts
 * an account's events by `at`, the instant the consumer stored each one (see repository.ts for why that order
 * never skips). A table of its own: its writes do not feed the change stream they come from.
 *
 *   ACCOUNT#<accountId> / EVENT#<eventId>   one event; `at` = `<µs>#<eventId>`
 *   STREAM              / <shardId>         the local consumer's checkpoint in one shard
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { config } from '../config.js';
import { companionTableOf, keyedTableDefinition } from '../storage/companion-tables.js';

export const EVENTS_ORDER_INDEX = { name: 'order', sortKey: 'at' } as const;

/** The events table that goes with `tableName`: this environment's by configuration, any other's by suffix. */
export const eventsTableOf = (tableName: string): string =>
  companionTableOf(tableName, config.eventsTableName, 'events');

export function eventsTableDefinition(tableName: string): CreateTableCommandInput {
  const keyed = keyedTableDefinition(tableName);
  return {
    ...keyed,
    AttributeDefinitions: [
      ...keyed.AttributeDefinitions,
      { AttributeName: EVENTS_ORDER_INDEX.sortKey, AttributeType: 'S' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: EVENTS_ORDER_INDEX.name,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: EVENTS_ORDER_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
