/**
 * The velocity rule on DynamoDB Local, with the service's clock injected: at most VELOCITY_MAX approved holds
 * within any 60 s, exactly at the window's edges (the old fixed window let 2 x max through across its edge: 20
 * at :59.9 and 20 at :00.1), in one update shape: every hold is one call, whichever execution environment saw the
 * account before.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let authorize: typeof import('../../shared/authorizations/service.js').authorize;
const sent: string[] = [];

const MAX = 20;
const RULES = {
  reviewThresholdMinor: 1e12,
  holdTtlSeconds: 3_600,
  velocityMax: MAX,
  velocityWindowSeconds: 60,
};
/** 23:59:59.900 UTC: 100 ms before a minute boundary (the old fixed window's edge). */
const EDGE_MS = Date.parse('2026-06-17T23:59:59.900Z');

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  ({ authorize } = await import('../../shared/authorizations/service.js'));
  const { dynamoClient } = await import('../../shared/storage/dynamo-client.js');
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'velocityTestCalls' },
  );
});
afterAll(() => app.close());

/** One hold of 1.00 on `accountId`, decided at `atMs`: its status, or its decline code. */
async function holdAt(accountId: string, atMs: number): Promise<string> {
  const key = randomUUID();
  const send = () =>
    authorize(
      { clientId: 'cli_velocity', idempotencyKey: key, fingerprint: key, actsForAnyClient: false },
      { accountId, amount: 100, currency: 'CNY', orderId: key },
      RULES,
      () => atMs,
    );
  // Many holds racing on one item can outlast a write's deadline on a slow DynamoDB Local (the handler answers
  // 503); the payment flow then resends the same key, which answers what was stored, or decides it now.
  let result: Awaited<ReturnType<typeof send>> | undefined;
  for (let attempt = 1; result === undefined; attempt += 1) {
    try {
      result = await send();
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  if (result.kind === 'error') return result.code;
  // A decline is stored and answered as a 402 in the contract's error shape.
  const body = JSON.parse(result.response.body) as { status?: string; error?: { code: string } };
  return body.error?.code ?? String(body.status);
}

const times = <T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

describe('velocity: at most max within any window, exact at its edges', () => {
  it('declines across a minute boundary what a fixed window would let through twice', async () => {
    const accountId = await api.createAccount(10_000_000);
    const first: string[] = [];
    for (let i = 0; i < MAX; i += 1) first.push(await holdAt(accountId, EDGE_MS));
    expect(first).toEqual(Array(MAX).fill('authorized'));
    // 200 ms later, in the next clock minute: the 20 are 0.2 s old, well within 60 s.
    expect(await holdAt(accountId, EDGE_MS + 200)).toBe('velocity_exceeded');
    // One millisecond before the first 20 leave the window, still declined; at the instant they leave, approved.
    expect(await holdAt(accountId, EDGE_MS + 59_999)).toBe('velocity_exceeded');
    expect(await holdAt(accountId, EDGE_MS + 60_000)).toBe('authorized');
    // From then on the window holds that one: 19 more, and the 20th more is declined.
    const next: string[] = [];
    for (let i = 0; i < MAX; i += 1) next.push(await holdAt(accountId, EDGE_MS + 60_000 + i));
    expect(next).toEqual([...Array(MAX - 1).fill('authorized'), 'velocity_exceeded']);
  });

  it('racing holds at the instant the window frees approve exactly max', async () => {
    const accountId = await api.createAccount(10_000_000);
    await times(MAX, () => holdAt(accountId, EDGE_MS)).then((r) =>
      expect(new Set(r)).toEqual(new Set(['authorized'])),
    );
    // 35 at once, all at the instant the first 20 leave the window: 20 approved, 15 declined, never more.
    const raced = await times(35, () => holdAt(accountId, EDGE_MS + 60_000));
    expect(raced.filter((s) => s === 'authorized')).toHaveLength(MAX);
    expect(raced.filter((s) => s === 'velocity_exceeded')).toHaveLength(35 - MAX);
    // 35 more, 1 ms before the raced ones leave: all declined.
    const after = await times(35, () => holdAt(accountId, EDGE_MS + 119_999));
    expect(after.every((s) => s === 'velocity_exceeded')).toBe(true);
    expect((await api.account(accountId)).reserved).toBe(2 * MAX * 100);
  });
});

describe('velocity: one update shape', () => {
  it('every approved hold is one call, however often and from wherever the account was used', async () => {
    const accountId = await api.createAccount(10_000_000);
    const calls: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      sent.length = 0;
      // Spread over two clock minutes: the fixed window's two shapes (new window, same window) both occur.
      expect(await holdAt(accountId, EDGE_MS + i * 50)).toBe('authorized');
      calls.push(sent.length);
    }
    expect(calls).toEqual([1, 1, 1, 1, 1]);
  });

  it('an account written before the velocity log starts one on its first hold, and counts from there', async () => {
    const accountId = await api.createAccount(10_000_000);
    const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
    const { accountKey } = await import('../../shared/accounts/repository.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    // The item as the fixed-window counter left it.
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: accountKey(accountId),
        UpdateExpression: 'SET velocityWindow = :w, velocityCount = :c REMOVE velocityLog',
        ExpressionAttributeValues: { ':w': Math.floor(EDGE_MS / 60_000), ':c': 7 },
      }),
    );
    sent.length = 0;
    expect(await holdAt(accountId, EDGE_MS)).toBe('authorized');
    expect(sent).toHaveLength(2);
    const statuses: string[] = [];
    for (let i = 1; i <= MAX; i += 1) statuses.push(await holdAt(accountId, EDGE_MS + i));
    expect(statuses).toEqual([...Array(MAX - 1).fill('authorized'), 'velocity_exceeded']);
    const { getAccount } = await import('../../shared/accounts/repository.js');
    const account = await getAccount(accountId);
    expect(account?.velocityLog?.filter((t) => t > 0)).toHaveLength(MAX);
  });
});
