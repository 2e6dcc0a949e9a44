/**
 * Webhook deliveries, the Standard Webhooks way: `POST url` with the event as body and `webhook-id` (the event's
 * id), `webhook-timestamp` and `webhook-signature` headers, signed by the `standardwebhooks` package with the
 * endpoint's secret. At least once: any non-2xx answer, network error or timeout is retried with exponential
 * backoff; per account in commit order: an account's next event waits for the one before it (a lane per endpoint
 * and account). An endpoint that has failed every delivery for WEBHOOK_DISABLE_AFTER_MS is disabled and says why.
 */
import { Webhook } from 'standardwebhooks';
import { config } from '../config.js';
import { logger } from '../observability/logger.js';
import type { DomainEvent } from './model.js';
import { disableWebhookEndpoint, subscribes, type WebhookEndpoint } from './webhooks.js';

/** A receiver gets this long to answer one delivery. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/** The headers and body of one delivery attempt. */
export function signedDelivery(event: DomainEvent, secret: string, now: Date = new Date()) {
  const body = JSON.stringify(event);
  const signature = new Webhook(secret).sign(event.id, now, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

export type DeliveryOutcome = { ok: true } | { ok: false; why: string };

export async function deliver(event: DomainEvent, endpoint: WebhookEndpoint): Promise<DeliveryOutcome> {
  const { body, headers } = signedDelivery(event, endpoint.secret);
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? { ok: true } : { ok: false, why: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.name : 'error' };
  }
}

/** The wait before attempt `attempt + 1` after `attempt` failures: base, 2×base, 4×base, ... up to an hour. */
export function retryDelayMs(attempt: number, baseMs: number = config.webhookRetryBaseMs): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
}

/** Something waiting on deliveries: told once each delivery it was handed is done (delivered or dropped). */
export interface DeliveryWaiter {
  done(): void;
}

interface Queued {
  event: DomainEvent;
  waiter: DeliveryWaiter;
}

interface Lane {
  endpoint: WebhookEndpoint;
  queue: Queued[];
  attempts: number;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export interface DeliveriesOptions {
  send?: typeof deliver;
  now?: () => number;
  disableAfterMs?: number;
  retryBaseMs?: number;
  /** Records that an endpoint is disabled (the endpoint item, by default). */
  disable?: (endpointId: string, reason: string, nowIso: string) => Promise<void>;
}

/**
 * In-process delivery lanes (the local pipeline; in AWS an SQS FIFO message group per account does the same).
 * Everything it talks to is injectable for tests.
 */
export class Deliveries {
  private readonly lanes = new Map<string, Lane>();
  /** Since when each endpoint has failed every attempt (absent: its last attempt succeeded). */
  private readonly failingSince = new Map<string, number>();
  private stopped = false;
  private readonly send: typeof deliver;
  private readonly now: () => number;
  private readonly disableAfterMs: number;
  private readonly retryBaseMs: number;
  private readonly recordDisabled: NonNullable<DeliveriesOptions['disable']>;

  constructor(options: DeliveriesOptions = {}) {
    this.send = options.send ?? deliver;
    this.now = options.now ?? Date.now;
    this.disableAfterMs = options.disableAfterMs ?? config.webhookDisableAfterMs;
    this.retryBaseMs = options.retryBaseMs ?? config.webhookRetryBaseMs;
    this.recordDisabled = options.disable ?? disableWebhookEndpoint;
  }

  /** Queues each event for every endpoint that subscribes to it; `waiter` hears once per queued delivery. */
  enqueue(
    events: readonly DomainEvent[],
    endpoints: readonly WebhookEndpoint[],
    waiter: DeliveryWaiter,
  ): number {
    let queued = 0;
    for (const event of events)
      for (const endpoint of endpoints) {
        if (!subscribes(endpoint, event.type)) continue;
        const key = `${endpoint.id}|${event.accountId}`;
        const lane = this.lanes.get(key) ?? { endpoint, queue: [], attempts: 0, busy: false };
        this.lanes.set(key, lane);
        lane.queue.push({ event, waiter });
        queued += 1;
        this.pump(key, lane);
      }
    return queued;
  }

  /** Deliveries queued and not yet done. */
  get pending(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.queue.length;
    return count;
  }

  /** Drops the lanes of endpoints no longer enabled (deleted, or disabled elsewhere); their waiters hear. */
  retain(endpoints: readonly WebhookEndpoint[]): void {
    const live = new Set(endpoints.filter((e) => e.status === 'enabled').map((e) => e.id));
    for (const [key, lane] of this.lanes)
      if (!live.has(lane.endpoint.id)) {
        clearTimeout(lane.timer);
        for (const queued of lane.queue.splice(0)) queued.waiter.done();
        this.lanes.delete(key);
      }
  }

  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) clearTimeout(lane.timer);
  }

  private pump(key: string, lane: Lane): void {
    if (lane.busy || lane.timer || this.stopped) return;
    const head = lane.queue[0];
    if (!head) {
      this.lanes.delete(key);
      return;
    }
    lane.busy = true;
    void this.attempt(key, lane, head).finally(() => {
      lane.busy = false;
      this.pump(key, lane);
    });
  }

  private async attempt(key: string, lane: Lane, head: Queued): Promise<void> {
    const outcome = await this.send(head.event, lane.endpoint);
    if (this.stopped) return;
    if (outcome.ok) {
      this.failingSince.delete(lane.endpoint.id);
      lane.attempts = 0;
      lane.queue.shift();
      head.waiter.done();
      return;
    }
    lane.attempts += 1;
    const since = this.failingSince.get(lane.endpoint.id) ?? this.now();
    this.failingSince.set(lane.endpoint.id, since);
    if (this.now() - since >= this.disableAfterMs) return this.disable(lane.endpoint, outcome.why);
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        this.pump(key, lane);
      },
      retryDelayMs(lane.attempts, this.retryBaseMs),
    );
  }

  /** Drops every queued delivery to the endpoint (each waiter hears) and records why it stopped. */
  private async disable(endpoint: WebhookEndpoint, why: string): Promise<void> {
    const reason = `Every delivery failed for ${duration(this.disableAfterMs)} or more (last: ${why}).`;
    for (const [key, lane] of this.lanes)
      if (lane.endpoint.id === endpoint.id) {
        clearTimeout(lane.timer);
        for (const queued of lane.queue.splice(0)) queued.waiter.done();
        this.lanes.delete(key);
      }
    this.failingSince.delete(endpoint.id);
    await this.recordDisabled(endpoint.id, reason, new Date(this.now()).toISOString());
    logger.warn('webhook endpoint disabled', { endpointId: endpoint.id, reason });
  }
}

/** `3 days`, `5 h`, `2 min`: how long an endpoint failed, in its largest whole unit. */
function duration(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} days`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}
