/**
 * Holds drawing from platform credit budgets (contract v1.1, "Platform credit budgets"), against DynamoDB Local:
 * a hold a budget covers draws its amount in its own transaction (one DynamoDB call), a hold the budget cannot
 * cover is a stored `402 budget_exhausted`, releases and expiry give back to the slice the hold drew from and
 * captures keep it drawn, adjust and end act while holds draw, and a drained slice falls over to another (moving
 * remainders into it when no single slice covers the hold). Each test has a category of its own, so one test's
 * budget covers only its own holds.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let repo: typeof import('../../shared/budgets/repository.js');
let holds: typeof import('../../shared/authorizations/repository.js');
let registry: typeof import('../../shared/budgets/registry.js');

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  app = await startTestApp({
    VELOCITY_MAX: '0',
    REVIEW_THRESHOLD: '100000000',
    RISK_SETTINGS_MAX_AGE_SECONDS: '0',
  });
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  repo = await import('../../shared/budgets/repository.js');
  holds = await import('../../shared/authorizations/repository.js');
  registry = await import('../../shared/budgets/registry.js');
});
afterAll(() => app.close());

/** A budget in force now for `category` only (slices of 100,000 minor units each). */
async function budgetFor(category: string, amount: number, overrides: Record<string, unknown> = {}) {
  const id = `b-${category}`;
  const reply = await api.call('POST', '/v1/budgets', {
    key: ADMIN_KEY,
    body: {
      id,
      name: `budget ${category}`,
      currency: 'CNY',
      amount,
      category,
      startsAt: iso(Date.now() - DAY_MS),
      endsAt: iso(Date.now() + DAY_MS),
      ...overrides,
    },
  });
  expect(reply.status).toBe(201);
  return id;
}

const drawn = async (id: string) =>
  (await api.call('GET', `/v1/budgets/${id}`, { key: ADMIN_KEY })).body.drawn;
const hold = (accountId: string, category: string, amount: number, key = randomUUID()) =>
  api.authorize(shop.apiKey, { accountId, amount, category, orderId: `o-${key}` }, key);

/** Draws `each` from each of the budget's first `slices` slices directly (no holds): a budget nearly drained. */
async function drainSlices(id: string, slices: number, each: number): Promise<void> {
  const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
  const { budgetsTableOf } = await import('../../shared/budgets/table.js');
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  for (let slice = 0; slice < slices; slice += 1)
    await documentClient.send(
      new UpdateCommand({
        TableName: budgetsTableOf(tableName),
        Key: repo.sliceKey(id, slice),
        UpdateExpression: 'SET drawn = drawn + :x, remaining = remaining - :x',
        ExpressionAttributeValues: { ':x': each },
      }),
    );
}

