/**
 * Event lag under load (issue 15): a webhook receiver in the bench process, subscribed to
 * `authorization.created`, timestamps every delivery. Lag = received − the hold's `createdAt` (the service's own
 * stamp, taken just before its write commits, so the lag counts a little of the write too: conservative). The
 * endpoint is registered before the authorize rounds, so every authorize target of the run is measured with events
 * flowing: the API child's event consumer (a process of its own, as `npm start` runs it) maps and stores each
 * change and delivers it here, during floor rounds (the floor writes the same items) and authorize rounds alike.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './load.js';

export interface LagReceiver {
  url: string;
  /** Deliveries received: event id → [createdAt ms, received ms, account] (the first delivery of each id). */
  received: Map<string, [number, number, string]>;
  /** Deliveries received in all, redeliveries included. */
  deliveries: () => number;
  close: () => Promise<void>;
}

export async function startLagReceiver(): Promise<LagReceiver> {
  const received = new Map<string, [number, number, string]>();
  let deliveries = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      deliveries += 1;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: string;
        createdAt: string;
        accountId: string;
      };
      if (!received.has(event.id)) received.set(event.id, [Date.parse(event.createdAt), at, event.accountId]);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    deliveries: () => deliveries,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Subscribes the receiver to `authorization.created` through the API (as an admin would); answers it. */
export async function subscribe(url: string, adminKey: string, receiver: LagReceiver): Promise<LagReceiver> {
  const response = await fetch(`${url}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['authorization.created'], description: 'bench lag' }),
  });
  if (response.status !== 201)
    throw new Error(`webhook endpoint: ${response.status} ${await response.text()}`);
  return receiver;
}

export interface EventLag {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Holds made in the window whose event had not arrived when the bench stopped waiting. */
  missing: number;
}

/**
 * Waits (bounded) until `expected` events of holds the API made in [fromMs, toMs] on accounts starting with
 * `accountPrefix` have arrived, then their lag percentiles. Only the API's holds: the floor prepares its items (and
 * their `createdAt`) before its round, so their stamps say nothing of when they were written.
 */
export async function eventLag(
  receiver: LagReceiver,
  window: { fromMs: number; toMs: number; expected: number; accountPrefix: string },
  waitMs = 60_000,
): Promise<EventLag> {
  const inWindow = () =>
    [...receiver.received.values()].filter(
      ([made, , account]) =>
        made >= window.fromMs && made <= window.toMs && account.startsWith(window.accountPrefix),
    );
  const deadline = Date.now() + waitMs;
  while (inWindow().length < window.expected && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const lags = inWindow()
    .map(([made, at]) => at - made)
    .sort((a, b) => a - b);
  return {
    samples: lags.length,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    maxMs: lags.at(-1) ?? 0,
    missing: Math.max(0, window.expected - lags.length),
  };
}
