/**
 * CPU time per request of the processes a request runs through, from /proc/<pid>/stat (utime + stime): the API
 * (the `local/start.ts` child listening on the bench's port), DynamoDB Local's JVM (the `java` process given that
 * port) and this process (the load generator). On a shared machine wall-clock latency moves with others' load;
 * CPU per request does not, so it says where a feature's cost is.
 *
 * Linux only: elsewhere (or when a process is not found) `findProcesses` answers undefined and nothing is measured.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface Processes {
  api: number;
  java: number;
}

export interface CpuPerRequest {
  /** Milliseconds of CPU per request. */
  apiMs: number;
  javaMs: number;
  loadMs: number;
  totalMs: number;
}

const cpuMsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
};

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The API serving `apiPort` and the DynamoDB Local serving `dynamoPort`, by their command lines and env. */
export function findProcesses(apiPort: number, dynamoPort: number): Processes | undefined {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return undefined;
  }
  let api: number | undefined;
  let java: number | undefined;
  for (const pid of pids) {
    const args = readOr(`/proc/${pid}/cmdline`).split('\0');
    if (args.includes('local/start.ts') && readOr(`/proc/${pid}/environ`).includes(`\0PORT=${apiPort}\0`))
      api = pid;
    if (args[0]?.endsWith('java') && args.includes(String(dynamoPort)) && args.includes('-port')) java = pid;
  }
  return api && java ? { api, java } : undefined;
}

/** Runs `work` (which makes `requests` requests) and answers its CPU per request in each process. */
export async function cpuPerRequest<T>(
  p: Processes,
  requests: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: CpuPerRequest }> {
  const api0 = cpuMsOf(p.api);
  const java0 = cpuMsOf(p.java);
  const load0 = process.cpuUsage();
  const result = await work();
  const load = process.cpuUsage(load0);
  const apiMs = (cpuMsOf(p.api) - api0) / requests;
  const javaMs = (cpuMsOf(p.java) - java0) / requests;
  const loadMs = (load.user + load.system) / 1000 / requests;
  return { result, cpu: { apiMs, javaMs, loadMs, totalMs: apiMs + javaMs + loadMs } };
}

/** The mean of several measurements' CPU per request. */
export function meanCpu(all: readonly CpuPerRequest[]): CpuPerRequest {
  const mean = (f: (c: CpuPerRequest) => number) => all.reduce((s, c) => s + f(c), 0) / all.length;
  return {
    apiMs: mean((c) => c.apiMs),
    javaMs: mean((c) => c.javaMs),
    loadMs: mean((c) => c.loadMs),
    totalMs: mean((c) => c.totalMs),
  };
}

export const describeCpu = (c: CpuPerRequest): string =>
  `api ${c.apiMs.toFixed(2)} + java ${c.javaMs.toFixed(2)} + load ${c.loadMs.toFixed(2)} = ${c.totalMs.toFixed(2)} ms CPU/request`;
