/**
 * A fault-injecting HTTP proxy in front of DynamoDB (Local): point DYNAMODB_ENDPOINT at it and it answers some
 * requests itself the way DynamoDB does under stress — TransactionConflict cancellations, throttling, internal
 * errors — or forwards a write and then drops the response after DynamoDB committed it. DynamoDB Local never
 * does any of these on its own; this is how tests and the simulation prove retries keep every invariant.
 * Faults are drawn from a seeded PRNG, so a failing run replays from its seed.
 */
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from 'zod';

const FaultRatesSchema = z.strictObject({
  transactionConflict: z.number().min(0).max(1),
  throttle: z.number().min(0).max(1),
  dropResponseAfterCommit: z.number().min(0).max(1),
  internalError: z.number().min(0).max(1),
});
export type FaultRates = z.infer<typeof FaultRatesSchema>;

const NO_FAULTS: FaultRates = { transactionConflict: 0, throttle: 0, dropResponseAfterCommit: 0, internalError: 0 };
/** DynamoDB requests are at most 16 MiB (BatchWrite); refuse anything larger rather than buffer it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const WRITES = new Set(['TransactWriteItems', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.0' };

export interface FaultStats {
  forwarded: number;
  injected: Record<keyof FaultRates, number>;
  byOperation: Record<string, number>;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  setFaults(rates: Partial<FaultRates>): void;
  stats(): FaultStats;
  close(): Promise<void>;
}

/** mulberry32: a tiny, well-known seeded PRNG (uniform in [0, 1)). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function conflictBody(body: string, random: () => number): string {
  let items = 1;
  try {
    items = Math.max(1, (JSON.parse(body) as { TransactItems?: unknown[] }).TransactItems?.length ?? 1);
  } catch {
    /* a malformed request still gets a well-formed conflict */
  }
  const conflicted = Math.floor(random() * items);
  const reasons = Array.from({ length: items }, (_, i) =>
    i === conflicted ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
  );
  return JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    CancellationReasons: reasons,
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request too large for the fault proxy');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startFaultProxy(options: { target: string; seed?: number; faults?: Partial<FaultRates> }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = prng(options.seed ?? 1);
  let rates: FaultRates = FaultRatesSchema.parse({ ...NO_FAULTS, ...options.faults });
  const stats: FaultStats = { forwarded: 0, injected: { ...NO_FAULTS }, byOperation: {} };
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'connection') out[k] = String(v);
            resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const answer = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { ...AMZ_JSON, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
      if (operation === 'TransactWriteItems' && random() < rates.transactionConflict) {
        stats.injected.transactionConflict += 1;
        return answer(res, 400, conflictBody(body.toString('utf8'), random));
      }
      if (random() < rates.throttle) {
        stats.injected.throttle += 1;
        return answer(res, 400, JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }));
      }
      if (random() < rates.internalError) {
        stats.injected.internalError += 1;
        return answer(res, 500, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' }));
      }
      const dropAfterCommit = WRITES.has(operation) && random() < rates.dropResponseAfterCommit;
      const upstream = await forward(req, body);
      stats.forwarded += 1;
      if (dropAfterCommit) {
        stats.injected.dropResponseAfterCommit += 1;
        req.socket.destroy(); // DynamoDB committed; the caller never hears about it
        return;
      }
      res.writeHead(upstream.status, upstream.headers);
      res.end(upstream.body);
    })().catch(() => {
      if (!res.headersSent) answer(res, 500, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'proxy error' }));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setFaults: (next) => {
      rates = FaultRatesSchema.parse({ ...rates, ...next });
    },
    stats: () => structuredClone(stats),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
