/**
 * `npm start`: DynamoDB Local (unless DYNAMODB_ENDPOINT points at one) + the API + the local schedules, in one
 * process tree. SIGINT/SIGTERM stop everything this started.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { localServerPool, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.js';
import { startLocalMailSink } from './mail-sink.js';

/** Where `npm start` keeps the local cursor key, so cursors survive a restart like the data they point into. */
const CURSOR_KEY_FILE = 'cursor-key';

/**
 * The local cursor HMAC key: generated once (32 random bytes) and kept under the data folder, so no key is a
 * default anyone could know. In memory (DATA_DIR=:memory:), the service makes one per process instead.
 */
function localCursorKey(dataDir: string): string | undefined {
  if (dataDir === ':memory:') return undefined;
  const file = join(dataDir, CURSOR_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const LocalEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  ADMIN_API_KEY: z.string().min(8).max(512).default('local-admin-key'),
  DATA_DIR: z.string().min(1).default('.data'),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  /** `off`: no event consumer (a second API on a table whose events another process already consumes). */
  EVENT_CONSUMER: z.enum(['on', 'off']).default('on'),
});

async function main(): Promise<void> {
  const env = LocalEnv.parse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
  let dynamo: RunningDynamoDb | undefined;
  if (!env.DYNAMODB_ENDPOINT) {
    dynamo = await startDynamoDbLocal({ dataDir: env.DATA_DIR });
    process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  }
  process.env['CURSOR_KEY'] ||= localCursorKey(env.DATA_DIR) ?? '';
  // The risk settings document (and every version of it) under the same name the stack gives it in SSM.
  if (env.DATA_DIR !== ':memory:') process.env['LOCAL_PARAMETER_DIR'] ||= join(env.DATA_DIR, 'parameters');
  // This one process serves every request: it keeps only a few transactions in flight at DynamoDB Local (localServerPool).
  process.env['DYNAMODB_LOCAL_MAX_TRANSACTIONS'] = String(localServerPool());
  // Customer notification emails go to a local SMTP sink that saves each as a file (SMTP_URL: another server).
  const mail = await startLocalMailSink(env.DATA_DIR);
  // Configuration is read when these modules load, so they load after the endpoint is known.
  const { startApp } = await import('./app.js');
  const { startSchedules } = await import('./schedules.js');
  const { superviseEventConsumer } = await import('./event-consumer-process.js');
  const app = await startApp({ port: env.PORT, adminApiKey: env.ADMIN_API_KEY });
  const schedules = startSchedules();
  // The change stream → events → webhooks (local/events.ts) in a process of its own, as the mapper and deliverer
  // Lambdas run apart from the API in AWS: its work never waits on the API's event loop, nor the API's on it.
  const events = env.EVENT_CONSUMER === 'on' ? superviseEventConsumer() : undefined;

  const where = env.DATA_DIR === ':memory:' ? 'in memory (nothing kept)' : `in ${env.DATA_DIR}/`;
  process.stdout.write(
    [
      `Checkout authorization API listening on ${app.url}`,
      `DynamoDB: ${dynamo ? `DynamoDB Local on ${dynamo.endpoint}, data ${where}` : process.env['DYNAMODB_ENDPOINT']}`,
      `Local admin key (local use only): ${env.ADMIN_API_KEY}`,
      `Notification emails: ${mail ? `saved in ${mail.dir}/` : `sent to ${process.env['SMTP_URL']}`}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    await schedules.stop();
    await events?.stop();
    await app.close();
    await mail?.close();
    await dynamo?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
