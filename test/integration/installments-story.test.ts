/**
 * The whole installment story on DynamoDB Local with an injected clock: a 618 coupon campaign's interest-free
 * coupon, a 12-installment capture with it, statements month by month, a partial (early) repayment, a missed
 * installment that the billing step turns overdue (journaled, recorded in the credit profile), and the next limit refresh
 * lowering the limit with `overdue_recent`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { strongProfile } from '../support/profiles.js';

let app: TestApp;
let api: Api;
let service: typeof import('../../shared/installments/service.js');
let runRefreshJobInProcess: typeof import('../../shared/limits/job.js').runRefreshJobInProcess;
let listAllJournal: typeof import('../../shared/journal/repository.js').listAllJournal;
let replay: typeof import('../../shared/journal/model.js').replay;

const DAY_MS = 86_400_000;
const atNoon = (date: string) => Date.parse(`${date}T12:00:00.000Z`);

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0' });
  api = new Api(app.url);
  service = await import('../../shared/installments/service.js');
  ({ runRefreshJobInProcess } = await import('../../shared/limits/job.js'));
  ({ listAllJournal } = await import('../../shared/journal/repository.js'));
  ({ replay } = await import('../../shared/journal/model.js'));
});
afterAll(() => app.close());

describe('installments: from coupon to overdue to a lower limit', () => {
  it('runs campaign → 12-installment capture → statements → repayment → overdue → refresh with overdue_recent', async () => {
    const checkout = await api.createClient(['checkout']);
    const servicing = await api.createClient(['servicing']);
    const risk = await api.createClient(['risk']);
    const accountId = await api.createAccount(5_000_000, { profile: strongProfile() });
    // The refresh rates the account (tier A or B), then the 618 campaign issues its coupon.
    expect((await runRefreshJobInProcess({ dryRun: false })).status).toBe('succeeded');
    expect(['A', 'B']).toContain((await api.account(accountId)).riskTier);
    const campaign = await api.call('POST', '/v1/coupon-campaigns', {
      key: ADMIN_KEY,
      body: {
        id: '618-story',
        kind: 'interest_free',
        counts: [12],
        validFrom: new Date(Date.now() - DAY_MS).toISOString(),
        validUntil: new Date(Date.now() + 7 * DAY_MS).toISOString(),
        riskTiers: ['A', 'B'],
      },
    });
    expect(campaign.status).toBe(202);
    let campaignJob = campaign.body;
    for (let i = 0; i < 600 && campaignJob.status === 'running'; i += 1) {
      await sleep(50);
      campaignJob = (await api.call('GET', `/v1/jobs/${campaign.body.id}`, { key: risk.apiKey })).body;
    }
    expect(campaignJob).toMatchObject({ status: 'succeeded', issued: 1 });
    const coupons = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key: servicing.apiKey });
    expect(coupons.body.data).toHaveLength(1);
    const coupon = { body: coupons.body.data[0] };
    expect(coupon.body).toMatchObject({ campaignId: '618-story', status: 'issued' });

    // A 12,000.00 purchase in 12 interest-free installments of 1,000.00.
    const held = await api.authorize(checkout.apiKey, { accountId, amount: 1_200_000 });
    const captured = await api.post(checkout.apiKey, `/v1/authorizations/${held.body.id}/capture`, {
      installments: { count: 12, couponId: coupon.body.id },
    });
    expect(captured.status).toBe(200);
    const planId = captured.body.installmentPlanId;
    const plan = (await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey })).body;
    expect(plan).toMatchObject({ totalFee: 0, feeWaived: true });
    const [first, second] = plan.installments;

    // The first statement bills installment 1 (1,000.00, no fee).
    const firstStatementDay = atNoon(first.dueDate) - 10 * DAY_MS;
    const statement1 = await service.accountStatement(accountId, firstStatementDay);
    expect(statement1).toMatchObject({ totalDue: 100_000, overdueAmount: 0 });

    // Repaid early (today): installment 1 is paid, with no fee.
    const repaid = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 100_000,
      currency: 'CNY',
    });
    expect(repaid.body.allocation).toEqual([{ planId, sequence: 1, principal: 100_000, fee: 0 }]);
    expect((await service.accountStatement(accountId, firstStatementDay))?.items).toEqual([]);

    // Installment 2 is missed: billing within the grace days changes nothing, after them it is overdue.
    expect(await service.billAccount(accountId, atNoon(second.dueDate) + 3 * DAY_MS)).toEqual({ overdue: 0 });
    const overdueAt = atNoon(second.dueDate) + 4 * DAY_MS;
    expect(await service.billAccount(accountId, overdueAt)).toEqual({ overdue: 1 });
    // The whole run (what POST /v1/jobs/billing starts) the same day finds nothing new.
    const { runBilling } = await import('../../shared/installments/billing-run.js');
    expect(await runBilling(overdueAt)).toMatchObject({ accounts: 1, overdue: 0 });
    const started = await api.call('POST', '/v1/jobs/billing', { key: ADMIN_KEY });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ object: 'job', type: 'billing', status: 'running' });
    const statement2 = await service.accountStatement(accountId, overdueAt);
    expect(statement2).toMatchObject({ overdueAmount: 100_000 });
    const afterBilling = (await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey }))
      .body;
    expect(afterBilling.installments.map((i: { status: string }) => i.status).slice(0, 3)).toEqual([
      'paid',
      'overdue',
      expect.stringMatching(/scheduled|due/),
    ]);

    // The refresh reads the overdue record from the profile and lowers the limit.
    const job = await runRefreshJobInProcess({ dryRun: false, nowMs: overdueAt + DAY_MS });
    expect(job.status).toBe('succeeded');
    const account = await api.account(accountId);
    expect(account.creditLimit).toBeLessThan(5_000_000);
    const entries = await listAllJournal(accountId);
    expect(entries.some((e) => e.type === 'installment_overdue')).toBe(true);
    const change = entries.filter((e) => e.type === 'limit_change').at(-1);
    expect(change?.reasons?.map((r) => r.code)).toContain('overdue_recent');
    expect(replay(entries)).toEqual({
      totalLimit: account.totalLimit,
      reserved: account.reserved,
      outstanding: account.outstanding,
      available: account.available,
    });
  }, 120_000);
});
