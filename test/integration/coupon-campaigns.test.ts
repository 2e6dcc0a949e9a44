/**
 * Coupon campaigns (POST /v1/coupon-campaigns): one coupon for every account of the named risk tiers, issued by
 * a job readable at GET /v1/jobs/{id}; a re-run issues nothing twice; bad input is a 400 and changes nothing;
 * the same id with other terms is a 409.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { riskyProfile, strongProfile } from '../support/profiles.js';

let app: TestApp;
let api: Api;
let runRefreshJobInProcess: typeof import('../../shared/limits/job.js').runRefreshJobInProcess;
let campaignCouponId: typeof import('../../shared/coupons/campaign.js').campaignCouponId;

const DAY_MS = 86_400_000;
/** Fixed once: a re-run names the same terms. */
const VALID_FROM = new Date(Date.now() - DAY_MS).toISOString();
const VALID_UNTIL = new Date(Date.now() + 30 * DAY_MS).toISOString();

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0' });
  api = new Api(app.url);
  ({ runRefreshJobInProcess } = await import('../../shared/limits/job.js'));
  ({ campaignCouponId } = await import('../../shared/coupons/campaign.js'));
});
afterAll(() => app.close());

const campaign = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  kind: 'interest_free',
  counts: [12],
  validFrom: VALID_FROM,
  validUntil: VALID_UNTIL,
  riskTiers: ['A', 'B'],
  ...overrides,
});

/** Polls the job (bounded) until it is no longer running. */
async function finished(jobId: string, key: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i += 1) {
    const reply = await api.call('GET', `/v1/jobs/${jobId}`, { key });
    expect(reply.status).toBe(200);
    if (reply.body.status !== 'running') return reply.body;
    await sleep(50);
  }
  throw new Error(`job ${jobId} still running`);
}

async function couponsOf(accountId: string, key: string): Promise<Array<Record<string, unknown>>> {
  const reply = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key });
  expect(reply.status).toBe(200);
  return reply.body.data;
}

