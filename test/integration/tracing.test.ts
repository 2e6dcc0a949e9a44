/**
 * X-Ray as the functions write it in Lambda: the handlers and the service run here with Lambda's tracing
 * environment (a sampled trace header, the X-Ray daemon's address), and the daemon is this test's UDP socket, so
 * every subsegment the X-Ray SDK sends is read back: each route invocation's `## METHOD path` subsegment (marked by
 * the status it answered: an expected 4xx an error, a 5xx a fault with its cause), and under it each DynamoDB call.
 * POST /v1/authorizations is bundled without the X-Ray SDK (shared/http/untraced-route.ts):
 * test/unit/bundles.test.ts checks that on the bundles themselves.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
const TRACE_ID = '1-6760a1b2-0123456789abcdef01234567';
let daemon: Socket;
let received: Array<Record<string, any>> = [];
let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // `{"format": "json", "version": 1}` then the document, on the next line.
    const [, document] = message.toString('utf8').split('\n');
    if (document) received.push(JSON.parse(document) as Record<string, any>);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  // Lambda's tracing environment, set before the service's modules load (startTestApp imports them).
  process.env['LAMBDA_TASK_ROOT'] = '/var/task';
  process.env['AWS_EXECUTION_ENV'] = 'AWS_Lambda_nodejs22.x';
  process.env['_X_AMZN_TRACE_ID'] = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`;
  process.env['AWS_XRAY_DAEMON_ADDRESS'] = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
  proxy = await startFaultProxy({ target: directEndpoint, seed: 1616 });
  app = await startTestApp({}, { endpoint: proxy.endpoint });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
});
afterEach(() => proxy.script('TransactWriteItems', []));
afterAll(async () => {
  await app.close();
  await proxy.close();
  daemon.close();
});

/** The subsegments sent while `work` ran (the SDK sends each as it closes; UDP on loopback is quick, not instant). */
async function traced<T>(
  work: () => Promise<T>,
): Promise<{ value: T; subsegments: Array<Record<string, any>> }> {
  received = [];
  const value = await work();
  await sleep(200);
  return { value, subsegments: received };
}

const named = (subsegments: Array<Record<string, any>>, name: string) =>
  subsegments.filter((s) => s['name'] === name);

describe('X-Ray in Lambda', () => {
  it('records a route invocation as `## METHOD path`, annotated, with its DynamoDB call under it', async () => {
    const accountId = await api.createAccount(100_000);
    const { value: reply, subsegments } = await traced(() =>
      api.call('GET', `/v1/accounts/${accountId}`, { key: shop.apiKey }),
    );
    expect(reply.status).toBe(200);
    const [handler, ...more] = named(subsegments, '## GET /v1/accounts/{id}');
    expect(more).toEqual([]);
    expect(handler).toMatchObject({
      type: 'subsegment',
      trace_id: TRACE_ID,
      annotations: { ColdStart: expect.any(Boolean), Service: 'credit-authorization' },
    });
    expect(handler!['fault']).toBeUndefined();
    expect(handler!['error']).toBeUndefined();
    const calls = named(subsegments, 'DynamoDB').filter((s) => s['parent_id'] === handler!['id']);
    expect(calls.map((c) => c['aws']['operation'])).toEqual(['GetItem']);
    expect(calls[0]).toMatchObject({ namespace: 'aws', http: { response: { status: 200 } } });
  });

  it('marks an expected 4xx as an error, not a fault (the contract throws an ApiError for it)', async () => {
    const { value: reply, subsegments } = await traced(() =>
      api.call('GET', '/v1/accounts/acc_missing', { key: shop.apiKey }),
    );
    expect(reply.status).toBe(404);
    const [handler] = named(subsegments, '## GET /v1/accounts/{id}');
    expect(handler).toMatchObject({ error: true });
    expect(handler!['fault']).toBeUndefined();
  });

  it('marks a 503 as a fault, with the error that caused it', async () => {
    const accountId = await api.createAccount(100_000);
    const hold = await api.authorize(shop.apiKey, { accountId, amount: 1_000 });
    expect(hold.status).toBe(201);
    // Every attempt of the capture's transaction fails: the route answers 503 unavailable.
    proxy.script('TransactWriteItems', ['internalError', 'internalError', 'internalError']);
    const { value: reply, subsegments } = await traced(() =>
      api.post(shop.apiKey, `/v1/authorizations/${hold.body.id}/capture`, { amount: 1_000 }),
    );
    expect(reply.status).toBe(503);
    const [handler] = named(subsegments, '## POST /v1/authorizations/{id}/capture');
    expect(handler).toMatchObject({ fault: true, cause: { exceptions: [expect.objectContaining({})] } });
    const writes = named(subsegments, 'DynamoDB').filter(
      (s) => s['parent_id'] === handler!['id'] && s['aws']['operation'] === 'TransactWriteItems',
    );
    expect(writes.length).toBeGreaterThan(0);
  });

  it("records the authorizer's invocations too (`## authorizer`)", async () => {
    const fresh = await api.createClient(['checkout']); // a key the authorizer has not cached
    const accountId = await api.createAccount(100_000);
    const { subsegments } = await traced(() =>
      api.call('GET', `/v1/accounts/${accountId}`, { key: fresh.apiKey }),
    );
    const [authorizer] = named(subsegments, '## authorizer');
    expect(authorizer).toMatchObject({
      trace_id: TRACE_ID,
      annotations: { Service: 'credit-authorization' },
    });
    expect(named(subsegments, 'DynamoDB').some((s) => s['parent_id'] === authorizer!['id'])).toBe(true);
  });
});
