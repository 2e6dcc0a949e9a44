/**
 * The API under measurement: `local/start.ts` in a child process (as `npm start` runs it), on DynamoDB Local, with
 * the deployed deadlines (LOCAL_TIME_SCALE=1) and no background job running during the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ApiSettings {
  port: number;
  endpoint: string;
  adminKey: string;
  tableName: string;
  /** VELOCITY_MAX: '0' turns the rule off where a few accounts take every hold of a run. */
  velocityMax: string;
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
      VELOCITY_MAX: s.velocityMax,
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
