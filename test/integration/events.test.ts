/**
 * Events and webhooks on the local stack (API "Events, webhooks and customer notifications"): every change the
 * API makes comes out of the table's change stream as an event, is listed by GET /v1/events in order, and is
 * delivered to each subscribed endpoint signed the Standard Webhooks way, verified here by the `standardwebhooks`
 * package itself. A receiver that is down for a while gets every event afterwards, in order per account.
 */
import { Webhook } from 'standardwebhooks';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { until, WebhookReceiver } from '../support/webhook-receiver.js';

const app = await startTestApp(
  { WEBHOOK_RETRY_BASE_MS: '20', TABLE_STREAM: 'on' },
  { journalClock: 'settled' },
);
const api = new Api(app.url);
const { EventConsumer, ENDPOINTS_MAX_AGE_MS } = await import('../../local/events.js');
const consumer = new EventConsumer();
consumer.start();
const receiver = await new WebhookReceiver().start();
afterAll(async () => {
  await consumer.stop();
  await receiver.close();
  await app.close();
});

let checkout: { apiKey: string };
let endpoint: { id: string; secret: string };
beforeAll(async () => {
  checkout = await api.createClient(['checkout']);
  const created = await api.call('POST', '/v1/webhook-endpoints', {
    key: ADMIN_KEY,
    body: { url: receiver.url, events: ['*'], description: 'tests' },
  });
  expect(created.status).toBe(201);
  endpoint = created.body;
});

const hold = async (accountId: string, amount: number) => {
  const reply = await api.authorize(checkout.apiKey, { accountId, amount });
  expect(reply.status).toBe(201);
  return reply.body as { id: string };
};
const deliveredFor = (accountId: string) => receiver.accepted.filter((d) => d.event.accountId === accountId);
const typesFor = (accountId: string) => deliveredFor(accountId).map((d) => d.event.type);

