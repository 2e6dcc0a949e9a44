/**
 * The tables beside the main one (the events table, the budgets table): each named by configuration for this
 * environment's main table, and by a suffix for any other (a test's, a tool's); each keyed `pk`/`sk`, on demand.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { config } from '../config.js';

/** The companion of `tableName`: `configured` when it is this environment's table, else `<tableName>-<suffix>`. */
export const companionTableOf = (tableName: string, configured: string, suffix: string): string =>
  tableName === config.tableName ? configured : `${tableName}-${suffix}`;

/** A table keyed by the strings `pk` and `sk`, on demand, with nothing else (a caller adds its indexes). */
export function keyedTableDefinition(tableName: string): CreateTableCommandInput & {
  AttributeDefinitions: NonNullable<CreateTableCommandInput['AttributeDefinitions']>;
} {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}
