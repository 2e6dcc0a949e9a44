/**
 * PUT /v1/accounts/{id}/profile under the faults DynamoDB raises under load — TransactionConflicts (a reserve in
 * flight on the account) and throttling, injected by the fault proxy: an existing account never answers 404;
 * the write is retried like every other, and answers 503 `unavailable` (nothing written) only when retries run
 * out. A missing account still answers 404 `account_not_found`.
 */
import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api, type Reply } from '../support/api.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
/** Sequential requests, each retried for up to the write deadline: generous, never a measure. */
const TEST_TIMEOUT_MS = 180_000;
const NO_FAULTS = { transactionConflict: 0, throttle: 0, internalError: 0, dropResponseAfterCommit: 0 };

let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let risk: { id: string; apiKey: string };
let storedProfile: (accountId: string) => Promise<unknown>;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint, seed: 12 });
  app = await startTestApp({}, { endpoint: proxy.endpoint });
  api = new Api(app.url);
  risk = await api.createClient(['risk']);
  const { documentClient } = await import('../../shared/storage/dynamo-client.js');
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { profileKey, profileFromItem } = await import('../../shared/profiles/repository.js');
  // Read with the faults off (the service's client goes through the proxy).
  storedProfile = async (accountId) =>
    profileFromItem(
      (
        await documentClient.send(
          new GetCommand({ TableName: app.tableName, Key: profileKey(accountId), ConsistentRead: true }),
        )
      ).Item,
    );
});
afterEach(() => proxy.setFaults(NO_FAULTS));
afterAll(async () => {
  await app.close();
  await proxy.close();
});

const putProfile = (accountId: string, profile: Record<string, unknown>): Promise<Reply> =>
  api.call('PUT', `/v1/accounts/${accountId}/profile`, { key: risk.apiKey, body: profile });

describe('PUT /v1/accounts/{id}/profile under injected DynamoDB faults', () => {
  it(
    'never answers 404 for an existing account: conflicts and throttles are retried, and what answered 200 is stored',
    async () => {
      const accounts = await Promise.all(Array.from({ length: 3 }, () => api.createAccount(100_000)));
      proxy.setFaults({ transactionConflict: 0.5, throttle: 0.1 });
      const lastWritten = new Map<string, Record<string, unknown>>();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        for (const accountId of accounts) {
          const profile = strongProfile({ creditScore: 700 + i });
          const reply = await putProfile(accountId, profile);
          statuses.push(reply.status);
          if (reply.status === 200) {
            expect(reply.body).toMatchObject({ object: 'credit_profile', accountId, ...profile });
            lastWritten.set(accountId, profile);
          } else {
            expect({ status: reply.status, code: reply.body.error.code }).toEqual({
              status: 503,
              code: 'unavailable',
            });
          }
        }
      }
      const injected = proxy.stats().injected;
      proxy.setFaults(NO_FAULTS);

      expect(statuses.filter((s) => s === 404)).toEqual([]);
      expect(injected.transactionConflict).toBeGreaterThan(0);
      expect(injected.throttle).toBeGreaterThan(0);
      // A 503 wrote nothing: each account holds the last profile answered 200.
      for (const accountId of accounts) {
        expect(lastWritten.has(accountId)).toBe(true);
        expect(await storedProfile(accountId)).toEqual(lastWritten.get(accountId));
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'answers 503 unavailable when every attempt conflicts, and writes nothing',
    async () => {
      const accountId = await api.createAccount(100_000);
      const before = strongProfile({ creditScore: 650 });
      expect((await putProfile(accountId, before)).status).toBe(200);
      proxy.setFaults({ transactionConflict: 1 });
      const reply = await putProfile(accountId, strongProfile({ creditScore: 820 }));
      proxy.setFaults(NO_FAULTS);
      expect(reply.status).toBe(503);
      expect(reply.body).toEqual({
        error: { type: 'internal', code: 'unavailable', message: expect.any(String) },
      });
      expect(await storedProfile(accountId)).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'still answers 404 account_not_found for an account that does not exist, with or without conflicts',
    async () => {
      for (const rate of [0, 0.3]) {
        proxy.setFaults({ transactionConflict: rate });
        const accountId = `acc_${randomUUID().slice(0, 12)}`;
        const reply = await putProfile(accountId, strongProfile());
        expect({ rate, status: reply.status, code: reply.body.error?.code }).toEqual({
          rate,
          status: 404,
          code: 'account_not_found',
        });
        proxy.setFaults(NO_FAULTS);
        expect(await storedProfile(accountId)).toBeUndefined();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
