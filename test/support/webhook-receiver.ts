/**
 * A webhook receiver on 127.0.0.1 for tests: records every delivery (headers and raw body) and answers 2xx, or
 * fails while `down` (503), as a real receiver that is down for a while would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  id: string;
  headers: Record<string, string>;
  body: string;
  event: { id: string; type: string; accountId: string; createdAt: string; data: Record<string, unknown> };
  /** What the receiver answered. */
  status: number;
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  down = false;
  /** Called on each delivery before it is answered (the crash test kills the consumer from here). */
  onDelivery: ((delivery: Delivery) => void) | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = this.down ? 503 : 204;
        const delivery = {
          id: String(request.headers['webhook-id']),
          headers: flat(request.headers),
          body,
          event: JSON.parse(body),
          status,
        };
        this.deliveries.push(delivery);
        this.onDelivery?.(delivery);
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** The deliveries it accepted (answered 2xx). */
  get accepted(): Delivery[] {
    return this.deliveries.filter((d) => d.status < 300);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
  );
}

/** Polls `done` every 25 ms until it holds, for at most `timeoutMs` (generous: a busy CI machine is slow). */
export async function until(done: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
