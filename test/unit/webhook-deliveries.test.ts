/**
 * Webhook delivery lanes (shared/events/delivery.ts): per account in order, retried with exponential backoff, an
 * endpoint failing for too long disabled; and the signature, checked by the `standardwebhooks` verifier.
 */
import { Webhook } from 'standardwebhooks';
import {
  Deliveries,
  type DeliveryOutcome,
  retryDelayMs,
  signedDelivery,
} from '../../shared/events/delivery.js';
import type { DomainEvent } from '../../shared/events/model.js';
import { allowedWebhookUrl, newWebhookSecret, type WebhookEndpoint } from '../../shared/events/webhooks.js';

const event = (id: string, accountId: string): DomainEvent => ({
  id,
  object: 'event',
  type: 'authorization.created',
  createdAt: '2026-12-01T00:00:00.000Z',
  accountId,
  data: { id: `auth_${id}` },
});
const endpoint = (events: string[] = ['*']): WebhookEndpoint => ({
  id: 'we_1',
  url: 'https://example.com/hook',
  events,
  secret: newWebhookSecret(),
  status: 'enabled',
  createdAt: '2026-12-01T00:00:00.000Z',
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !done(); i += 1) await settle();
  expect(done()).toBe(true);
}

describe('delivery lanes', () => {
  it('holds an account’s next event until the one before it is delivered; other accounts go on', async () => {
    const attempts: string[] = [];
    let failuresLeft = 3;
    const send = async (e: DomainEvent): Promise<DeliveryOutcome> => {
      attempts.push(e.id);
      if (e.id === 'a1' && failuresLeft > 0) {
        failuresLeft -= 1;
        return { ok: false, why: 'HTTP 503' };
      }
      return { ok: true };
    };
    let done = 0;
    const lanes = new Deliveries({ send, retryBaseMs: 1, disable: async () => undefined });
    const queued = lanes.enqueue([event('a1', 'A'), event('a2', 'A'), event('b1', 'B')], [endpoint()], {
      done: () => (done += 1),
    });
    expect(queued).toBe(3);
    await until(() => done === 3);
    expect(attempts.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a1', 'a1', 'a1', 'a2']);
    expect(attempts.indexOf('b1')).toBeLessThan(attempts.lastIndexOf('a1'));
    expect(lanes.pending).toBe(0);
    lanes.stop();
  });

  it('queues only the types an endpoint subscribes to, and nothing for a disabled one', () => {
    const lanes = new Deliveries({ send: () => new Promise(() => undefined) });
    const waiter = { done: () => undefined };
    expect(lanes.enqueue([event('x', 'A')], [endpoint(['account.frozen'])], waiter)).toBe(0);
    expect(lanes.enqueue([event('y', 'A')], [{ ...endpoint(), status: 'disabled' }], waiter)).toBe(0);
    expect(lanes.enqueue([event('z', 'A')], [endpoint(['authorization.created'])], waiter)).toBe(1);
    lanes.stop();
  });

  it('disables an endpoint that failed every attempt for the configured time, and drops what it held', async () => {
    let now = 0;
    const disabled: string[] = [];
    const lanes = new Deliveries({
      send: async () => {
        now += 60_000;
        return { ok: false, why: 'HTTP 500' };
      },
      now: () => now,
      retryBaseMs: 1,
      disableAfterMs: 300_000,
      disable: async (id, reason) => void disabled.push(`${id}: ${reason}`),
    });
    let done = 0;
    lanes.enqueue([event('a1', 'A'), event('a2', 'A')], [endpoint()], { done: () => (done += 1) });
    await until(() => disabled.length === 1);
    expect(disabled[0]).toMatch(/^we_1: Every delivery failed for 5 min or more \(last: HTTP 500\)\.$/);
    expect(done).toBe(2);
    expect(lanes.pending).toBe(0);
    lanes.stop();
  });

  it('backs off exponentially, up to an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(40, 30_000)).toBe(3_600_000);
  });
});

describe('signatures and URLs', () => {
  it('signs so that the standardwebhooks verifier accepts the delivery, and refuses another secret', () => {
    const secret = newWebhookSecret();
    const { body, headers } = signedDelivery(event('evt_1', 'A'), secret, new Date());
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ id: 'evt_1' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('accepts https anywhere and http only to the loopback on the local server', () => {
    expect(allowedWebhookUrl('https://hooks.example.com/a', false)).toBe(true);
    expect(allowedWebhookUrl('http://127.0.0.1:8080/a', true)).toBe(true);
    expect(allowedWebhookUrl('http://127.0.0.1:8080/a', false)).toBe(false);
    expect(allowedWebhookUrl('http://example.com/a', true)).toBe(false);
    expect(allowedWebhookUrl('ftp://example.com/a', true)).toBe(false);
    expect(allowedWebhookUrl('not a url', true)).toBe(false);
  });
});
