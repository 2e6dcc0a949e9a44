/**
 * The API under measurement: `local/start.ts` in a child process (as `npm start` runs it), on DynamoDB Local, with
 * the deployed deadlines (LOCAL_TIME_SCALE=1), no background job running during the load, and nothing kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort, startDynamoDbLocal } from '../local/dynamodb-local.js';
import { type LagReceiver, startLagReceiver, subscribe } from './events.js';
import { inParallel, type PreparedRequest } from './load.js';

const benchLog = (line: string) => process.stderr.write(`${line}\n`);

export interface ApiSettings {
  port: number;
  endpoint: string;
  adminKey: string;
  tableName: string;
  /** VELOCITY_MAX: '0' turns the rule off where a few accounts take every hold of a run. */
  velocityMax: string;
  /** 'off': this API runs no event consumer (another API process on the same table runs one). */
  eventConsumer?: 'on' | 'off';
}

/** Resolves once the API listens; rejects if it exits before. */
export function startApi(s: ApiSettings): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PORT: String(s.port),
      ADMIN_API_KEY: s.adminKey,
      DYNAMODB_ENDPOINT: s.endpoint,
      TABLE_NAME: s.tableName,
      LOCAL_TIME_SCALE: '1',
      // Nothing kept in the checkout's .data/ (what `npm start` keeps): the risk settings document lives there,
      // and the first process to start writes its defaults, which every later one applies over its own
      // VELOCITY_MAX. In memory, each API applies the rules it is started with.
      DATA_DIR: ':memory:',
      VELOCITY_MAX: s.velocityMax,
      EVENT_CONSUMER: s.eventConsumer ?? 'on',
      EXPIRY_SWEEP_INTERVAL_SECONDS: '86400',
      LIMIT_REFRESH_INTERVAL_SECONDS: String(24 * 86_400),
    },
  });
  return new Promise((resolveStart, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on')) resolveStart(child);
    });
    child.once('exit', (code) => reject(new Error(`API exited early with code ${code}`)));
  });
}

/** What a feature's measurement runs against: the API, its keys and accounts opened for it. */
export interface Target {
  url: string;
  adminKey: string;
  shopKey: string;
  accounts: readonly string[];
  log: (line: string) => void;
}

async function adminPost(
  url: string,
  adminKey: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${adminKey}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A measurement's own API: its table, and what it runs with (ApiSettings) besides the defaults below. */
export interface ApartSettings {
  tableName: string;
  accountPrefix: string;
  accountCount: number;
  /** VELOCITY_MAX; '0' (the rule off) unless given. */
  velocityMax?: string;
  /** Subscribes a webhook receiver to `authorization.created` first, so events flow while it measures. */
  events?: boolean;
}

/**
 * `measure` on an API and a DynamoDB Local of its own (in memory): a checkout key and `accountCount` accounts
 * opened for it, everything stopped after.
 */
export async function withApiApart<R>(s: ApartSettings, measure: (t: Target) => Promise<R>): Promise<R> {
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  process.env['TABLE_NAME'] = s.tableName;
  const adminKey = `bench-${randomUUID()}`;
  let api: ChildProcess | undefined;
  let receiver: LagReceiver | undefined;
  try {
    const port = await freePort();
    api = await startApi({
      port,
      endpoint: dynamo.endpoint,
      adminKey,
      tableName: s.tableName,
      velocityMax: s.velocityMax ?? '0',
    });
    const url = `http://127.0.0.1:${port}`;
    const shop = await adminPost(url, adminKey, '/v1/clients', { name: 'bench shop', scopes: ['checkout'] });
    if (s.events) receiver = await subscribe(url, adminKey, await startLagReceiver());
    const accounts = Array.from({ length: s.accountCount }, (_, i) => `${s.accountPrefix}_${i}`);
    await inParallel(accounts, 8, async (id) => {
      const opened = await adminPost(url, adminKey, '/v1/accounts', {
        id,
        currency: 'CNY',
        creditLimit: 1_000_000_000_000,
      });
      if (opened['id'] !== id) throw new Error(`opening account ${id}: ${JSON.stringify(opened)}`);
    });
    return await measure({ url, adminKey, shopKey: String(shop['apiKey']), accounts, log: benchLog });
  } finally {
    api?.kill('SIGTERM');
    await receiver?.close();
    await dynamo.stop();
  }
}

/**
 * A feature's bench run alone (`npx tsx bench/<feature>.ts`): `measure` on its own API (withApiApart, the
 * velocity rule off: a few accounts take every hold), its summary printed as one JSON line.
 */
export async function runAlone(
  s: ApartSettings,
  measure: (t: Target) => Promise<Record<string, number>>,
): Promise<void> {
  process.stdout.write(`${JSON.stringify(await withApiApart(s, measure))}\n`);
}

/** A checkout client created with the admin key; answers its API key. */
export async function createCheckoutClient(url: string, adminKey: string): Promise<string> {
  const response = await fetch(`${url}/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench shop', scopes: ['checkout'] }),
  });
  return ((await response.json()) as { apiKey: string }).apiKey;
}

/** `count` holds of 1.00 over `accounts` (round robin), each with its own Idempotency-Key. */
export function authorizeRequests(
  key: string,
  accounts: readonly string[],
  count: number,
): PreparedRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    method: 'POST' as const,
    path: '/v1/authorizations',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({
      accountId: accounts[i % accounts.length],
      amount: 100,
      currency: 'CNY',
      orderId: `o-${i}`,
    }),
  }));
}
