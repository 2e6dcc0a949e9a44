/**
 * `npm run bench`: one run, one machine. Starts DynamoDB Local and the local API (a child process running the
 * same handlers as Lambda), then measures the floor (raw authorize-shaped transactions straight to DynamoDB
 * Local), authorize / capture / release end to end over HTTP at concurrency 1, 16 and 64, DynamoDB calls per
 * operation, bundle sizes and cold import time, and limit-refresh throughput. Writes BENCHMARKS.md and prints
 * one JSON line last. Every phase is bounded by request counts, so the run ends on its own in a few minutes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { freePort, startDynamoDbLocal } from '../local/dynamodb-local.js';
import { bundleAll, bundleWithoutSdk, coldImport } from './bundles.js';
import { floorRequests, loadBuilders } from './floor.js';
import { inParallel, runLoad, type LoadResult, type PreparedRequest } from './load.js';
import type { RefreshBench } from './refresh.js';
import { report } from './report.js';

const ROOT = resolve(import.meta.dirname, '..');
const CONCURRENCIES = [1, 16, 64] as const;
/** Requests per measurement: enough for a stable p99 (>= 1,000 samples), few enough for a short run. */
const REQUESTS_AT: Record<number, number> = { 1: 1_500, 16: 6_000, 64: 8_000 };
/** Capture and release are reported, not targeted: fewer requests keep the whole run well under 10 minutes. */
const SETTLE_REQUESTS_AT: Record<number, number> = { 1: 1_000, 16: 3_000, 64: 3_000 };
const WARMUP_REQUESTS = 500;
const ACCOUNTS = 2_000;
/** One account every request of the hot-account run goes to: the worst case for conflicts. */
const HOT_ACCOUNT = 'hot_account';
const HOT_REQUESTS = 3_000;
/** Accounts opened at once while seeding. */
const SEED_CONCURRENCY = 32;
const REFRESH_ACCOUNTS = Number(process.env['BENCH_REFRESH_ACCOUNTS'] ?? 50_000);
/** The nightly mix: the share of accounts whose limit a refresh moves. */
const REFRESH_CHANGED_SHARE = 0.3;
/** The worst case (every limit moves) on a smaller population, beside it. */
const WORST_CASE_ACCOUNTS = 10_000;
const ADMIN_KEY = `bench-${randomUUID()}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date();
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  process.env['TABLE_NAME'] = 'bench';
  let api: ChildProcess | undefined;
  try {
    const accounts = await seed(startedAt);
    // 1. The floor.
    const floor = await measureFloor(dynamo.endpoint, accounts.floor);
    // 2-4. The API, end to end: authorize (and one hot account), then capture and release.
    const port = await freePort();
    api = await startApi(port, dynamo.endpoint);
    const url = `http://127.0.0.1:${port}`;
    const shopKey = await createCheckoutClient(url);
    const { authorize, hot } = await measureAuthorize(url, shopKey, accounts.api);
    const { capture, release } = await measureSettles(url, shopKey, accounts.api);
    api.kill('SIGTERM');
    api = undefined;
    // 5. DynamoDB calls per operation, counted by an SDK middleware on the service's own client.
    const calls = await countCalls();
    log(`  calls per operation: ${JSON.stringify(calls)}`);
    // 6. Bundles and cold import.
    const bundles = await measureBundles();
    // 7. Limit refresh, each population in its own process and table.
    const refreshes = measureRefresh(dynamo.endpoint);

    const summary = summarize(floor, authorize, calls, bundles, refreshes.refresh);
    const measured = { floor, authorize, hot, capture, release, calls, ...bundles, ...refreshes, summary };
    const input = { startedAt, requestsAt: REQUESTS_AT, refreshChangedShare: REFRESH_CHANGED_SHARE };
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), report({ ...input, ...measured }));
    log(`wrote BENCHMARKS.md in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    api?.kill('SIGTERM');
    const { dynamoClient } = await import('../shared/storage/dynamo-client.js');
    dynamoClient.destroy();
    await dynamo.stop();
  }
}

/** The table, an admin client, and the accounts every phase uses (credit far above anything the bench spends). */
async function seed(startedAt: Date): Promise<{ floor: string[]; api: string[] }> {
  const { ensureTable } = await import('../shared/storage/create-table.js');
  await ensureTable('bench');
  const { openAccount } = await import('../shared/accounts/service.js');
  const { putClient } = await import('../shared/clients/repository.js');
  await putClient(
    { id: 'cli_bench_admin', name: 'bench', scopes: ['admin'], createdAt: startedAt.toISOString() },
    ADMIN_KEY,
  );
  const floor = Array.from({ length: ACCOUNTS }, (_, i) => `floor_${i}`);
  const api = Array.from({ length: ACCOUNTS }, (_, i) => `api_${i}`);
  await inParallel([...floor, ...api, HOT_ACCOUNT], SEED_CONCURRENCY, async (id) => {
    await openAccount({ id, currency: 'CNY', creditLimit: 1_000_000_000_000 });
  });
  log(`seeded ${2 * ACCOUNTS + 1} accounts`);
  return { floor, api };
}

/** Raw authorize-shaped transactions straight to DynamoDB Local, at each concurrency. */
async function measureFloor(endpoint: string, accounts: readonly string[]): Promise<LoadResult[]> {
  const builders = await loadBuilders();
  await runLoad('warmup', endpoint, 16, floorRequests(builders, accounts, WARMUP_REQUESTS));
  const floor: LoadResult[] = [];
  for (const c of CONCURRENCIES) {
    floor.push(
      await runLoad(`floor c=${c}`, endpoint, c, floorRequests(builders, accounts, REQUESTS_AT[c]!)),
    );
    log(`  ${describe(floor.at(-1)!)}`);
  }
  return floor;
}

/** Authorize over HTTP at each concurrency, then every request on one hot account. */
async function measureAuthorize(
  url: string,
  shopKey: string,
  accounts: readonly string[],
): Promise<{ authorize: LoadResult[]; hot: LoadResult }> {
  await runLoad('warmup', url, 16, authorizeRequests(shopKey, accounts, WARMUP_REQUESTS));
  const authorize: LoadResult[] = [];
  for (const c of CONCURRENCIES) {
    authorize.push(
      await runLoad(`authorize c=${c}`, url, c, authorizeRequests(shopKey, accounts, REQUESTS_AT[c]!)),
    );
    log(`  ${describe(authorize.at(-1)!)}`);
  }
  const hotRequests = authorizeRequests(shopKey, [HOT_ACCOUNT], HOT_REQUESTS);
  const hot = await runLoad('authorize, one hot account c=16', url, 16, hotRequests);
  log(`  ${describe(hot)}`);
  return { authorize, hot };
}

/** Capture and release at each concurrency, each on holds made for it just before. */
async function measureSettles(
  url: string,
  shopKey: string,
  accounts: readonly string[],
): Promise<{ capture: LoadResult[]; release: LoadResult[] }> {
  const capture: LoadResult[] = [];
  const release: LoadResult[] = [];
  for (const c of CONCURRENCIES) {
    const n = SETTLE_REQUESTS_AT[c]!;
    const holds = await makeHolds(url, shopKey, accounts, 2 * n);
    capture.push(
      await runLoad(`capture c=${c}`, url, c, settleRequests(shopKey, holds.slice(0, n), 'capture')),
    );
    log(`  ${describe(capture.at(-1)!)}`);
    release.push(await runLoad(`release c=${c}`, url, c, settleRequests(shopKey, holds.slice(n), 'release')));
    log(`  ${describe(release.at(-1)!)}`);
  }
  return { capture, release };
}

/** Every function's bundle, authorize's with the runtime's SDK instead, and both cold imports. */
async function measureBundles() {
  const bundleDir = join(ROOT, '.bench', 'bundles');
  const bundles = await bundleAll(ROOT, bundleDir);
  const authorizeBundle = bundles.find((b) => b.name === 'authorizations-create')!;
  const runtimeSdkKiB = await bundleWithoutSdk(
    ROOT,
    join(ROOT, 'functions/http/authorizations-create.ts'),
    join(bundleDir, 'authorize-runtime-sdk.mjs'),
  );
  const cold = coldImport(join(bundleDir, 'authorizations-create.mjs'), bundleDir);
  const coldRuntimeSdk = coldImport(join(bundleDir, 'authorize-runtime-sdk.mjs'), bundleDir);
  log(
    `  authorize bundle ${authorizeBundle.kib.toFixed(1)} KiB (runtime SDK variant ${runtimeSdkKiB.toFixed(1)} KiB); cold import ratio ${cold.ratio.toFixed(2)}`,
  );
  return { bundles, authorizeBundle, runtimeSdkKiB, cold, coldRuntimeSdk };
}

/** The nightly mix on the full population, and the worst case (every limit moves) on a smaller one. */
function measureRefresh(endpoint: string): { refresh: RefreshBench; worst: RefreshBench } {
  const refresh = runRefreshBench(endpoint, REFRESH_ACCOUNTS, REFRESH_CHANGED_SHARE);
  log(
    `  refresh ${refresh.refreshAccountsPerSecond.toFixed(0)} accounts/s vs floor ${refresh.floorUpdatesPerSecond.toFixed(0)} updates/s`,
  );
  const worst = runRefreshBench(endpoint, WORST_CASE_ACCOUNTS, 1);
  log(
    `  refresh, every limit moving: ${worst.refreshAccountsPerSecond.toFixed(0)} accounts/s vs ${worst.floorUpdatesPerSecond.toFixed(0)}`,
  );
  return { refresh, worst };
}

/** The numbers the targets are about: ratios at c=16, calls, sizes. */
function summarize(
  floor: LoadResult[],
  authorize: LoadResult[],
  calls: Record<string, number>,
  bundles: Awaited<ReturnType<typeof measureBundles>>,
  refresh: RefreshBench,
): Record<string, number | undefined> {
  const at16 = (rows: LoadResult[]) => rows.find((r) => r.concurrency === 16)!;
  return {
    authorizeP50Ratio: round(at16(authorize).p50Ms / at16(floor).p50Ms),
    authorizeP99Ratio: round(at16(authorize).p99Ms / at16(floor).p99Ms),
    authorizeThroughputRatio: round(at16(authorize).opsPerSecond / at16(floor).opsPerSecond),
    dynamoCallsPerAuthorize: calls['authorize'],
    authorizeBundleKiB: round(bundles.authorizeBundle.kib),
    coldImportRatio: round(bundles.cold.ratio),
    refreshRatio: round(refresh.ratio),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
const describe = (r: LoadResult) =>
  `${r.label}: ${r.opsPerSecond.toFixed(0)} ops/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, statuses ${JSON.stringify(r.statuses)}`;

function runRefreshBench(endpoint: string, accounts: number, changedShare: number): RefreshBench {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/refresh.ts', String(accounts), String(changedShare)],
    {
      cwd: ROOT,
      env: { ...process.env, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: `refresh_${randomUUID().slice(0, 8)}` },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1024 * 1024,
    },
  );
  if (result.status !== 0) throw new Error(`refresh bench exited ${result.status}`);
  return JSON.parse(result.stdout.toString().trim().split('\n').at(-1)!) as RefreshBench;
}

function startApi(port: number, endpoint: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      ADMIN_API_KEY: ADMIN_KEY,
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: 'bench',
      // The bench measures the authorize path, not the velocity rule: never decline for velocity here.
      VELOCITY_MAX: '1000000',
      EXPIRY_SWEEP_INTERVAL_SECONDS: '86400',
      LIMIT_REFRESH_INTERVAL_SECONDS: String(24 * 86_400),
    },
  });
  return new Promise((resolveStart, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('listening on')) resolveStart(child);
    });
    child.once('exit', (code) => reject(new Error(`API exited early with code ${code}`)));
  });
}

async function createCheckoutClient(url: string): Promise<string> {
  const response = await fetch(`${url}/v1/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench shop', scopes: ['checkout'] }),
  });
  return ((await response.json()) as { apiKey: string }).apiKey;
}