describe('coupon campaigns', () => {
  it('issues one coupon to each account of the tiers, by a job with progress; a re-run issues nothing twice', async () => {
    const risk = await api.createClient(['risk']);
    const servicing = await api.createClient(['servicing']);
    const strong = await Promise.all(
      Array.from({ length: 5 }, () => api.createAccount(1_000_000, { profile: strongProfile() })),
    );
    const risky = await api.createAccount(1_000_000, { profile: riskyProfile(Date.now()) });
    const unrated = await api.createAccount(1_000_000);
    // The refresh gives the profiled accounts their tiers; the one without a profile stays unrated.
    expect((await runRefreshJobInProcess({ dryRun: false })).status).toBe('succeeded');
    for (const id of strong) expect(['A', 'B']).toContain((await api.account(id)).riskTier);
    expect(['A', 'B']).not.toContain((await api.account(risky)).riskTier);
    expect((await api.account(unrated)).riskTier).toBe('unrated');

    const started = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: campaign('618-ab'),
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      id: 'campaign_618-ab',
      object: 'job',
      type: 'coupon_campaign',
      campaignId: '618-ab',
      riskTiers: ['A', 'B'],
    });
    const done = await finished(started.body.id, risk.apiKey);
    expect(done).toMatchObject({
      status: 'succeeded',
      processed: 7,
      issued: 5,
      alreadyIssued: 0,
      notEligible: 2,
      failed: 0,
    });
    for (const id of strong) {
      const [coupon, ...more] = await couponsOf(id, servicing.apiKey);
      expect(more).toEqual([]);
      expect(coupon).toMatchObject({
        id: campaignCouponId('618-ab', id),
        campaignId: '618-ab',
        accountId: id,
        kind: 'interest_free',
        counts: [12],
        status: 'issued',
      });
    }
    expect(await couponsOf(risky, servicing.apiKey)).toEqual([]);
    expect(await couponsOf(unrated, servicing.apiKey)).toEqual([]);

    // Run again (terms in another order): nothing issued twice, a new eligible account gets its coupon.
    const late = await api.createAccount(1_000_000, { profile: strongProfile() });
    await runRefreshJobInProcess({ dryRun: false });
    const again = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: campaign('618-ab', { riskTiers: ['B', 'A'] }),
    });
    expect(again.status).toBe(202);
    expect(await finished(again.body.id, risk.apiKey)).toMatchObject({
      status: 'succeeded',
      processed: 8,
      issued: 1,
      alreadyIssued: 5,
      notEligible: 2,
      failed: 0,
    });
    for (const id of [...strong, late]) expect(await couponsOf(id, servicing.apiKey)).toHaveLength(1);

    // A run whose process died stays `running` with no progress: once stale, starting the campaign restarts it.
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { CAMPAIGN_STALE_MS } = await import('../../shared/coupons/campaign.js');
    await documentClient.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: { pk: 'JOB#campaign_618-ab', sk: 'JOB' },
        UpdateExpression: 'SET #status = :running, updatedAt = :old REMOVE finishedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':old': new Date(Date.now() - CAMPAIGN_STALE_MS - 60_000).toISOString(),
        },
      }),
    );
    const restarted = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: campaign('618-ab'),
    });
    expect(restarted.status).toBe(202);
    expect(await finished(restarted.body.id, risk.apiKey)).toMatchObject({
      status: 'succeeded',
      processed: 8,
      issued: 0,
      alreadyIssued: 6,
    });
  }, 120_000);

  it('refuses bad input with a 400 and another campaign under the same id with a 409, changing nothing', async () => {
    const bad = [
      campaign('bad-1', { riskTiers: [] }),
      campaign('bad-2', { riskTiers: ['Z'] }),
      campaign('bad-3', { riskTiers: ['A', 'A'] }),
      campaign('bad-4', { counts: [5] }),
      campaign('bad-5', { validUntil: new Date(Date.now() - 2 * DAY_MS).toISOString() }),
      campaign('bad-6', { kind: 'fee_discount' }),
      campaign('bad 7'),
      { ...campaign('bad-8'), accountId: 'acc_x' },
    ];
    for (const body of bad) {
      const reply = await api.call('POST', '/v1/coupon-campaigns', { key: ADMIN_KEY, body });
      expect(reply.status).toBe(400);
      expect(['validation_failed', 'unknown_field']).toContain(reply.body.error.code);
    }
    const risk = await api.createClient(['risk']);
    for (let i = 1; i <= 8; i += 1) {
      const id = i === 7 ? 'bad 7' : `bad-${i}`;
      const job = await api.call('GET', `/v1/jobs/campaign_${encodeURIComponent(id)}`, { key: risk.apiKey });
      expect(job.status).toBe(404);
    }

    const first = await api.call('POST', '/v1/coupon-campaigns', { key: ADMIN_KEY, body: campaign('once') });
    expect(first.status).toBe(202);
    await finished(first.body.id, risk.apiKey);
    const other = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: campaign('once', { counts: [6, 12] }),
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('campaign_conflict');
    const job = await api.call('GET', '/v1/jobs/campaign_once', { key: risk.apiKey });
    expect(job.body).toMatchObject({ status: 'succeeded', terms: { counts: [12] } });

    // Only admins start campaigns.
    const refused = await api.call('POST', '/v1/coupon-campaigns', { key: risk.apiKey, body: campaign('x') });
    expect(refused.status).toBe(403);
  }, 120_000);

  it("a chunk delivered again issues and counts nothing twice; a restarted run ignores the old run's chunks", async () => {
    const risk = await api.createClient(['risk']);
    const { startCampaign, campaignTasks, runCampaignTask } = await import(
      '../../shared/coupons/campaign.js'
    );
    const strong = await Promise.all(
      Array.from({ length: 3 }, () => api.createAccount(1_000_000, { profile: strongProfile() })),
    );
    expect((await runRefreshJobInProcess({ dryRun: false })).status).toBe('succeeded');
    // The same accounts through the route, run in this process as `npm start` runs it: what one delivery counts.
    const reference = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: campaign('ref'),
    });
    const expected = await finished(reference.body.id, risk.apiKey);
    expect(expected).toMatchObject({ status: 'succeeded', failed: 0 });

    // As the queue's worker runs them: every chunk, each delivered twice (SQS delivers at least once).
    const started = await startCampaign(campaign('twice') as never, new Date().toISOString());
    expect(started.outcome).toBe('started');
    if (started.outcome !== 'started') return;
    const tasks = campaignTasks('twice', started.run);
    for (const [i, task] of tasks.entries()) {
      const first = await runCampaignTask(task);
      expect(first).toMatchObject({ superseded: false, pagesCountedBefore: 0, continuation: undefined });
      expect(first.pagesCounted).toBeGreaterThan(0);
      const again = await runCampaignTask(task);
      // The last chunk finished the run: a delivery after that changes nothing at all.
      if (i === tasks.length - 1) expect(again.superseded).toBe(true);
      else
        expect(again).toMatchObject({
          superseded: false,
          pagesCounted: 0,
          pagesCountedBefore: first.pagesCounted,
        });
    }
    const job = await finished('campaign_twice', risk.apiKey);
    const { id: _a, campaignId: _b, createdAt: _c, updatedAt: _d, finishedAt: _e, ...counts } = expected;
    expect(job).toMatchObject({ ...counts, status: 'succeeded' });
    expect(job['issued']).toBeGreaterThanOrEqual(strong.length);
    for (const id of strong) {
      const coupons = await couponsOf(id, ADMIN_KEY);
      expect(coupons.filter((c) => c['id'] === campaignCouponId('twice', id))).toHaveLength(1);
    }

    // Started again (run 2, through the route): the first run's chunks, delivered late, change nothing.
    const rerun = await api.call('POST', '/v1/coupon-campaigns', { key: ADMIN_KEY, body: campaign('twice') });
    expect(rerun.status).toBe(202);
    const after = await finished('campaign_twice', risk.apiKey);
    expect(after).toMatchObject({ status: 'succeeded', issued: 0, alreadyIssued: job['issued'] });
    expect(await runCampaignTask(tasks[0]!)).toMatchObject({ superseded: true, pagesCounted: 0 });
    expect(await finished('campaign_twice', risk.apiKey)).toEqual(after);
  }, 120_000);
});
