/**
 * Holds two budgets cover (contract v1.1, "Platform credit budgets": every budget covering a hold draws from it),
 * against DynamoDB Local: an overall budget in force over the whole file and a category budget per test. A hold
 * draws from both in its one transaction, or from neither (`402 budget_exhausted` when either cannot cover it);
 * releases, expiry and the unused part of a final capture give back to both, each to the slice it drew from;
 * captures keep both drawn; an increment draws from both, or only from the one still in force.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let holds: typeof import('../../shared/authorizations/repository.js');

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const OVERALL = 'overall-overlap';

async function createBudget(id: string, amount: number, category?: string) {
  const reply = await api.call('POST', '/v1/budgets', {
    key: ADMIN_KEY,
    body: {
      id,
      name: id,
      currency: 'CNY',
      amount,
      ...(category ? { category } : {}),
      startsAt: iso(Date.now() - DAY_MS),
      endsAt: iso(Date.now() + DAY_MS),
    },
  });
  expect(reply.status).toBe(201);
  return id;
}

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0', REVIEW_THRESHOLD: '100000000' });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  holds = await import('../../shared/authorizations/repository.js');
  await createBudget(OVERALL, 10_000_000);
});
afterAll(() => app.close());

const drawn = async (id: string): Promise<number> =>
  (await api.call('GET', `/v1/budgets/${id}`, { key: ADMIN_KEY })).body.drawn;
const hold = (accountId: string, category: string, amount: number, key = randomUUID()) =>
  api.authorize(shop.apiKey, { accountId, amount, category, orderId: `o-${key}` }, key);
const post = (path: string, body: Record<string, unknown> = {}) => api.post(shop.apiKey, path, body);

/** The category budget and the overall one's drawn figure before the test, to read the overall one by change. */
async function setUp(category: string, amount: number) {
  const id = await createBudget(`b-${category}`, amount, category);
  const overallBefore = await drawn(OVERALL);
  const account = await api.createAccount(5_000_000);
  const both = async () => [await drawn(id), (await drawn(OVERALL)) - overallBefore];
  return { id, account, both };
}

