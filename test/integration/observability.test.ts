/**
 * Observability wired (issue 16, item 5), as the functions write it: each authorization decided is one EMF
 * document (by outcome, a decline by its code), a quota draw one per currency, a conflict counted where the
 * transaction is cancelled, a refresh's pages counted as its job counts them, all in the local stage's namespace;
 * and every log line of an invocation carries its Lambda context. The service talks to DynamoDB through the fault proxy, which stays
 * quiet unless a test scripts a fault.
 */
import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { type EmfDocument, emfWritten, sum, valuesOf } from '../support/emf.js';
import { strongProfile } from '../support/profiles.js';

const directEndpoint = process.env['DYNAMODB_ENDPOINT']!;
const REVIEW_THRESHOLD = 50_000;
let proxy: FaultProxy;
let app: TestApp;
let api: Api;
let shop: { id: string; apiKey: string };
let risk: { id: string; apiKey: string };
let runRefresh: typeof import('../../shared/limits/job.js').runRefreshJobInProcess;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: directEndpoint, seed: 16 });
  app = await startTestApp(
    { REVIEW_THRESHOLD: String(REVIEW_THRESHOLD), VELOCITY_MAX: '0' },
    { endpoint: proxy.endpoint },
  );
  api = new Api(app.url);
  [shop, risk] = await Promise.all([api.createClient(['checkout']), api.createClient(['risk'])]);
  ({ runRefreshJobInProcess: runRefresh } = await import('../../shared/limits/job.js'));
});
afterEach(() => proxy.script('TransactWriteItems', []));
afterAll(async () => {
  await app.close();
  await proxy.close();
});

const SERVICE = { service: 'credit-authorization' };

/** The documents that carry `metric`. */
const carrying = (documents: EmfDocument[], metric: string) => documents.filter((d) => metric in d);

/** The one Authorizations document `work` wrote (a request writes exactly one, or none when replayed). */
async function authorizationDocument(work: () => Promise<{ status: number }>, status: number) {
  const { value, documents } = await emfWritten(work);
  expect(value.status).toBe(status);
  const written = carrying(documents, 'Authorizations');
  expect(written).toHaveLength(1);
  return written[0]!;
}

describe('POST /v1/authorizations, in the metrics', () => {
  it('writes an approved hold as one EMF document: all authorizations, and by outcome', async () => {
    const accountId = await api.createAccount(100_000);
    const key = randomUUID();
    const body = { accountId, amount: 2_000, orderId: 'o-metrics' };
    const emf = await authorizationDocument(() => api.authorize(shop.apiKey, body, key), 201);
    expect(emf).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'CreditAuthorization/local',
            Dimensions: [['service'], ['service', 'outcome']],
            Metrics: [{ Name: 'Authorizations', Unit: 'Count' }],
          },
        ],
      },
      ...SERVICE,
      outcome: 'authorized',
      Authorizations: 1,
    });
    // A replay answers the same hold again: it is not a second authorization.
    const { value: replay, documents } = await emfWritten(() => api.authorize(shop.apiKey, body, key));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(carrying(documents, 'Authorizations')).toEqual([]);
  });

  it('writes a decline with its catalogue code as a dimension of its own', async () => {
    const accountId = await api.createAccount(1_000);
    const emf = await authorizationDocument(
      () => api.authorize(shop.apiKey, { accountId, amount: 5_000 }),
      402,
    );
    expect(emf['_aws'].CloudWatchMetrics).toEqual([
      {
        Namespace: 'CreditAuthorization/local',
        Dimensions: [['service'], ['service', 'outcome'], ['service', 'declineCode']],
        Metrics: [{ Name: 'Authorizations', Unit: 'Count' }],
      },
    ]);
    expect(emf).toMatchObject({
      ...SERVICE,
      outcome: 'declined',
      declineCode: 'insufficient_credit',
      Authorizations: 1,
    });
  });

  it('writes a hold waiting for review as pending_review', async () => {
    const accountId = await api.createAccount(1_000_000);
    const emf = await authorizationDocument(
      () => api.authorize(shop.apiKey, { accountId, amount: REVIEW_THRESHOLD }),
      201,
    );
    expect(emf).toMatchObject({ outcome: 'pending_review', Authorizations: 1 });
    expect(emf['declineCode']).toBeUndefined();
  });

  it('writes a hold that draws from a category quota as a quota draw, per currency', async () => {
    const category = `cat-${randomUUID().slice(0, 8)}`;
    const accountId = await api.createAccount(100_000);
    const now = Date.now();
    const promotion = await api.call('POST', '/v1/promotions', {
      key: ADMIN_KEY,
      body: {
        id: `q-${category}`,
        name: `${category} week`,
        kind: 'category_quota',
        category,
        quotaAmount: 50_000,
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 86_400_000).toISOString(),
      },
    });
    expect(promotion.status).toBe(201);
    expect(await runRefresh({ dryRun: false })).toMatchObject({ status: 'succeeded', failed: 0 });

    const { value: hold, documents } = await emfWritten(() =>
      api.authorize(shop.apiKey, { accountId, amount: 30_000, category }),
    );
    expect(hold.status).toBe(201);
    expect(carrying(documents, 'QuotaDraws')).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'CreditAuthorization/local',
              Dimensions: [['service', 'currency']],
              Metrics: [
                { Name: 'QuotaDraws', Unit: 'Count' },
                { Name: 'QuotaDrawnMinor', Unit: 'None' },
              ],
            },
          ],
        },
        ...SERVICE,
        currency: 'CNY',
        QuotaDraws: 1,
        QuotaDrawnMinor: 30_000,
      },
    ]);
  });
});

