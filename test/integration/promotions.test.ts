/**
 * Promotions storage and routes against DynamoDB Local: however many promotions accumulate, a live one is still
 * listed (page by page) and still applied by the refresh; only promotions not yet ended are read from the end
 * index; ending is idempotent, never ends a promotion before it starts, and compares instants, not strings;
 * a table written before the end index existed still sees every promotion.
 *
 * Promotions apply to every account in this file's table: every promotion made here is either never in force
 * at test time (ended, or in the future) or the one the refresh test expects.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

type Repository = typeof import('../../shared/promotions/repository.js');
type Promotion = import('../../shared/promotions/model.js').Promotion;

let app: TestApp;
let api: Api;
let risk: { id: string; apiKey: string };
let repo: Repository;
let documentClient: typeof import('../../shared/storage/dynamo-client.js').documentClient;
let lib: typeof import('@aws-sdk/lib-dynamodb');

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  risk = await api.createClient(['risk']);
  repo = await import('../../shared/promotions/repository.js');
  ({ documentClient } = await import('../../shared/storage/dynamo-client.js'));
  lib = await import('@aws-sdk/lib-dynamodb');
});
afterAll(() => app.close());

const iso = (ms: number) => new Date(ms).toISOString();

function uplift(
  id: string,
  startsAt: string,
  endsAt: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    name: `promotion ${id}`,
    kind: 'uplift',
    upliftAmount: 10_000,
    startsAt,
    endsAt,
    ...overrides,
  };
}

async function create(body: Record<string, unknown>): Promise<any> {
  const reply = await api.call('POST', '/v1/promotions', { key: ADMIN_KEY, body });
  expect(reply.status).toBe(201);
  return reply.body;
}

const end = (id: string) => api.call('POST', `/v1/promotions/${id}/end`, { key: ADMIN_KEY });

/** Every promotion through GET /v1/promotions, following nextCursor; the pages too. */
async function listAll(limit: number): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await api.call('GET', `/v1/promotions${query}`, { key: risk.apiKey });
    expect(reply.status).toBe(200);
    expect(reply.body.object).toBe('list');
    expect(reply.body.data.length).toBeLessThanOrEqual(limit);
    items.push(...reply.body.data);
    cursor = reply.body.nextCursor;
    pages += 1;
    if (pages > 1_000) throw new Error('GET /v1/promotions never stops paging');
  } while (cursor !== null);
  return { items, pages };
}

async function getItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  return (
    await documentClient.send(
      new lib.GetCommand({ TableName: app.tableName, Key: key, ConsistentRead: true }),
    )
  ).Item;
}

