/**
 * Creates the table (and its TTL) where it is missing: DynamoDB Local at start-up and in tests. In AWS the
 * CDK stack owns the table; both read shared/storage/table.ts.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { budgetsTableDefinition, budgetsTableOf } from '../budgets/table.js';
import { eventsTableDefinition, eventsTableOf } from '../events/table.js';
import { config } from '../config.js';
import { ACCOUNTS_INDEX, EXPIRY_INDEX, REVIEW_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from './table.js';

/**
 * Table creation is start-up work, not a request: a client of its own with the SDK's default timeouts, outside
 * the per-call deadline of the request path (shared/storage/dynamo-client.ts). On a busy machine DynamoDB Local
 * takes seconds to create a table with three indexes, longer than any request may wait.
 */
let controlPlane: DynamoDBClient | undefined;
function controlPlaneClient(): DynamoDBClient {
  controlPlane ??= new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint
      ? {
          endpoint: config.dynamodbEndpoint,
          // DynamoDB Local accepts any credentials; these are not secrets and never reach AWS.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  });
  return controlPlane;
}

/**
 * @param client the client to create it with: a start-up client of this environment by default.
 * @param stream give the table its change stream (TABLE_STREAM, on unless turned off; see shared/config.ts).
 */
export async function ensureTable(
  tableName: string,
  client: DynamoDBClient = controlPlaneClient(),
  stream: boolean = config.tableStream,
): Promise<'created' | 'existed'> {
  const [made] = await Promise.all([
    ensureCreated(tableDefinition(tableName, stream), client),
    ensureCreated(eventsTableDefinition(eventsTableOf(tableName)), client),
    ensureCreated(budgetsTableDefinition(budgetsTableOf(tableName)), client),
  ]);
  if (made === 'created')
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  else if (stream) await ensureStream(tableName, client);
  return made;
}

/**
 * The change stream the events come from (shared/events/): a table made before events existed gets it now, so an
 * old `.data/` folder keeps working.
 */
async function ensureStream(tableName: string, client: DynamoDBClient): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
}

/** New and old images: the mapper tells what changed from the two (shared/events/mapper.ts). */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

async function ensureCreated(
  definition: CreateTableCommandInput,
  client: DynamoDBClient,
): Promise<'created' | 'existed'> {
  const tableName = definition.TableName;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'existed';
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(new CreateTableCommand(definition));
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'existed';
    throw error;
  }
  return 'created';
}

/** The table as table.ts describes it: keys, the three sparse or keys-only indexes, on-demand billing. */
function tableDefinition(tableName: string, stream: boolean): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    ...(stream ? { StreamSpecification: STREAM } : {}),
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
      { AttributeName: EXPIRY_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: EXPIRY_INDEX.sortKey, AttributeType: 'S' },
      { AttributeName: REVIEW_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: REVIEW_INDEX.sortKey, AttributeType: 'S' },
      { AttributeName: ACCOUNTS_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: ACCOUNTS_INDEX.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: EXPIRY_INDEX.name,
        KeySchema: [
          { AttributeName: EXPIRY_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: EXPIRY_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: REVIEW_INDEX.name,
        KeySchema: [
          { AttributeName: REVIEW_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: REVIEW_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        // The review queue shows whole holds; it is small, so project everything.
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: ACCOUNTS_INDEX.name,
        KeySchema: [
          { AttributeName: ACCOUNTS_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: ACCOUNTS_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