describe('a hold two budgets cover', () => {
  it('draws its amount from both and records both draws', async () => {
    const { id, account, both } = await setUp('two', 300_000);
    const reply = await hold(account, 'two', 50_000);
    expect(reply.status).toBe(201);
    expect(await both()).toEqual([50_000, 50_000]);
    const stored = await holds.getAuthorization(reply.body.id);
    expect(stored?.budgets?.map((b) => [b.budgetId, b.drawn]).sort()).toEqual([
      [id, 50_000],
      [OVERALL, 50_000],
    ]);
    // A hold of another category draws from the overall budget only.
    const other = await hold(account, 'no-budget-of-its-own', 10_000);
    expect((await holds.getAuthorization(other.body.id))?.budgets?.map((b) => b.budgetId)).toEqual([OVERALL]);
    expect(await both()).toEqual([50_000, 60_000]);
  });

  it('is declined budget_exhausted when either cannot cover it, and then draws from neither', async () => {
    const { account, both } = await setUp('short', 100_000);
    expect((await hold(account, 'short', 80_000)).status).toBe(201);
    const key = randomUUID();
    const declined = await hold(account, 'short', 30_000, key);
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('budget_exhausted');
    expect((await hold(account, 'short', 30_000, key)).body).toEqual(declined.body);
    expect(await both()).toEqual([80_000, 80_000]);
    expect((await api.account(account)).reserved).toBe(80_000);
  });

  it('is declined when the overall budget cannot cover it, though its category budget could', async () => {
    const category = 'overall-short';
    const id = await createBudget(`b-${category}`, 300_000, category);
    const tight = await createBudget('overall-tight', 100_000);
    const account = await api.createAccount(5_000_000);
    try {
      expect((await hold(account, category, 60_000)).status).toBe(201);
      const declined = await hold(account, category, 60_000);
      expect(declined.body.error?.code).toBe('budget_exhausted');
      expect([await drawn(id), await drawn(tight)]).toEqual([60_000, 60_000]);
    } finally {
      expect((await api.call('POST', `/v1/budgets/${tight}/end`, { key: ADMIN_KEY })).status).toBe(200);
    }
  });

  it('gives back to both on release and on a final capture; a partial capture keeps both drawn', async () => {
    const { id, account, both } = await setUp('giveback', 300_000);
    const a = (await hold(account, 'giveback', 50_000)).body.id;
    expect((await post(`/v1/authorizations/${a}/release`, { amount: 20_000 })).status).toBe(200);
    expect(await both()).toEqual([30_000, 30_000]);
    expect((await post(`/v1/authorizations/${a}/capture`, { amount: 10_000, final: false })).status).toBe(
      200,
    );
    expect(await both()).toEqual([30_000, 30_000]);
    expect((await post(`/v1/authorizations/${a}/capture`, { amount: 5_000 })).status).toBe(200);
    expect(await both()).toEqual([15_000, 15_000]);
    const stored = await holds.getAuthorization(a);
    for (const budgetId of [id, OVERALL])
      expect(stored?.budgets?.find((b) => b.budgetId === budgetId)).toMatchObject({
        drawn: 50_000,
        captured: 15_000,
        returned: 35_000,
      });
    // A refund keeps what was captured drawn, as a capture does.
    expect((await post(`/v1/authorizations/${a}/refunds`, { amount: 5_000 })).status).toBe(201);
    expect(await both()).toEqual([15_000, 15_000]);
  });

  it('gives back to both when it expires', async () => {
    // The sweep expires every live hold of this file: this test reads budgets only its own hold drew from.
    const category = 'expiry';
    const id = await createBudget(`b-${category}`, 300_000, category);
    const own = await createBudget('overall-expiry', 300_000);
    const account = await api.createAccount(5_000_000);
    try {
      const a = (await hold(account, category, 45_000)).body.id;
      expect([await drawn(id), await drawn(own)]).toEqual([45_000, 45_000]);
      const { sweepExpiredHolds } = await import('../../shared/authorizations/expiry.js');
      await sweepExpiredHolds({ nowMs: Date.now() + 8 * DAY_MS, budgetMs: 30_000 });
      expect((await holds.getAuthorization(a))?.status).toBe('expired');
      expect([await drawn(id), await drawn(own)]).toEqual([0, 0]);
    } finally {
      expect((await api.call('POST', `/v1/budgets/${own}/end`, { key: ADMIN_KEY })).status).toBe(200);
    }
  });

  it('draws an increment from both, or only from the one still in force, and gives back what each drew', async () => {
    const { id, account, both } = await setUp('increment', 300_000);
    const a = (await hold(account, 'increment', 40_000)).body.id;
    expect((await post(`/v1/authorizations/${a}/increment`, { amount: 10_000 })).status).toBe(200);
    expect(await both()).toEqual([50_000, 50_000]);
    expect((await api.call('POST', `/v1/budgets/${id}/end`, { key: ADMIN_KEY })).status).toBe(200);
    expect((await post(`/v1/authorizations/${a}/increment`, { amount: 5_000 })).status).toBe(200);
    expect(await both()).toEqual([50_000, 55_000]);
    expect((await post(`/v1/authorizations/${a}/release`)).status).toBe(200);
    expect(await both()).toEqual([0, 0]);
    const stored = await holds.getAuthorization(a);
    expect(stored?.budgets?.find((b) => b.budgetId === id)).toMatchObject({
      drawn: 50_000,
      returned: 50_000,
    });
    expect(stored?.budgets?.find((b) => b.budgetId === OVERALL)).toMatchObject({
      drawn: 55_000,
      returned: 55_000,
    });
  });
});

describe('a hold recorded before holds drew from several budgets', () => {
  it('reads its one `budget` draw as its draws, and gives it back there', async () => {
    const category = 'legacy';
    const id = await createBudget(`b-${category}`, 300_000, category);
    const account = await api.createAccount(5_000_000);
    const a = (await hold(account, category, 30_000)).body.id;
    const stored = await holds.getAuthorization(a);
    const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { authorizationKey } = await import('../../shared/authorizations/repository.js');
    // As the previous release stored it: one draw under `budget` (here the category budget's).
    const legacy = stored?.budgets?.find((b) => b.budgetId === id);
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: authorizationKey(a)!,
        UpdateExpression: 'SET budget = :b REMOVE budgets',
        ExpressionAttributeValues: { ':b': legacy },
      }),
    );
    expect((await holds.getAuthorization(a))?.budgets).toEqual([legacy]);
    expect(await drawn(id)).toBe(30_000);
    expect((await post(`/v1/authorizations/${a}/release`)).status).toBe(200);
    expect(await drawn(id)).toBe(0);
  });
});
