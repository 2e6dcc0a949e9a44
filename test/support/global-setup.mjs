// Starts one real DynamoDB Local (in memory, on a free port) for the whole run, unless DYNAMODB_ENDPOINT
// already names one. Test files share it and isolate themselves with their own table.
// Plain ESM because jest loads global setup outside its transform's module mapping; tsx loads the launcher.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const { startDynamoDbLocal } = await tsImport('../../local/dynamodb-local.ts', import.meta.url);
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  globalThis.__dynamo = dynamo;
}