describe('webhook endpoints', () => {
  it('shows the secret once, in the Standard Webhooks form, and never again', async () => {
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      url: receiver.url,
      events: ['*'],
      status: 'enabled',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
    });
    const listed = await api.call('GET', '/v1/webhook-endpoints', { key: ADMIN_KEY });
    expect(listed.status).toBe(200);
    const shown = listed.body.data.find((e: { id: string }) => e.id === endpoint.id);
    expect(shown).toMatchObject({ id: endpoint.id, url: receiver.url, status: 'enabled' });
    expect(shown.secret).toBeUndefined();
  });

  it.each([
    [
      'a URL that is not https (and not the local loopback)',
      { url: 'http://example.com/hook', events: ['*'] },
    ],
    ['an https URL with credentials in it', { url: 'https://user:pw@example.com/hook', events: ['*'] }],
    ['an unknown event type', { url: 'https://example.com/hook', events: ['authorization.exploded'] }],
    ['no event type', { url: 'https://example.com/hook', events: [] }],
    ['a wildcard mixed with types', { url: 'https://example.com/hook', events: ['*', 'account.frozen'] }],
  ])('refuses %s with 400 and makes nothing', async (_what, body) => {
    const before = (await api.call('GET', '/v1/webhook-endpoints', { key: ADMIN_KEY })).body.data;
    const reply = await api.call('POST', '/v1/webhook-endpoints', { key: ADMIN_KEY, body });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ type: 'invalid_request', code: 'validation_failed' });
    const after = (await api.call('GET', '/v1/webhook-endpoints', { key: ADMIN_KEY })).body.data;
    expect(after).toEqual(before);
  });

  it('is admin only', async () => {
    const reply = await api.call('GET', '/v1/webhook-endpoints', { key: checkout.apiKey });
    expect(reply.status).toBe(403);
  });

  it('deletes an endpoint (then 404), and nothing more is delivered to it', async () => {
    const other = await new WebhookReceiver().start();
    try {
      const made = await api.call('POST', '/v1/webhook-endpoints', {
        key: ADMIN_KEY,
        body: { url: other.url, events: ['account.frozen'] },
      });
      expect(made.status).toBe(201);
      const deleted = await api.call('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { key: ADMIN_KEY });
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ id: made.body.id, object: 'webhook_endpoint' });
      const again = await api.call('DELETE', `/v1/webhook-endpoints/${made.body.id}`, { key: ADMIN_KEY });
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('webhook_endpoint_not_found');
      // The consumer reads the endpoint list again at most this long after it changed (documented on DELETE).
      await new Promise((resolve) => setTimeout(resolve, ENDPOINTS_MAX_AGE_MS + 500));
      // A freeze after the deletion reaches the endpoint still subscribed, and not the deleted one.
      const accountId = await api.createAccount(10_000);
      const frozen = await api.call('POST', `/v1/accounts/${accountId}/freeze`, {
        key: ADMIN_KEY,
        body: { reason: 'test' },
      });
      expect(frozen.status).toBe(200);
      await until(() => typesFor(accountId).includes('account.frozen'), 60_000, 'the freeze event');
      expect(other.deliveries).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('deliveries', () => {
  it('delivers each change as a signed event that the standardwebhooks verifier accepts', async () => {
    const accountId = await api.createAccount(50_000);
    const first = await hold(accountId, 1_000);
    const second = await hold(accountId, 2_000);
    expect(
      (await api.post(checkout.apiKey, `/v1/authorizations/${first.id}/capture`, { amount: 1_000 })).status,
    ).toBe(200);
    expect((await api.post(checkout.apiKey, `/v1/authorizations/${second.id}/release`, {})).status).toBe(200);
    const expected = [
      'account.limit_changed',
      'authorization.created',
      'authorization.created',
      'authorization.captured',
      'authorization.released',
    ];
    await until(() => typesFor(accountId).length >= expected.length, 60_000, 'five events');
    const deliveries = deliveredFor(accountId);
    // Order per account: the opening limit first, each hold's creation before what happened to it.
    expect(deliveries.map((d) => d.event.type)).toEqual(expected);
    expect(deliveries.slice(1, 3).map((d) => d.event.data['id'])).toEqual([first.id, second.id]);
    const verifier = new Webhook(endpoint.secret);
    for (const delivery of deliveries) {
      const verified = verifier.verify(delivery.body, delivery.headers) as { id: string };
      expect(verified.id).toBe(delivery.id);
      expect(delivery.headers['webhook-id']).toBe(delivery.event.id);
      expect(delivery.headers['webhook-timestamp']).toMatch(/^\d+$/);
    }
    // The captured event carries the authorization as the API shows it, at that change.
    const captured = deliveries[3]!.event;
    expect(captured).toMatchObject({
      object: 'event',
      type: 'authorization.captured',
      accountId,
      data: { id: first.id, object: 'authorization', status: 'captured', capturedAmount: 1_000 },
    });
    // A body altered on the way fails the verifier.
    const tampered = deliveries[0]!.body.replace(accountId, 'acc_someone_else');
    expect(() => verifier.verify(tampered, deliveries[0]!.headers)).toThrow();
  });

  it('lists the same events, in the same order, through GET /v1/events, and pages without a gap', async () => {
    const accountId = await api.createAccount(50_000);
    for (const amount of [100, 200, 300, 400]) await hold(accountId, amount);
    await until(() => typesFor(accountId).length >= 5, 60_000, 'five events');
    const seen: Array<{ id: string; type: string }> = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const query = `accountId=${accountId}&limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const reply = await api.call('GET', `/v1/events?${query}`, { key: ADMIN_KEY });
      expect(reply.status).toBe(200);
      seen.push(...reply.body.data);
      after = reply.body.nextCursor;
      if (reply.body.data.length === 0) break;
    }
    expect(seen.map((e) => e.id)).toEqual(deliveredFor(accountId).map((d) => d.id));
    const created = await api.call('GET', `/v1/events?accountId=${accountId}&type=authorization.created`, {
      key: ADMIN_KEY,
    });
    expect(created.body.data.map((e: { type: string }) => e.type)).toEqual(
      Array(4).fill('authorization.created'),
    );
  });

  it('delivers a coupon issued to an account as coupon.issued, with the coupon', async () => {
    const accountId = await api.createAccount(50_000);
    const now = Date.now();
    const issued = await api.call('POST', '/v1/coupons', {
      key: ADMIN_KEY,
      body: {
        accountId,
        kind: 'interest_free',
        counts: [3, 6],
        validFrom: new Date(now - 60_000).toISOString(),
        validUntil: new Date(now + 86_400_000).toISOString(),
      },
    });
    expect(issued.status).toBe(201);
    await until(() => typesFor(accountId).includes('coupon.issued'), 60_000, 'the coupon event');
    const event = deliveredFor(accountId).find((d) => d.event.type === 'coupon.issued')!.event;
    expect(event.data).toMatchObject({ id: issued.body.id, object: 'coupon', status: 'issued', accountId });
  });

  it('answers 400 for an unknown type or a missing account id, 404 for an unknown account', async () => {
    const unknownType = await api.call('GET', '/v1/events?accountId=acc_x&type=account.exploded', {
      key: ADMIN_KEY,
    });
    expect(unknownType.status).toBe(400);
    expect((await api.call('GET', '/v1/events', { key: ADMIN_KEY })).status).toBe(400);
    const nobody = await api.call('GET', '/v1/events?accountId=acc_nobody_here', { key: ADMIN_KEY });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('account_not_found');
  });

  it('gives a receiver that was down every event afterwards, in order per account, under the first ids', async () => {
    const accounts = [await api.createAccount(50_000), await api.createAccount(50_000)];
    await until(() => accounts.every((a) => typesFor(a).length === 1), 60_000, 'the opening events');
    receiver.down = true;
    const holds: Record<string, string[]> = {};
    for (const accountId of accounts) {
      holds[accountId] = [];
      for (const amount of [10, 20, 30]) holds[accountId].push((await hold(accountId, amount)).id);
    }
    // The receiver refuses attempts for a while (each retried with backoff) before it comes back.
    await until(
      () => receiver.deliveries.filter((d) => d.status === 503).length >= 6,
      60_000,
      'failed attempts',
    );
    receiver.down = false;
    await until(
      () => accounts.every((a) => typesFor(a).length === 4),
      60_000,
      'every event after the outage',
    );
    for (const accountId of accounts) {
      const accepted = deliveredFor(accountId).slice(1);
      expect(accepted.map((d) => d.event.data['id'])).toEqual(holds[accountId]);
      // Each refused attempt carried the id its later accepted delivery carries.
      const refused = receiver.deliveries.filter((d) => d.status === 503 && d.event.accountId === accountId);
      for (const attempt of refused) expect(accepted.map((d) => d.id)).toContain(attempt.id);
    }
  });
});
