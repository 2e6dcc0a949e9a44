// Starts one real DynamoDB Local (in memory, on a free port) for the whole run, unless DYNAMODB_ENDPOINT
// already names one. Test files share it and isolate themselves with their own table.
// Plain ESM because jest loads global setup outside its transform's module mapping; tsx loads the launcher.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  // DynamoDB Local on two cores shared by two test workers is far slower than DynamoDB and sometimes pauses for
  // seconds: every deadline of the request path runs 3x longer here (shared/config.ts LOCAL_TIME_SCALE), so no
  // test depends on how fast the machine is. Tests of the deadlines themselves hold calls far past any of them.
  process.env.LOCAL_TIME_SCALE ??= '3';
  if (process.env.DYNAMODB_ENDPOINT) return;
  const { startDynamoDbLocal } = await tsImport('../../local/dynamodb-local.ts', import.meta.url);
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  globalThis.__dynamo = dynamo;
}