async function endIndexItems(): Promise<Record<string, unknown>[]> {
  const result = await documentClient.send(
    new lib.QueryCommand({
      TableName: app.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PROMOTIONS#BY_END' },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

describe('a table written before the end index existed', () => {
  it('still finds its promotions, indexes them at the next create, and ends them normally', async () => {
    const now = Date.now();
    // What the previous layout wrote: the promotion item alone, raw timestamps, no end-index copy, no marker.
    await documentClient.send(
      new lib.DeleteCommand({ TableName: app.tableName, Key: repo.END_INDEX_COMPLETE_KEY }),
    );
    const seconds = (ms: number) => iso(ms).replace(/\.\d{3}Z$/, 'Z');
    const legacy = uplift('legacy-future', seconds(now + 2 * DAY_MS), seconds(now + 3 * DAY_MS)) as Promotion;
    await documentClient.send(
      new lib.PutCommand({
        TableName: app.tableName,
        Item: {
          pk: 'PROMOTIONS',
          sk: legacy.id,
          itemType: 'promotion',
          promotion: legacy,
          createdAt: iso(now),
        },
      }),
    );

    // Not indexed yet: the limit paths' read falls back to every promotion.
    expect(await getItem(repo.END_INDEX_COMPLETE_KEY)).toBeUndefined();
    expect((await repo.listCurrentPromotions(new Date(now))).map((p) => p.id)).toEqual(['legacy-future']);

    // The next create indexes what was there, then writes the marker; the read then uses the index alone.
    await create(uplift('after-migration', iso(now + 4 * DAY_MS), iso(now + 5 * DAY_MS)));
    expect(await getItem(repo.END_INDEX_COMPLETE_KEY)).toBeDefined();
    const indexed = (await endIndexItems()).map((item) => item['sk']).sort();
    expect(indexed).toEqual([
      `${new Date(legacy.endsAt).toISOString()}#legacy-future`,
      `${iso(now + 5 * DAY_MS)}#after-migration`,
      '~index-complete',
    ]);
    expect((await repo.listCurrentPromotions(new Date(now))).map((p) => p.id).sort()).toEqual([
      'after-migration',
      'legacy-future',
    ]);

    // Ending the old promotion moves its copy (it has not started: it ends at its start and never applies).
    const ended = await end('legacy-future');
    expect(ended.status).toBe(200);
    expect(Date.parse(ended.body.endsAt)).toBe(Date.parse(legacy.startsAt));
    expect(
      (await repo.listCurrentPromotions(new Date(Date.parse(legacy.startsAt)))).map((p) => p.id),
    ).toEqual(['after-migration']);
    expect(
      (await endIndexItems())
        .filter((item) => String(item['sk']).endsWith('#legacy-future'))
        .map((item) => item['sk']),
    ).toEqual([`${new Date(legacy.startsAt).toISOString()}#legacy-future`]);
    expect((await end('after-migration')).status).toBe(200);
  });
});

/** Promotions created at once when seeding hundreds (they all write the same two partitions). */
const PROMOTIONS_AT_ONCE = 8;

describe('more than 500 promotions', () => {
  it('lists every one page by page, reads only those not ended for the refresh, and the refresh applies the live one', async () => {
    const now = Date.now();
    const { runRefreshJobInProcess } = await import('../../shared/limits/job.js');
    const accountId = await api.createAccount(100_000);

    // 520 old promotions, all ended, whose ids sort before the live one: a read of "the first 500" misses it.
    const old = Array.from(
      { length: 520 },
      (_, i) =>
        uplift(`old-${String(i).padStart(4, '0')}`, iso(now - 30 * DAY_MS), iso(now - DAY_MS + i), {
          upliftAmount: 1_000,
        }) as Promotion,
    );
    // Through the repository, a few at a time: the same two items and transaction as the route, without HTTP.
    // Every promotion shares two partitions, so a wide batch only queues transactions behind each other until
    // one outlasts the write deadline on a busy machine.
    for (let i = 0; i < old.length; i += PROMOTIONS_AT_ONCE) {
      const batch = old.slice(i, i + PROMOTIONS_AT_ONCE);
      const created = await Promise.all(batch.map((p) => repo.createPromotion(p)));
      expect(created.every((p) => p !== undefined)).toBe(true);
    }
    const live = await create(
      uplift('zz-live', iso(now - HOUR_MS), iso(now + DAY_MS), { upliftAmount: 25_000 }),
    );

    // The whole list, through the route: pages of 100, a real cursor each time, null on the last page.
    const { items, pages } = await listAll(100);
    const ids = items.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([...old.map((p) => p.id), 'zz-live']));
    expect(ids).toEqual([...ids].sort());
    expect(pages).toBe(Math.ceil(ids.length / 100));
    expect(items.find((p) => p.id === 'zz-live')).toEqual(live);
    expect((await repo.listPromotions()).map((p) => p.id)).toEqual(ids);

    // The limit paths' read: only what has not ended (live or still to come), straight from the end index.
    const current = (await repo.listCurrentPromotions(new Date(now))).map((p) => p.id);
    expect(current).toContain('zz-live');
    expect(current.filter((id) => id.startsWith('old-'))).toEqual([]);

    // And the refresh grants the live uplift.
    const job = await runRefreshJobInProcess({ dryRun: false });
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    const account = await api.account(accountId);
    expect(account.promoLimit).toBe(25_000);
    expect(account.totalLimit).toBe(account.creditLimit + 25_000);

    // Ended, the refresh withdraws it (the end index moved its copy before now).
    expect((await end('zz-live')).status).toBe(200);
    await runRefreshJobInProcess({ dryRun: false });
    expect((await api.account(accountId)).promoLimit).toBe(0);
  });

  it('answers a cursor it did not make, and an out-of-range limit, with a 400 naming the parameter', async () => {
    for (const query of [
      '?cursor=nonsense',
      `?cursor=${Buffer.from('{"after":"a b"}').toString('base64url')}`,
      '?limit=0',
      '?limit=101',
      '?colour=red',
    ]) {
      const reply = await api.call('GET', `/v1/promotions${query}`, { key: risk.apiKey });
      expect([query, reply.status]).toEqual([query, 400]);
      expect(reply.body.error.param).toEqual(expect.any(String));
    }
    expect(
      (await api.call('GET', '/v1/promotions?cursor=nonsense', { key: risk.apiKey })).body.error,
    ).toMatchObject({
      code: 'invalid_cursor',
      param: 'cursor',
    });
  });

  it('says on the last page that it is the last: nextCursor null also when that page is exactly full', async () => {
    // Walk to the last page of 100, keeping the cursor that leads to it.
    let cursor: string | null = null;
    let lastPage: any[] = [];
    let toLast: string | null = null;
    do {
      toLast = cursor;
      const reply: any = await api.call(
        'GET',
        `/v1/promotions?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        { key: risk.apiKey },
      );
      lastPage = reply.body.data;
      cursor = reply.body.nextCursor;
    } while (cursor !== null);
    expect(toLast).not.toBeNull();
    expect(lastPage.length).toBeGreaterThan(1);
    const exact = await api.call('GET', `/v1/promotions?limit=${lastPage.length}&cursor=${toLast}`, {
      key: risk.apiKey,
    });
    expect(exact.body).toEqual({ object: 'list', data: lastPage, nextCursor: null });
    const short = await api.call('GET', `/v1/promotions?limit=${lastPage.length - 1}&cursor=${toLast}`, {
      key: risk.apiKey,
    });
    expect(short.body.nextCursor).toEqual(expect.any(String));
    const rest = await api.call('GET', `/v1/promotions?cursor=${short.body.nextCursor}`, {
      key: risk.apiKey,
    });
    expect(rest.body).toEqual({ object: 'list', data: [lastPage.at(-1)], nextCursor: null });
  });
});

describe('POST /v1/promotions/{id}/end', () => {
  it('is idempotent: ending twice answers 200 both times with the same promotion, as listed', async () => {
    const now = Date.now();
    const id = `end-twice-${randomUUID().slice(0, 8)}`;
    await create(uplift(id, iso(now - HOUR_MS), iso(now + DAY_MS)));
    const first = await end(id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: 'promotion', id });
    expect(Date.parse(first.body.endsAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(first.body.endsAt)).toBeGreaterThanOrEqual(now);
    const second = await end(id);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const { items } = await listAll(100);
    expect(items.find((p) => p.id === id)).toEqual(first.body);
  });

  it('answers a promotion that ended by itself unchanged, and 404 only for one that does not exist', async () => {
    const now = Date.now();
    const id = `ended-${randomUUID().slice(0, 8)}`;
    const created = await create(uplift(id, iso(now - 2 * DAY_MS), iso(now - DAY_MS)));
    const reply = await end(id);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(created);
    const missing = await end(`missing-${randomUUID().slice(0, 8)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('promotion_not_found');
  });

  it('ends a promotion that has not started at its start (never before it), so it never applies', async () => {
    const now = Date.now();
    const id = `future-${randomUUID().slice(0, 8)}`;
    const created = await create(uplift(id, iso(now + DAY_MS), iso(now + 3 * DAY_MS)));
    const first = await end(id);
    expect(first.status).toBe(200);
    expect(first.body.endsAt).toBe(created.startsAt);
    expect(first.body).toEqual({ ...created, endsAt: created.startsAt });
    const second = await end(id);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    // Not current at any instant from now on: before its start it is upcoming but ends at its start.
    const atStart = new Date(Date.parse(created.startsAt));
    expect((await repo.listCurrentPromotions(atStart)).map((p) => p.id)).not.toContain(id);
  });
});

describe('timestamps', () => {
  it('are stored normalized at create, and ends compare instants: :00Z is before :00.500Z', async () => {
    const id = `norm-${randomUUID().slice(0, 8)}`;
    const created = await create(uplift(id, '2099-12-31T00:00:00Z', '2100-01-01T00:00:00Z'));
    expect(created).toMatchObject({
      startsAt: '2099-12-31T00:00:00.000Z',
      endsAt: '2100-01-01T00:00:00.000Z',
    });
    expect(((await getItem(repo.promotionKey(id)))?.['promotion'] as Promotion | undefined)?.endsAt).toBe(
      '2100-01-01T00:00:00.000Z',
    );

    // As raw strings '...00Z' > '...00.500Z': at 00.500 the promotion would look live and be "ended" later than its end.
    const halfSecondAfter = new Date('2100-01-01T00:00:00.500Z');
    expect(await repo.endPromotion(id, halfSecondAfter)).toMatchObject({
      endsAt: '2100-01-01T00:00:00.000Z',
    });
    expect((await repo.listCurrentPromotions(halfSecondAfter)).map((p) => p.id)).not.toContain(id);
    expect(
      (await repo.listCurrentPromotions(new Date('2099-12-31T23:59:59.999Z'))).map((p) => p.id),
    ).toContain(id);
    // An end half a second before its end moves it to that instant.
    expect(await repo.endPromotion(id, new Date('2099-12-31T23:59:59.500Z'))).toMatchObject({
      endsAt: '2099-12-31T23:59:59.500Z',
    });
    expect(
      (await repo.listCurrentPromotions(new Date('2099-12-31T23:59:59.600Z'))).map((p) => p.id),
    ).not.toContain(id);
  });

  it('refuses a duplicate id with 409 and keeps the first promotion', async () => {
    const id = `dup-${randomUUID().slice(0, 8)}`;
    const first = await create(uplift(id, '2099-01-01T00:00:00Z', '2099-02-01T00:00:00Z'));
    const again = await api.call('POST', '/v1/promotions', {
      key: ADMIN_KEY,
      body: uplift(id, '2098-01-01T00:00:00Z', '2098-02-01T00:00:00Z'),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('promotion_exists');
    const { object: _object, ...stored } = first;
    expect((await getItem(repo.promotionKey(id)))?.['promotion']).toEqual(stored);
    expect((await endIndexItems()).filter((item) => String(item['sk']).endsWith(`#${id}`))).toHaveLength(1);
  });
});