function authorizeRequests(key: string, accounts: readonly string[], count: number): PreparedRequest[] {
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

async function makeHolds(
  url: string,
  key: string,
  accounts: readonly string[],
  count: number,
): Promise<string[]> {
  const holds: string[] = [];
  const requests = authorizeRequests(key, accounts, count);
  await inParallel(requests, 64, async (r) => {
    const response = await fetch(url + r.path, {
      method: r.method,
      headers: r.headers,
      body: r.body ?? null,
    });
    holds.push(((await response.json()) as { id: string }).id);
  });
  return holds;
}

function settleRequests(
  key: string,
  holds: readonly string[],
  action: 'capture' | 'release',
): PreparedRequest[] {
  return holds.map((id) => ({
    method: 'POST' as const,
    path: `/v1/authorizations/${id}/${action}`,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: '{}',
  }));
}

/** Runs each operation once against an in-process app and counts the DynamoDB commands it sent. */
async function countCalls(): Promise<Record<string, number>> {
  const { dynamoClient } = await import('../shared/storage/dynamo-client.js');
  const { startApp } = await import('../local/app.js');
  let sent = 0;
  dynamoClient.middlewareStack.add(
    (next) => (args) => {
      sent += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
  const app = await startApp({ port: 0, adminApiKey: ADMIN_KEY });
  const counts: Record<string, number> = {};
  const measure: Measure = async (name, fn) => {
    sent = 0;
    const result = await fn();
    counts[name] = sent;
    return result;
  };
  try {
    const call = caller(app.url);
    const shopKey = await prepareCounting(call);
    const holdId = await countAuthorizes(call, measure, shopKey);
    await countOthers(call, measure, shopKey, holdId);
  } finally {
    await app.close();
  }
  return counts;
}

type Json = Record<string, any>;
type Call = (method: string, path: string, key: string, body?: unknown) => Promise<Json>;
/** Runs `fn` and records under `name` the DynamoDB commands it sent. */
type Measure = (name: string, fn: () => Promise<Json>) => Promise<Json>;

/** One JSON call with a fresh Idempotency-Key. */
function caller(url: string): Call {
  return async (method, path, key, body) => {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await response.json()) as Json;
  };
}

/** A shop key (resolved and cached before counting, as API Gateway caches it) and a fresh account. */
async function prepareCounting(call: Call): Promise<string> {
  const shop = (await call('POST', '/v1/clients', ADMIN_KEY, {
    name: 'count',
    scopes: ['checkout', 'servicing'],
  })) as { apiKey: string };
  await call('POST', '/v1/accounts', ADMIN_KEY, {
    id: 'count_fresh',
    currency: 'CNY',
    creditLimit: 1_000_000,
  });
  await call('GET', '/v1/accounts/count_fresh', shop.apiKey); // the key is now resolved and cached
  return shop.apiKey;
}

/** The three authorize cases of the velocity window; answers the first hold's id. */
async function countAuthorizes(call: Call, measure: Measure, shopKey: string): Promise<string> {
  const authorize = (accountId: string, orderId: string) => () =>
    call('POST', '/v1/authorizations', shopKey, { accountId, amount: 500, currency: 'CNY', orderId });
  // The typical checkout: the account's first hold in this velocity window.
  const hold = await measure('authorize', authorize('count_fresh', 'count'));
  // The same account again from this process: it remembers the window, still one call.
  await measure('authorizeSameWindow', authorize('count_fresh', 'count-2'));
  // An account another process (the API child) used this minute: this process guesses the window shape wrong once.
  await measure('authorizeOtherProcessSameWindow', authorize('api_0', 'count-3'));
  return hold['id'] as string;
}

/** Everything done to a hold after it is made, a repayment, and the two reads. */
async function countOthers(call: Call, measure: Measure, shopKey: string, holdId: string): Promise<void> {
  const hold = `/v1/authorizations/${holdId}`;
  await measure('increment', () => call('POST', `${hold}/increment`, shopKey, { amount: 100 }));
  await measure('capture', () => call('POST', `${hold}/capture`, shopKey, { amount: 300, final: false }));
  await measure('release', () => call('POST', `${hold}/release`, shopKey, {}));
  await measure('refund', () => call('POST', `${hold}/refunds`, shopKey, { amount: 100 }));
  await measure('repayment', () =>
    call('POST', '/v1/accounts/api_0/repayments', shopKey, { amount: 100, currency: 'CNY' }),
  );
  await measure('getAuthorization', () => call('GET', hold, shopKey));
  await measure('getAccount', () => call('GET', '/v1/accounts/api_0', shopKey));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
