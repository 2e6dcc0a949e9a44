/**
 * POST /v1/accounts with a credit profile (API.md: `{id, currency, creditLimit, profile?}`): the profile is
 * validated like PUT /v1/accounts/{id}/profile and written in the account's own transaction, so an invalid
 * profile creates nothing, and a duplicate create (with or without a profile) answers 409 and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { expectReconciled } from '../support/journal.js';
import { strongProfile } from '../support/profiles.js';

let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let documentClient: typeof import('../../shared/storage/dynamo-client.js').documentClient;
let lib: typeof import('@aws-sdk/lib-dynamodb');
let profileKey: typeof import('../../shared/profiles/repository.js').profileKey;
let profileFromItem: typeof import('../../shared/profiles/repository.js').profileFromItem;

beforeAll(async () => {
  app = await startTestApp();
  api = new Api(app.url);
  shop = await api.createClient(['checkout']);
  ({ documentClient } = await import('../../shared/storage/dynamo-client.js'));
  lib = await import('@aws-sdk/lib-dynamodb');
  ({ profileKey, profileFromItem } = await import('../../shared/profiles/repository.js'));
});
afterAll(() => app.close());

const newId = () => `acc_${randomUUID().slice(0, 12)}`;
const createAccount = (body: Record<string, unknown>) =>
  api.call('POST', '/v1/accounts', { key: ADMIN_KEY, body });

/** Every item stored under the account's partition (account, journal, profile). */
async function itemsOf(accountId: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient.send(
    new lib.QueryCommand({
      TableName: app.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

async function storedProfile(accountId: string): Promise<unknown> {
  const result = await documentClient.send(
    new lib.GetCommand({ TableName: app.tableName, Key: profileKey(accountId), ConsistentRead: true }),
  );
  return profileFromItem(result.Item);
}

/** What the limit policy reads: a request on an account without a profile is declined `no_profile`. */
async function limitRequestReasons(accountId: string): Promise<string[]> {
  const reply = await api.call('POST', `/v1/accounts/${accountId}/limit-requests`, {
    key: shop.apiKey,
    body: { requestedLimit: 200_000 },
  });
  expect(reply.status).toBe(200);
  return reply.body.reasons.map((r: { code: string }) => r.code);
}

describe('POST /v1/accounts with a profile', () => {
  it('opens the account and stores the profile as PUT .../profile does, read by the limit policy', async () => {
    const id = newId();
    const profile = strongProfile({ monthlySpend: 120_000 });
    const reply = await createAccount({ id, currency: 'CNY', creditLimit: 100_000, profile });
    expect(reply.status).toBe(201);
    // The account resource, as without a profile (the profile is not part of it).
    expect(reply.body).toEqual(await api.account(id));
    expect(reply.body).toMatchObject({
      id,
      object: 'account',
      creditLimit: 100_000,
      totalLimit: 100_000,
      available: 100_000,
    });
    expect(reply.body).not.toHaveProperty('profile');

    expect(await storedProfile(id)).toEqual(profile);
    const profileItem = (await itemsOf(id)).find((item) => item['sk'] === 'PROFILE');
    expect(profileItem).toMatchObject({
      itemType: 'profile',
      accountId: id,
      updatedAt: reply.body.createdAt,
    });
    expect(await limitRequestReasons(id)).not.toContain('no_profile');
    await expectReconciled(api, id);

    // The same item a PUT writes: a PUT replaces it.
    const replaced = strongProfile({ creditScore: 700 });
    expect(
      (await api.call('PUT', `/v1/accounts/${id}/profile`, { key: ADMIN_KEY, body: replaced })).status,
    ).toBe(200);
    expect(await storedProfile(id)).toEqual(replaced);
  });

  it('still opens an account without a profile (and the policy then has none)', async () => {
    const id = newId();
    expect((await createAccount({ id, currency: 'CNY', creditLimit: 100_000 })).status).toBe(201);
    expect(await storedProfile(id)).toBeUndefined();
    expect((await itemsOf(id)).map((item) => item['itemType']).sort()).toEqual(['account', 'journal']);
    expect(await limitRequestReasons(id)).toContain('no_profile');
  });

  it.each([
    [
      'an out-of-range nested field',
      strongProfile({ creditScore: 9000 }),
      'validation_failed',
      'profile.creditScore',
    ],
    [
      'a missing nested field',
      (({ tenureMonths: _t, ...rest }) => rest)(strongProfile()),
      'validation_failed',
      'profile.tenureMonths',
    ],
    ['an unknown nested field', strongProfile({ shoeSize: 42 }), 'unknown_field', 'profile.shoeSize'],
    [
      'a contradictory record',
      strongProfile({ maxOverdueDays: 10 }),
      'validation_failed',
      'profile.overdueCount',
    ],
    ['a profile that is not an object', 'excellent', 'validation_failed', 'profile'],
  ])('answers %s with a 400 naming it, and creates nothing', async (_name, profile, code, param) => {
    const id = newId();
    const reply = await createAccount({ id, currency: 'CNY', creditLimit: 100_000, profile });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ type: 'invalid_request', code, param });
    expect((await api.call('GET', `/v1/accounts/${id}`, { key: ADMIN_KEY })).status).toBe(404);
    expect(await itemsOf(id)).toEqual([]);
  });
});

describe('a duplicate POST /v1/accounts', () => {
  it('answers 409 account_exists and writes nothing: not the new profile, limit or journal entry', async () => {
    const id = newId();
    const profile = strongProfile();
    expect((await createAccount({ id, currency: 'CNY', creditLimit: 100_000, profile })).status).toBe(201);
    const before = await itemsOf(id);

    for (const body of [
      { id, currency: 'CNY', creditLimit: 100_000, profile }, // a replay
      { id, currency: 'CNY', creditLimit: 900_000, profile: strongProfile({ creditScore: 400 }) },
      { id, currency: 'CNY', creditLimit: 900_000 },
    ]) {
      const reply = await createAccount(body);
      expect(reply.status).toBe(409);
      expect(reply.body.error.code).toBe('account_exists');
    }
    expect(await itemsOf(id)).toEqual(before);
    expect(await storedProfile(id)).toEqual(profile);
  });

  it('does not give a profile to an account opened without one', async () => {
    const id = newId();
    expect((await createAccount({ id, currency: 'CNY', creditLimit: 100_000 })).status).toBe(201);
    expect(
      (await createAccount({ id, currency: 'CNY', creditLimit: 100_000, profile: strongProfile() })).status,
    ).toBe(409);
    expect(await storedProfile(id)).toBeUndefined();
  });

  it('lets exactly one of several racing creates win, with its own profile only', async () => {
    const id = newId();
    const scores = [610, 650, 700, 750, 800];
    const replies = await Promise.all(
      scores.map((creditScore) =>
        createAccount({
          id,
          currency: 'CNY',
          creditLimit: 100_000 + creditScore,
          profile: strongProfile({ creditScore }),
        }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const winner = replies.findIndex((r) => r.status === 201);
    expect((await api.account(id)).creditLimit).toBe(100_000 + scores[winner]!);
    expect(await storedProfile(id)).toEqual(strongProfile({ creditScore: scores[winner] }));
    expect((await itemsOf(id)).filter((item) => item['itemType'] === 'journal')).toHaveLength(1);
    await expectReconciled(api, id);
  });
});