describe('transaction conflicts, in the metrics', () => {
  it('counts each transaction a conflict cancelled, published when the invocation ends', async () => {
    const accountId = await api.createAccount(100_000);
    proxy.script('TransactWriteItems', ['transactionConflict', 'transactionConflict']);
    const { value: hold, documents } = await emfWritten(() =>
      api.authorize(shop.apiKey, { accountId, amount: 1_000 }),
    );
    expect(hold.status).toBe(201); // retried past both conflicts
    const conflicts = carrying(documents, 'TransactionConflicts');
    expect(sum(valuesOf(conflicts, 'TransactionConflicts'))).toBe(2);
    for (const emf of conflicts)
      expect(emf['_aws'].CloudWatchMetrics[0]).toMatchObject({
        Namespace: 'CreditAuthorization/local',
        Dimensions: [['service']],
      });
  });
});

describe('a limit refresh, in the metrics', () => {
  it('counts the accounts of every page by bucket, as its job counts them', async () => {
    const accountId = await api.createAccount(100_000);
    const profile = await api.call('PUT', `/v1/accounts/${accountId}/profile`, {
      key: risk.apiKey,
      body: strongProfile(),
    });
    expect(profile.status).toBe(200);
    const { value: job, documents } = await emfWritten(() => runRefresh({ dryRun: false }));
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(job.changed).toBeGreaterThanOrEqual(1); // the strong profile raises this account's limit
    const refresh = carrying(documents, 'LimitRefreshChanged');
    expect(refresh.length).toBeGreaterThan(0);
    for (const emf of refresh)
      expect(emf['_aws'].CloudWatchMetrics).toEqual([
        {
          Namespace: 'CreditAuthorization/local',
          Dimensions: [['service']],
          Metrics: expect.arrayContaining([
            { Name: 'LimitRefreshChanged', Unit: 'Count' },
            { Name: 'LimitRefreshUnchanged', Unit: 'Count' },
            { Name: 'LimitRefreshSkipped', Unit: 'Count' },
            { Name: 'LimitRefreshFailed', Unit: 'Count' },
          ]),
        },
      ]);
    expect({
      changed: sum(valuesOf(refresh, 'LimitRefreshChanged')),
      unchanged: sum(valuesOf(refresh, 'LimitRefreshUnchanged')),
      skipped: sum(valuesOf(refresh, 'LimitRefreshSkipped')),
      failed: sum(valuesOf(refresh, 'LimitRefreshFailed')),
    }).toEqual({ changed: job.changed, unchanged: job.unchanged, skipped: job.skipped, failed: job.failed });
  });
});

describe('the logs of an invocation', () => {
  /** The JSON lines the process writes to stdout and stderr while `work` runs (the logs), not shown. */
  async function logLines<T>(
    work: () => Promise<T>,
  ): Promise<{ value: T; lines: Array<Record<string, any>> }> {
    const chunks: string[] = [];
    const { stdout, stderr } = { stdout: process.stdout.write, stderr: process.stderr.write };
    const capture = ((chunk: unknown) => chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      const value = await work();
      const lines = chunks
        .join('')
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, any>];
          } catch {
            return [];
          }
        });
      return { value, lines };
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
  }

  it('carry its Lambda context: the function, its request id and whether it was a cold start', async () => {
    const accountId = await api.createAccount(100_000);
    // DynamoDB failing every attempt of the hold's transaction: the function logs why it answers 503.
    proxy.script('TransactWriteItems', ['internalError', 'internalError', 'internalError']);
    const { value: reply, lines } = await logLines(() =>
      api.authorize(shop.apiKey, { accountId, amount: 1_000 }),
    );
    expect(reply.status).toBe(503);
    const logged = lines.find((l) => l['message'] === 'dependency unavailable after retries');
    expect(logged).toMatchObject({
      level: 'WARN',
      service: 'credit-authorization',
      function_name: 'authorizations-create',
      function_request_id: reply.headers.get('x-request-id'),
      cold_start: expect.any(Boolean),
    });
  });
});
