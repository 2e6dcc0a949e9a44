/**
 * `npm start` runs the event consumer (local/event-consumer.ts) as a child process and restarts it when it dies,
 * as Lambda retries a failed stream batch: the consumer's checkpoint makes a restart lose nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { logger } from '../shared/observability/logger.js';

/** Waits before a restart: long enough not to spin on a consumer that fails at once, short for a local run. */
const RESTART_DELAY_MS = 1_000;

export function superviseEventConsumer(): { stop: () => Promise<void> } {
  let child: ChildProcess | undefined;
  let stopping = false;
  const start = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'local/event-consumer.ts'], {
      cwd: resolve(import.meta.dirname, '..'),
      env: process.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      logger.warn('event consumer exited; restarting it', { code, signal });
      setTimeout(start, RESTART_DELAY_MS).unref();
    });
  };
  start();
  return {
    stop: async () => {
      stopping = true;
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolveExit) => {
        running.once('exit', () => resolveExit());
        running.kill('SIGTERM');
      });
    },
  };
}
