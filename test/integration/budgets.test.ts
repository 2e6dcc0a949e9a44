/**
 * Platform credit budgets as resources (contract v1.1, "Platform credit budgets"), against DynamoDB Local:
 * create, read, adjust and end; the amount spread over slices that always sum to it; bad input answered with a
 * 400 (or 409) that changes nothing.
 */
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { tableSnapshot } from '../support/table.js';

let app: TestApp;
let api: Api;
let risk: { id: string; apiKey: string };
let repo: typeof import('../../shared/budgets/repository.js');

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  risk = await api.createClient(['risk']);
  repo = await import('../../shared/budgets/repository.js');
});
afterAll(() => app.close());

function budget(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `618 risk target ${id}`,
    currency: 'CNY',
    amount: 1_000_000_00,
    startsAt: iso(Date.now() - DAY_MS),
    endsAt: iso(Date.now() + DAY_MS),
    ...overrides,
  };
}

const post = (path: string, body?: unknown) => api.call('POST', path, { key: ADMIN_KEY, body });
const get = (id: string, key = ADMIN_KEY) => api.call('GET', `/v1/budgets/${id}`, { key });

describe('POST /v1/budgets and GET /v1/budgets/{id}', () => {
  it('creates a budget spread over slices that sum to its amount, nothing drawn', async () => {
    const created = await post('/v1/budgets', budget('b-create', { category: 'electronics' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'b-create',
      object: 'budget',
      currency: 'CNY',
      amount: 1_000_000_00,
      drawn: 0,
      remaining: 1_000_000_00,
      category: 'electronics',
      status: 'active',
    });
    const read = await get('b-create', risk.apiKey);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const state = await repo.readBudget('b-create');
    expect(state?.slices).toHaveLength(repo.MAX_BUDGET_SLICES);
    expect(state?.slices.reduce((sum, s) => sum + s.allotted, 0)).toBe(1_000_000_00);
  });

  it('gives a small budget few slices, and shows a future one scheduled', async () => {
    const later = budget('b-small', {
      amount: 250_000,
      startsAt: iso(Date.now() + DAY_MS),
      endsAt: iso(Date.now() + 2 * DAY_MS),
    });
    expect((await post('/v1/budgets', later)).body).toMatchObject({
      status: 'scheduled',
      remaining: 250_000,
    });
    expect((await repo.readBudget('b-small'))?.slices.map((s) => s.allotted)).toEqual([125_000, 125_000]);
  });

  it('refuses a duplicate id with 409 and keeps the first budget', async () => {
    expect((await post('/v1/budgets', budget('b-dup'))).status).toBe(201);
    const before = await tableSnapshot(app.tableName);
    const again = await post('/v1/budgets', budget('b-dup', { amount: 5_000 }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('budget_exists');
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });

  it('answers 404 for a budget that does not exist', async () => {
    const reply = await get('b-nothing');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('budget_not_found');
  });

  it.each([
    ['endsAt not after startsAt', { endsAt: iso(Date.now() - DAY_MS) }, 'endsAt'],
    ['a zero amount', { amount: 0 }, 'amount'],
    ['a negative amount', { amount: -100 }, 'amount'],
    ['an oversized amount', { amount: 1e13 }, 'amount'],
    ['a fractional amount', { amount: 10.5 }, 'amount'],
    ['a currency not in ISO form', { currency: 'cny' }, 'currency'],
    ['an unknown field', { slices: 3 }, undefined],
  ])('answers %s with a 400 and changes nothing', async (_what, overrides, param) => {
    const before = await tableSnapshot(app.tableName);
    const reply = await post('/v1/budgets', budget('b-bad', overrides));
    expect(reply.status).toBe(400);
    if (param) expect(reply.body.error.param).toBe(param);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });
});

describe('POST /v1/budgets/{id}/adjust', () => {
  it('raises and lowers the amount, the slices still summing to it', async () => {
    await post('/v1/budgets', budget('b-adjust', { amount: 300_000 }));
    const raised = await post('/v1/budgets/b-adjust/adjust', { amount: 450_001 });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ amount: 450_001, drawn: 0, remaining: 450_001 });
    const lowered = await post('/v1/budgets/b-adjust/adjust', { amount: 100_000, currency: 'CNY' });
    expect(lowered.body).toMatchObject({ amount: 100_000, remaining: 100_000 });
    const state = await repo.readBudget('b-adjust');
    expect(state?.slices.reduce((sum, s) => sum + s.allotted, 0)).toBe(100_000);
    expect(state?.slices.every((s) => s.remaining >= 0)).toBe(true);
  });

  it('refuses an amount below what is drawn with 409 amount_below_drawn, and changes nothing', async () => {
    await post('/v1/budgets', budget('b-drawn', { amount: 300_000 }));
    // What holds drew (the draw path moves these two figures of a slice in its own guarded update).
    const { documentClient, tableName } = await import('../../shared/storage/dynamo-client.js');
    const { budgetsTableOf } = await import('../../shared/budgets/table.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    for (const slice of [0, 1])
      await documentClient.send(
        new UpdateCommand({
          TableName: budgetsTableOf(tableName),
          Key: repo.sliceKey('b-drawn', slice),
          UpdateExpression: 'SET drawn = drawn + :x, remaining = remaining - :x',
          ExpressionAttributeValues: { ':x': 60_000 },
        }),
      );
    const before = await tableSnapshot(app.tableName);
    const reply = await post('/v1/budgets/b-drawn/adjust', { amount: 119_999 });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('amount_below_drawn');
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    // Exactly what is drawn is allowed: nothing remains.
    const toDrawn = await post('/v1/budgets/b-drawn/adjust', { amount: 120_000 });
    expect(toDrawn.body).toMatchObject({ amount: 120_000, drawn: 120_000, remaining: 0 });
  });

  it('answers a currency mismatch and a bad amount with 400, an unknown budget with 404, changing nothing', async () => {
    await post('/v1/budgets', budget('b-adjust-bad', { amount: 300_000 }));
    const before = await tableSnapshot(app.tableName);
    const mismatch = await post('/v1/budgets/b-adjust-bad/adjust', { amount: 200_000, currency: 'USD' });
    expect([mismatch.status, mismatch.body.error.code]).toEqual([400, 'currency_mismatch']);
    for (const amount of [0, -1, 1e13, 'lots'])
      expect((await post('/v1/budgets/b-adjust-bad/adjust', { amount })).status).toBe(400);
    expect((await post('/v1/budgets/b-none/adjust', { amount: 1 })).status).toBe(404);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });
});

describe('POST /v1/budgets/{id}/end', () => {
  it('ends a budget now, idempotently, after which it can no longer be adjusted', async () => {
    await post('/v1/budgets', budget('b-end', { amount: 300_000 }));
    const ended = await post('/v1/budgets/b-end/end');
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('ended');
    const again = await post('/v1/budgets/b-end/end');
    expect(again.body).toEqual(ended.body);
    const adjust = await post('/v1/budgets/b-end/adjust', { amount: 400_000 });
    expect([adjust.status, adjust.body.error.code]).toEqual([409, 'budget_ended']);
    const state = await repo.readBudget('b-end');
    expect(state?.budget.endsAt).toBe(ended.body.endsAt);
    expect((await post('/v1/budgets/b-nothing/end')).status).toBe(404);
  });

  it('ends one that has not started at its start: it never applies', async () => {
    const startsAt = iso(Date.now() + DAY_MS);
    await post('/v1/budgets', budget('b-end-early', { startsAt, endsAt: iso(Date.now() + 2 * DAY_MS) }));
    const ended = await post('/v1/budgets/b-end-early/end');
    expect(ended.body).toMatchObject({ startsAt, endsAt: startsAt, status: 'ended' });
  });
});
