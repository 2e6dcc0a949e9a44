/**
 * One DynamoDB round trip on the authorize happy path (DESIGN.md guarantee 4), counted by an SDK middleware
 * on the very client the handlers use; and what the authorizer's key lookup asks DynamoDB for.
 */
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
const sent: string[] = [];
/** The same calls with their input, for tests about how a call reads. */
const calls: Array<{ command: string; input: Record<string, unknown> }> = [];

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  const { dynamoClient } = await import('../../shared/storage/dynamo-client.js');
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      calls.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'countDynamoCalls' },
  );
});
afterAll(() => app.close());

/** The items of the one TransactWriteItems sent since `calls` was emptied: kind and item type, in order. */
function writtenItems(): string[] {
  const writes = calls.filter((c) => c.command === 'TransactWriteItemsCommand');
  expect(writes).toHaveLength(1);
  const items = (writes[0]?.input['TransactItems'] ?? []) as Array<Record<string, Record<string, unknown>>>;
  return items.map((item) => {
    const [kind, op] = Object.entries(item)[0] ?? ['?', {}];
    const key = (op['Key'] ?? op['Item']) as Record<string, { S?: string }>;
    const pk = String(key['pk']?.S ?? key['pk']);
    return `${kind} ${pk.split('#')[0]?.toLowerCase()}`;
  });
}

describe('DynamoDB calls per operation', () => {
  it('an approved authorize makes exactly one call: TransactWriteItems', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    // The first call of a key resolves it (the authorizer's cache, as API Gateway's); then count.
    await api.call('GET', `/v1/accounts/${accountId}`, { key: checkout.apiKey });
    // An environment reads the budget registry once before its first authorize (in Lambda: at init).
    const { budgetRegistry } = await import('../../shared/budgets/registry.js');
    await budgetRegistry.load();
    sent.length = 0;
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 });
    expect(reply.status).toBe(201);
    expect(sent).toEqual(['TransactWriteItemsCommand']);
  });

  it('a hold budgets cover draws from every one of them in the same one call', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    await api.call('GET', `/v1/accounts/${accountId}`, { key: checkout.apiKey });
    const budget = {
      id: 'b-calls',
      name: 'one call',
      currency: 'CNY',
      amount: 500_000,
      category: 'budgeted',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    expect((await api.call('POST', '/v1/budgets', { key: ADMIN_KEY, body: budget })).status).toBe(201);
    const second = { ...budget, id: 'b-calls-2', name: 'one call too' };
    expect((await api.call('POST', '/v1/budgets', { key: ADMIN_KEY, body: second })).status).toBe(201);
    sent.length = 0;
    const reply = await api.authorize(checkout.apiKey, { accountId, amount: 1_000, category: 'budgeted' });
    expect(reply.status).toBe(201);
    expect(sent).toEqual(['TransactWriteItemsCommand']);
    for (const id of ['b-calls', 'b-calls-2']) {
      const read = await api.call('GET', `/v1/budgets/${id}`, { key: ADMIN_KEY });
      expect(read.body).toMatchObject({ drawn: 1_000 });
    }
  });

  it('a category hold makes one call once the environment has seen how that category meets its quota', async () => {
    const checkout = await api.createClient(['checkout']);
    const { ADMIN_KEY } = await import('../support/app.js');
    const { runRefreshJobInProcess } = await import('../../shared/limits/job.js');
    const [seen, fresh, noQuota] = [
      await api.createAccount(100_000),
      await api.createAccount(100_000),
      await api.createAccount(100_000),
    ];
    const now = Date.now();
    const promotion = {
      id: 'q-calls',
      name: 'Gadgets week',
      kind: 'category_quota',
      category: 'gadgets',
      quotaAmount: 50_000,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
    };
    expect((await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body: promotion })).status).toBe(201);
    await runRefreshJobInProcess({ dryRun: false });
    await api.call('GET', `/v1/accounts/${seen}`, { key: checkout.apiKey });

    // The first category hold in this environment guesses "no quota", is corrected by the image: two calls.
    sent.length = 0;
    expect(
      (await api.authorize(checkout.apiKey, { accountId: seen, amount: 1_000, category: 'gadgets' })).status,
    ).toBe(201);
    expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    // From then on one call: on the same account, and on another account granted the same quota.
    for (const accountId of [seen, fresh]) {
      sent.length = 0;
      expect(
        (await api.authorize(checkout.apiKey, { accountId, amount: 1_000, category: 'gadgets' })).status,
      ).toBe(201);
      expect(sent).toEqual(['TransactWriteItemsCommand']);
    }
    expect((await api.account(fresh)).categoryQuotas['gadgets']).toMatchObject({ used: 1_000 });
    // A category with no quota anywhere costs nothing extra.
    sent.length = 0;
    expect(
      (await api.authorize(checkout.apiKey, { accountId: noQuota, amount: 1_000, category: 'books' })).status,
    ).toBe(201);
    expect(sent).toEqual(['TransactWriteItemsCommand']);
  });

  it('a capture makes two: one TransactGetItems snapshot and one TransactWriteItems', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(100_000);
    const hold = await api.authorize(checkout.apiKey, { accountId, amount: 1_000 });
    sent.length = 0;
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${hold.body.id}/capture`);
    expect(reply.status).toBe(200);
    expect(sent).toEqual(['TransactGetItemsCommand', 'TransactWriteItemsCommand']);
  });

  it('a capture into a 12-installment plan with a coupon makes the same two calls, writing the same items', async () => {
    const checkout = await api.createClient(['checkout']);
    const accountId = await api.createAccount(10_000_000);
    const coupon = await api.call('POST', '/v1/coupons', {
      key: ADMIN_KEY,
      body: {
        accountId,
        kind: 'interest_free',
        counts: [12],
        validFrom: new Date(Date.now() - 86_400_000).toISOString(),
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    const hold = await api.authorize(checkout.apiKey, { accountId, amount: 120_000 });
    const plainHold = await api.authorize(checkout.apiKey, { accountId, amount: 120_000 });
    calls.length = 0;
    expect((await api.post(checkout.apiKey, `/v1/authorizations/${plainHold.body.id}/capture`)).status).toBe(
      200,
    );
    const plainItems = writtenItems();
    sent.length = 0;
    calls.length = 0;
    const reply = await api.post(checkout.apiKey, `/v1/authorizations/${hold.body.id}/capture`, {
      installments: { count: 12, couponId: coupon.body.id },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.installmentPlanId).toBeDefined();
    expect(sent).toEqual(['TransactGetItemsCommand', 'TransactWriteItemsCommand']);
    // The plan rides on the hold's update; its id and the coupon's redemption on the account's: no item more.
    expect(writtenItems()).toEqual(plainItems);
  });
});

describe('the authorizer', () => {
  it('looks a new key up with a strongly consistent read', async () => {
    // API Gateway caches the authorizer's answer per key for 300 s, misses included. An eventually consistent
    // GetItem right after POST /v1/clients may not see the new key yet, and its `invalid_api_key` would then
    // lock the new key out for five minutes. DynamoDB Local is always consistent, so the test checks what the
    // lookup asks DynamoDB for.
    const accountId = await api.createAccount(100_000);
    const fresh = await api.createClient(['checkout']);
    calls.length = 0;
    expect((await api.call('GET', `/v1/accounts/${accountId}`, { key: fresh.apiKey })).status).toBe(200);
    const lookups = calls.filter(
      (c) => c.command === 'GetItemCommand' && JSON.stringify(c.input['Key']).includes('CLIENT#'),
    );
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.input['ConsistentRead']).toBe(true);
  });
});
