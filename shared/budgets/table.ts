/**
 * The budgets table: every budget's items (its record, its registry entry and its slices: registry.ts, draw.ts,
 * repository.ts), apart from the main table. A slice is written by every hold a budget covers, in the hold's own
 * transaction (TransactWriteItems spans tables); here that write feeds no change stream (budgets make no events),
 * so at a festival's peak the stream mapper reads no slice records (a quarter of a budgeted authorize's), and
 * DynamoDB Local, which records a stream entry per write of a streamed table, does a draw's work only.
 * Keys only, no index, no TTL.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { config } from '../config.js';
import { companionTableOf, keyedTableDefinition } from '../storage/companion-tables.js';

/** The budgets table that goes with `tableName`: this environment's by configuration, any other's by suffix. */
export const budgetsTableOf = (tableName: string): string =>
  companionTableOf(tableName, config.budgetsTableName, 'budgets');

export const budgetsTableDefinition = (tableName: string): CreateTableCommandInput =>
  keyedTableDefinition(tableName);