describe('a hold a budget covers', () => {
  it('draws its amount from one slice of its category budget, and only its category', async () => {
    const id = await budgetFor('draw', 300_000);
    const account = await api.createAccount(1_000_000);
    const reply = await hold(account, 'draw', 50_000);
    expect(reply.status).toBe(201);
    expect(await drawn(id)).toBe(50_000);
    const stored = await holds.getAuthorization(reply.body.id);
    expect(stored?.budgets).toEqual([
      expect.objectContaining({ budgetId: id, drawn: 50_000, captured: 0, returned: 0 }),
    ]);
    expect((await hold(account, 'other-category', 40_000)).status).toBe(201);
    expect(await drawn(id)).toBe(50_000);
    const state = await repo.readBudget(id);
    expect(state?.slices.filter((s) => s.drawn > 0)).toEqual([
      expect.objectContaining({ slice: stored?.budgets?.[0]?.slice, drawn: 50_000 }),
    ]);
  });

  it('is declined 402 budget_exhausted when the budget cannot cover it, stored like every decline', async () => {
    const id = await budgetFor('exhaust', 200_000);
    const account = await api.createAccount(1_000_000);
    expect((await hold(account, 'exhaust', 90_000)).status).toBe(201);
    expect((await hold(account, 'exhaust', 90_000)).status).toBe(201);
    const key = randomUUID();
    const declined = await hold(account, 'exhaust', 30_000, key);
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('budget_exhausted');
    expect(declined.body.authorization).toMatchObject({
      status: 'declined',
      declineCode: 'budget_exhausted',
    });
    const replay = await hold(account, 'exhaust', 30_000, key);
    expect(replay.status).toBe(402);
    expect(replay.body).toEqual(declined.body);
    expect(await drawn(id)).toBe(180_000);
    expect((await api.account(account)).reserved).toBe(180_000);
    // What is left still serves a hold it covers.
    expect((await hold(account, 'exhaust', 20_000)).status).toBe(201);
    expect(await drawn(id)).toBe(200_000);
  });

  it('falls over from a drained slice, moving remainders together when no slice covers it alone', async () => {
    const id = await budgetFor('fallover', 300_000);
    const account = await api.createAccount(1_000_000);
    // Four holds of 70,000 over three slices of 100,000: at least one lands on a slice that cannot take it.
    for (let i = 0; i < 4; i += 1) expect((await hold(account, 'fallover', 70_000)).status).toBe(201);
    expect(await drawn(id)).toBe(280_000);
    // 20,000 left, spread over slices: a hold of exactly what is left still gets it.
    expect((await hold(account, 'fallover', 20_000)).status).toBe(201);
    const state = await repo.readBudget(id);
    expect(state).toMatchObject({ amount: 300_000, drawn: 300_000 });
    expect((await hold(account, 'fallover', 1)).body.error?.code).toBe('budget_exhausted');
  });

  it('a rebalance gathers enough for the holds racing it: the next ones of that size draw with no rebalance', async () => {
    // Ten slices of 100,000; 96,000 drawn from each leaves 4,000 in each, 40,000 in all.
    const id = await budgetFor('gather', 1_000_000);
    await drainSlices(id, 10, 96_000);
    const account = await api.createAccount(1_000_000);
    expect((await hold(account, 'gather', 3_000)).status).toBe(201);
    // A hold of 5,000 fits no slice (4,000 at most): its rebalance gathers what it lacks plus eight holds of its
    // size (41,000) when there is that much, here everything outside the richest slice (33,000), into that slice:
    // the next holds of this size find it covering them, with no rebalance of their own.
    expect((await hold(account, 'gather', 5_000)).status).toBe(201);
    const after = await repo.readBudget(id);
    const rich = after!.slices.filter((s) => s.remaining >= 3_000);
    expect(rich).toHaveLength(1);
    expect(rich[0]!.remaining).toBe(40_000 - 3_000 - 5_000);
    expect(after).toMatchObject({ amount: 1_000_000, drawn: 968_000 });
  });

  it('holds racing for the last of a budget: as many as it covers get it, the others are declined', async () => {
    // Four slices of 100,000 with 10,000 left in each: 40,000 in all, no slice covering a hold of 15,000.
    const id = await budgetFor('last', 400_000);
    await drainSlices(id, 4, 90_000);
    const accounts = await Promise.all(Array.from({ length: 8 }, () => api.createAccount(1_000_000)));
    // Eight at once, each refused by its slice: they share reads and the rebalance, and claim what they draw, so
    // two get the 30,000 that fits and six are declined, none left hanging. (A 503 is asked again, as a client
    // would, with the same key.)
    const answers = await Promise.all(
      accounts.map(async (account) => {
        const key = randomUUID();
        for (let attempt = 1; ; attempt += 1) {
          const reply = await hold(account, 'last', 15_000, key);
          if (reply.status !== 503 || attempt >= 20) return reply;
        }
      }),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(2);
    expect(answers.filter((r) => r.body.error?.code === 'budget_exhausted')).toHaveLength(6);
    expect(await repo.readBudget(id)).toMatchObject({ amount: 400_000, drawn: 390_000 });
  });

  it('gives back on release and on the unused part of a final capture; a capture keeps its part drawn', async () => {
    const id = await budgetFor('giveback', 300_000);
    const account = await api.createAccount(1_000_000);
    const a = (await hold(account, 'giveback', 50_000)).body.id;
    expect((await api.post(shop.apiKey, `/v1/authorizations/${a}/release`, { amount: 20_000 })).status).toBe(
      200,
    );
    expect(await drawn(id)).toBe(30_000);
    const captured = await api.post(shop.apiKey, `/v1/authorizations/${a}/capture`, { amount: 10_000 });
    expect(captured.status).toBe(200);
    expect(await drawn(id)).toBe(10_000);
    expect((await holds.getAuthorization(a))?.budgets?.[0]).toMatchObject({
      drawn: 50_000,
      captured: 10_000,
      returned: 40_000,
    });
  });

  it('draws for a hold pending review, and gives it back when review declines it', async () => {
    const id = await budgetFor('review', 300_000);
    const account = await api.createAccount(1_000_000);
    const risk = await api.createClient(['risk']);
    expect((await api.changeRiskSettings({ categoryReviewThresholds: { review: 50_000 } })).status).toBe(200);
    const pending = await hold(account, 'review', 60_000);
    expect(pending.body.status).toBe('pending_review');
    expect(await drawn(id)).toBe(60_000);
    const declined = await api.post(risk.apiKey, `/v1/reviews/${pending.body.id}/decline`);
    expect(declined.status).toBe(200);
    expect(await drawn(id)).toBe(0);
  });

  it('gives back when the hold expires', async () => {
    const id = await budgetFor('expiry', 300_000);
    const account = await api.createAccount(1_000_000);
    const a = (await hold(account, 'expiry', 45_000)).body.id;
    expect(await drawn(id)).toBe(45_000);
    const { sweepExpiredHolds } = await import('../../shared/authorizations/expiry.js');
    await sweepExpiredHolds({ nowMs: Date.now() + 8 * DAY_MS, budgetMs: 30_000 });
    expect((await holds.getAuthorization(a))?.status).toBe('expired');
    expect(await drawn(id)).toBe(0);
  });
});

describe('an increment of a hold a budget covers', () => {
  it('draws its increase from the same slice, is declined budget_exhausted beyond it, and gives it all back', async () => {
    const id = await budgetFor('increment', 200_000);
    const account = await api.createAccount(1_000_000);
    const a = (await hold(account, 'increment', 90_000)).body.id;
    const slice = (await holds.getAuthorization(a))?.budgets?.[0]?.slice;
    // 30,000 more: beyond what its own slice has left once another hold drained it, so remainders move in.
    const other = await hold(account, 'increment', 80_000);
    expect(other.status).toBe(201);
    const more = await api.post(shop.apiKey, `/v1/authorizations/${a}/increment`, { amount: 25_000 });
    expect(more.status).toBe(200);
    expect(await drawn(id)).toBe(195_000);
    expect((await holds.getAuthorization(a))?.budgets).toEqual([
      expect.objectContaining({ slice, drawn: 115_000 }),
    ]);
    const refused = await api.post(shop.apiKey, `/v1/authorizations/${a}/increment`, { amount: 10_000 });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('budget_exhausted');
    expect(await drawn(id)).toBe(195_000);
    expect((await api.post(shop.apiKey, `/v1/authorizations/${a}/release`)).status).toBe(200);
    expect(await drawn(id)).toBe(80_000);
  });
});

describe('adjust and end while holds draw', () => {
  it('a lowered amount declines what no longer fits, a raised one admits it again', async () => {
    const id = await budgetFor('adjust', 300_000);
    const account = await api.createAccount(1_000_000);
    expect((await hold(account, 'adjust', 120_000)).status).toBe(201);
    const lowered = await api.call('POST', `/v1/budgets/${id}/adjust`, {
      key: ADMIN_KEY,
      body: { amount: 150_000 },
    });
    expect(lowered.body).toMatchObject({ amount: 150_000, drawn: 120_000, remaining: 30_000 });
    expect((await hold(account, 'adjust', 40_000)).body.error?.code).toBe('budget_exhausted');
    const raised = await api.call('POST', `/v1/budgets/${id}/adjust`, {
      key: ADMIN_KEY,
      body: { amount: 400_000 },
    });
    expect(raised.body).toMatchObject({ amount: 400_000, drawn: 120_000 });
    expect((await hold(account, 'adjust', 40_000)).status).toBe(201);
    expect(await drawn(id)).toBe(160_000);
  });

  it('an ended budget draws nothing more, and releases of holds it covered still give back', async () => {
    const id = await budgetFor('end', 300_000);
    const account = await api.createAccount(1_000_000);
    const a = (await hold(account, 'end', 60_000)).body.id;
    expect((await api.call('POST', `/v1/budgets/${id}/end`, { key: ADMIN_KEY })).status).toBe(200);
    const after = await hold(account, 'end', 290_000);
    expect(after.status).toBe(201);
    expect((await holds.getAuthorization(after.body.id))?.budgets).toBeUndefined();
    expect(await drawn(id)).toBe(60_000);
    expect((await api.post(shop.apiKey, `/v1/authorizations/${a}/release`)).status).toBe(200);
    expect(await drawn(id)).toBe(0);
  });

  it('another process that has not heard of the end yet stops drawing at the slice, and learns of it', async () => {
    const id = await budgetFor('end-elsewhere', 300_000);
    const account = await api.createAccount(1_000_000);
    const [ref] = registry.budgetRegistry.covering('CNY', 'end-elsewhere', iso(Date.now()));
    expect(ref?.id).toBe(id);
    expect((await api.call('POST', `/v1/budgets/${id}/end`, { key: ADMIN_KEY })).status).toBe(200);
    // This process's copy as another process would still hold it: the old end.
    registry.budgetRegistry.register(ref!);
    const reply = await hold(account, 'end-elsewhere', 50_000);
    expect(reply.status).toBe(201);
    expect((await holds.getAuthorization(reply.body.id))?.budgets).toBeUndefined();
    expect(await drawn(id)).toBe(0);
    expect(registry.budgetRegistry.covering('CNY', 'end-elsewhere', iso(Date.now()))).toEqual([]);
  });

  it('a budget created in another process reaches this one when the registry is read again', async () => {
    const other = new registry.BudgetRegistry();
    await other.load();
    expect(other.covering('CNY', 'elsewhere', iso(Date.now()))).toEqual([]);
    const id = await budgetFor('elsewhere', 200_000);
    await other.load();
    expect(other.covering('CNY', 'elsewhere', iso(Date.now())).map((r) => r.id)).toEqual([id]);
  });
});
