/**
 * Installments and interest-free coupons over HTTP against DynamoDB Local: options and quotes, coupons issued
 * and listed, a capture with a 12-installment plan and its coupon in one transaction, single use under a race,
 * the contract's 4xx for bad input with nothing changed, refunds from the last installment backwards giving
 * the coupon back, and the statement.
 */
import { randomUUID } from 'node:crypto';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';
import { tableSnapshot } from '../support/table.js';

let app: TestApp;
let api: Api;
let checkout: { id: string; apiKey: string };
let servicing: { id: string; apiKey: string };
let listAllJournal: typeof import('../../shared/journal/repository.js').listAllJournal;
let replay: typeof import('../../shared/journal/model.js').replay;

const DAY_MS = 86_400_000;

beforeAll(async () => {
  app = await startTestApp({ VELOCITY_MAX: '0' });
  api = new Api(app.url);
  checkout = await api.createClient(['checkout']);
  servicing = await api.createClient(['servicing']);
  ({ listAllJournal } = await import('../../shared/journal/repository.js'));
  ({ replay } = await import('../../shared/journal/model.js'));
});
afterAll(() => app.close());

function couponBody(accountId: string, overrides: Record<string, unknown> = {}) {
  return {
    accountId,
    kind: 'interest_free',
    counts: [12],
    minAmount: 10_000,
    validFrom: new Date(Date.now() - DAY_MS).toISOString(),
    validUntil: new Date(Date.now() + 10 * DAY_MS).toISOString(),
    ...overrides,
  };
}

async function issueCoupon(accountId: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const reply = await api.call('POST', '/v1/coupons', {
    key: ADMIN_KEY,
    body: couponBody(accountId, overrides),
  });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

async function hold(accountId: string, amount: number): Promise<string> {
  const reply = await api.authorize(checkout.apiKey, { accountId, amount });
  expect(reply.status).toBe(201);
  return reply.body.id;
}

const capture = (authorizationId: string, body: unknown) =>
  api.post(checkout.apiKey, `/v1/authorizations/${authorizationId}/capture`, body);

async function expectJournalMatches(accountId: string): Promise<void> {
  const account = await api.account(accountId);
  expect(replay(await listAllJournal(accountId))).toEqual({
    totalLimit: account.totalLimit,
    reserved: account.reserved,
    outstanding: account.outstanding,
    available: account.available,
  });
}

describe('GET /v1/installment-options', () => {
  it('quotes 3, 6, 12 and 24 installments whose principals sum exactly to the amount', async () => {
    const accountId = await api.createAccount(1_000_000);
    const reply = await api.call('GET', `/v1/installment-options?accountId=${accountId}&amount=100001`, {
      key: checkout.apiKey,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.data.map((o: { count: number }) => o.count)).toEqual([3, 6, 12, 24]);
    for (const option of reply.body.data) {
      const principal = option.schedule.reduce((s: number, r: { principal: number }) => s + r.principal, 0);
      const fee = option.schedule.reduce((s: number, r: { fee: number }) => s + r.fee, 0);
      expect(principal).toBe(100_001);
      expect(fee).toBe(option.totalFee);
      expect(option.feeWaived).toBe(false);
    }
    // 12 x 0.66% of 1,000.01 = 79.20 (rounded down to a fen).
    expect(reply.body.data[2]).toMatchObject({ count: 12, feeRateBps: 66, totalFee: 7_920 });
  });

  it('waives the fee on the counts an interest-free coupon names', async () => {
    const accountId = await api.createAccount(1_000_000);
    const couponId = await issueCoupon(accountId);
    const reply = await api.call(
      'GET',
      `/v1/installment-options?accountId=${accountId}&amount=500000&couponId=${couponId}`,
      { key: checkout.apiKey },
    );
    expect(reply.status).toBe(200);
    const byCount = Object.fromEntries(reply.body.data.map((o: { count: number }) => [o.count, o]));
    expect(byCount[12]).toMatchObject({ totalFee: 0, feeWaived: true });
    expect(byCount[6]).toMatchObject({ feeWaived: false });
  });

  it('answers 400 below the installment minimum and 404 for an unknown account', async () => {
    const accountId = await api.createAccount(1_000_000);
    const low = await api.call('GET', `/v1/installment-options?accountId=${accountId}&amount=9999`, {
      key: checkout.apiKey,
    });
    expect(low.status).toBe(400);
    expect(low.body.error.code).toBe('installments_not_offered');
    const missing = await api.call('GET', '/v1/installment-options?accountId=nobody&amount=50000', {
      key: checkout.apiKey,
    });
    expect(missing.status).toBe(404);
    const bad = await api.call('GET', `/v1/installment-options?accountId=${accountId}&amount=-5`, {
      key: checkout.apiKey,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('POST /v1/coupons and GET /v1/accounts/{id}/coupons', () => {
  it('issues a coupon and lists it on its account', async () => {
    const accountId = await api.createAccount(1_000_000);
    const couponId = await issueCoupon(accountId, { category: 'electronics' });
    const list = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key: servicing.apiKey });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: couponId, object: 'coupon', status: 'issued', category: 'electronics' }),
    ]);
  });

  it('refuses bad terms with 400, an unknown account with 404, a non-admin with 403, changing nothing', async () => {
    const accountId = await api.createAccount(1_000_000);
    const before = await tableSnapshot(app.tableName);
    const bad = [
      couponBody(accountId, { counts: [5] }),
      couponBody(accountId, { kind: 'fee_discount' }),
      couponBody(accountId, { validUntil: '2020-01-01T00:00:00.000Z' }),
      couponBody(accountId, { extra: true }),
    ];
    for (const body of bad) {
      const reply = await api.call('POST', '/v1/coupons', { key: ADMIN_KEY, body });
      expect(reply.status).toBe(400);
    }
    const missing = await api.call('POST', '/v1/coupons', { key: ADMIN_KEY, body: couponBody('nobody') });
    expect(missing.status).toBe(404);
    const forbidden = await api.call('POST', '/v1/coupons', {
      key: checkout.apiKey,
      body: couponBody(accountId),
    });
    expect(forbidden.status).toBe(403);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
  });
});

describe('POST /v1/authorizations/{id}/capture with installments', () => {
  it('captures into a 12-installment interest-free plan and redeems the coupon in one step', async () => {
    const accountId = await api.createAccount(1_000_000);
    const couponId = await issueCoupon(accountId);
    const authorizationId = await hold(accountId, 500_000);
    const reply = await capture(authorizationId, { installments: { count: 12, couponId } });
    expect(reply.status).toBe(200);
    const planId = reply.body.installmentPlanId;
    expect(planId).toMatch(/^plan_/);
    const plan = await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      object: 'installment_plan',
      authorizationId,
      principal: 500_000,
      count: 12,
      totalFee: 0,
      feeWaived: true,
      couponId,
    });
    expect(plan.body.installments).toHaveLength(12);
    const sum = plan.body.installments.reduce((s: number, i: { principal: number }) => s + i.principal, 0);
    expect(sum).toBe(500_000);
    const coupons = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key: checkout.apiKey });
    expect(coupons.body.data[0]).toMatchObject({ id: couponId, status: 'redeemed', planId });
    expect(await api.account(accountId)).toMatchObject({ outstanding: 500_000, reserved: 0 });
    const plans = await api.call('GET', `/v1/accounts/${accountId}/installment-plans`, {
      key: checkout.apiKey,
    });
    expect(plans.body.data.map((p: { id: string }) => p.id)).toEqual([planId]);
    await expectJournalMatches(accountId);
  });

  it('lets exactly one of many racing captures redeem a coupon; the others change nothing', async () => {
    const accountId = await api.createAccount(10_000_000);
    const couponId = await issueCoupon(accountId);
    const holds = await Promise.all(Array.from({ length: 6 }, () => hold(accountId, 200_000)));
    const replies = await Promise.all(
      holds.map((id) => capture(id, { installments: { count: 12, couponId } })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409))
      expect(r.body.error.code).toBe('coupon_unavailable');
    for (const [k, id] of holds.entries()) {
      const got = await api.call('GET', `/v1/authorizations/${id}`, { key: checkout.apiKey });
      expect(got.body.status).toBe(replies[k]?.status === 200 ? 'captured' : 'authorized');
    }
    expect(await api.account(accountId)).toMatchObject({ outstanding: 200_000, reserved: 1_000_000 });
    await expectJournalMatches(accountId);
  });

  it('answers the contract 4xx for a count not offered, an amount too small or another account coupon', async () => {
    const accountId = await api.createAccount(1_000_000);
    const other = await api.createAccount(1_000_000);
    const othersCoupon = await issueCoupon(other);
    const small = await hold(accountId, 5_000);
    const big = await hold(accountId, 300_000);
    const before = await tableSnapshot(app.tableName);
    const count = await capture(big, { installments: { count: 5 } });
    expect([count.status, count.body.error.code]).toEqual([400, 'validation_failed']);
    const tooSmall = await capture(small, { installments: { count: 3 } });
    expect([tooSmall.status, tooSmall.body.error.code]).toEqual([400, 'installments_not_offered']);
    const foreign = await capture(big, { installments: { count: 12, couponId: othersCoupon } });
    expect([foreign.status, foreign.body.error.code]).toEqual([409, 'coupon_not_applicable']);
    const unknown = await capture(big, { installments: { count: 12, couponId: 'cpn_nothing' } });
    expect([unknown.status, unknown.body.error.code]).toEqual([409, 'coupon_not_applicable']);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    const wrongCount = await issueCoupon(accountId, { counts: [24] });
    const afterIssue = await tableSnapshot(app.tableName);
    const notForCount = await capture(big, { installments: { count: 12, couponId: wrongCount } });
    expect([notForCount.status, notForCount.body.error.code]).toEqual([409, 'coupon_not_applicable']);
    expect(await tableSnapshot(app.tableName)).toEqual(afterIssue);
  });

  it('refuses a plan beyond the most an account may hold with 409, changing nothing; a one-off capture still works', async () => {
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { MAX_ACCOUNT_PLANS } = await import('../../shared/installments/repository.js');
    const accountId = await api.createAccount(1_000_000);
    const ids = Array.from({ length: MAX_ACCOUNT_PLANS }, (_, i) => `plan_${String(i).padStart(22, '0')}`);
    await documentClient.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' },
        UpdateExpression: 'ADD planIds :ids',
        ExpressionAttributeValues: { ':ids': new Set(ids) },
      }),
    );
    const held = await hold(accountId, 300_000);
    const before = await tableSnapshot(app.tableName);
    const refused = await capture(held, { installments: { count: 3 } });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'installment_plan_limit_reached']);
    expect(await tableSnapshot(app.tableName)).toEqual(before);
    expect((await capture(held, {})).status).toBe(200);
    await expectJournalMatches(accountId);
  });

  it('refunds from the last installment backwards, and a full refund gives the coupon back', async () => {
    const accountId = await api.createAccount(1_000_000);
    const couponId = await issueCoupon(accountId, { counts: [3, 12] });
    const authorizationId = await hold(accountId, 300_000);
    const captured = await capture(authorizationId, { installments: { count: 3, couponId } });
    const planId = captured.body.installmentPlanId;
    const partial = await api.post(checkout.apiKey, `/v1/authorizations/${authorizationId}/refunds`, {
      amount: 150_000,
    });
    expect(partial.status).toBe(201);
    const plan = await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey });
    expect(plan.body.installments.map((i: { principal: number }) => i.principal)).toEqual([
      100_000, 50_000, 0,
    ]);
    const rest = await api.post(checkout.apiKey, `/v1/authorizations/${authorizationId}/refunds`, {
      amount: 150_000,
    });
    expect(rest.status).toBe(201);
    const coupons = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key: checkout.apiKey });
    expect(coupons.body.data[0]).toMatchObject({ id: couponId, status: 'issued' });
    expect(await api.account(accountId)).toMatchObject({ outstanding: 0 });
    await expectJournalMatches(accountId);
  });
});

describe('a coupon issued before its state moved onto the account', () => {
  /** Turns a just-issued coupon into one as an earlier version stored it: its state on its own item only. */
  async function asIssuedBefore(accountId: string, couponId: string): Promise<void> {
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await documentClient.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' },
        UpdateExpression: 'REMOVE #state',
        ExpressionAttributeNames: { '#state': `coupon:${couponId}` },
      }),
    );
    await documentClient.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: { pk: `COUPON#${couponId}`, sk: 'COUPON' },
        UpdateExpression: 'REMOVE stateOnAccount',
      }),
    );
  }

  const couponItem = async (couponId: string) =>
    (await tableSnapshot(app.tableName)).find((i) => i['pk'] === `COUPON#${couponId}`);

  it('is redeemed once on its own item, and a full refund gives it back there', async () => {
    const accountId = await api.createAccount(1_000_000);
    const couponId = await issueCoupon(accountId, { counts: [3] });
    await asIssuedBefore(accountId, couponId);
    const [first, second] = [await hold(accountId, 300_000), await hold(accountId, 300_000)];
    const captured = await capture(first, { installments: { count: 3, couponId } });
    expect(captured.status).toBe(200);
    expect(await couponItem(couponId)).toMatchObject({
      status: 'redeemed',
      planId: captured.body.installmentPlanId,
    });
    const again = await capture(second, { installments: { count: 3, couponId } });
    expect([again.status, again.body.error.code]).toEqual([409, 'coupon_unavailable']);
    const refund = await api.post(checkout.apiKey, `/v1/authorizations/${first}/refunds`, {
      amount: 300_000,
    });
    expect(refund.status).toBe(201);
    expect(await couponItem(couponId)).toMatchObject({ status: 'issued' });
    const listed = await api.call('GET', `/v1/accounts/${accountId}/coupons`, { key: checkout.apiKey });
    expect(listed.body.data).toEqual([expect.objectContaining({ id: couponId, status: 'issued' })]);
    await expectJournalMatches(accountId);
  });
});

describe('GET /v1/accounts/{id}/statement', () => {
  it('bills one-off purchases on the current statement and nothing of a plan before its first statement', async () => {
    const accountId = await api.createAccount(1_000_000);
    await capture(await hold(accountId, 300_000), { installments: { count: 6 } });
    await capture(await hold(accountId, 20_000), {});
    const reply = await api.call('GET', `/v1/accounts/${accountId}/statement`, { key: servicing.apiKey });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ object: 'statement', accountId, overdueAmount: 0, totalDue: 20_000 });
    expect(reply.body.items).toEqual([
      expect.objectContaining({ kind: 'purchases', principal: 20_000, fee: 0, status: 'due' }),
    ]);
    expect(reply.body.minimumDue).toBe(2_000);
    const missing = await api.call('GET', `/v1/accounts/nobody-${randomUUID().slice(0, 6)}/statement`, {
      key: servicing.apiKey,
    });
    expect(missing.status).toBe(404);
  });
});

describe('POST /v1/accounts/{id}/repayments with plans', () => {
  it('pays the current statement first, then future principal with no fee, and journals the allocation', async () => {
    const accountId = await api.createAccount(1_000_000);
    const planned = await capture(await hold(accountId, 300_000), { installments: { count: 3 } });
    const planId = planned.body.installmentPlanId;
    await capture(await hold(accountId, 20_000), {});
    const reply = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 30_000,
      currency: 'CNY',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.allocation).toEqual([
      { principal: 20_000, fee: 0 },
      { planId, sequence: 1, principal: 10_000, fee: 0 },
    ]);
    expect(reply.body.account.outstanding).toBe(290_000);
    const plan = await api.call('GET', `/v1/installment-plans/${planId}`, { key: servicing.apiKey });
    expect(plan.body.installments[0]).toMatchObject({ paidPrincipal: 10_000, paidFee: 0 });
    const entries = await listAllJournal(accountId);
    expect(entries.find((e) => e.type === 'repayment')?.allocation).toEqual(reply.body.allocation);
    await expectJournalMatches(accountId);
  });

  it('lists and repays plans captured before their ids moved onto the account (a pointer item each)', async () => {
    const { documentClient } = await import('../../shared/storage/dynamo-client.js');
    const { PutCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const accountId = await api.createAccount(1_000_000);
    const older = (await capture(await hold(accountId, 300_000), { installments: { count: 3 } })).body;
    // The layout an earlier version wrote: no `planIds` on the account, an ACCOUNT#/PLAN# pointer instead.
    await documentClient.send(
      new UpdateCommand({
        TableName: app.tableName,
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' },
        UpdateExpression: 'REMOVE planIds',
      }),
    );
    await documentClient.send(
      new PutCommand({
        TableName: app.tableName,
        Item: {
          pk: `ACCOUNT#${accountId}`,
          sk: `PLAN#${older.installmentPlanId}`,
          itemType: 'plan_pointer',
          planId: older.installmentPlanId,
        },
      }),
    );
    const newer = (await capture(await hold(accountId, 600_000), { installments: { count: 6 } })).body;
    const listed = await api.call('GET', `/v1/accounts/${accountId}/installment-plans`, {
      key: servicing.apiKey,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((p: { id: string }) => p.id).sort()).toEqual(
      [older.installmentPlanId, newer.installmentPlanId].sort(),
    );
    // Everything owed on both plans: a repayment that finds both pays it all.
    const paid = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 900_000,
      currency: 'CNY',
    });
    expect(paid.status).toBe(201);
    expect(paid.body.account.outstanding).toBe(0);
    await expectJournalMatches(accountId);
  });

  it('refuses more than is owed with 409, changing nothing', async () => {
    const accountId = await api.createAccount(1_000_000);
    await capture(await hold(accountId, 300_000), { installments: { count: 3 } });
    const before = await tableSnapshot(app.tableName);
    const reply = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
      amount: 300_001,
      currency: 'CNY',
    });
    expect([reply.status, reply.body.error.code]).toEqual([409, 'amount_exceeds_remaining']);
    // The refused key is stored (a replay answers the same 409); nothing else moved.
    const after = (await tableSnapshot(app.tableName)).filter((i) => !String(i['pk']).startsWith('REQ#'));
    expect(after).toEqual(before.filter((i) => !String(i['pk']).startsWith('REQ#')));
  });

  it('keeps outstanding equal to the plans unpaid principal plus one-off purchases over any sequence', async () => {
    const fc = (await import('fast-check')).default;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('plan' as const), amount: fc.integer({ min: 10_000, max: 90_000 }) }),
      fc.record({ kind: fc.constant('oneOff' as const), amount: fc.integer({ min: 1, max: 50_000 }) }),
      fc.record({ kind: fc.constant('repay' as const), share: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('refund' as const), share: fc.integer({ min: 1, max: 100 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        const accountId = await api.createAccount(10_000_000);
        const planHolds: string[] = [];
        for (const o of ops) {
          const account = await api.account(accountId);
          if (o.kind === 'plan') {
            const id = await hold(accountId, o.amount);
            expect((await capture(id, { installments: { count: 3 } })).status).toBe(200);
            planHolds.push(id);
          } else if (o.kind === 'oneOff') {
            expect((await capture(await hold(accountId, o.amount), {})).status).toBe(200);
          } else if (o.kind === 'repay' && account.outstanding > 0) {
            const amount = Math.max(1, Math.floor((account.outstanding * o.share) / 100));
            const paid = await api.post(servicing.apiKey, `/v1/accounts/${accountId}/repayments`, {
              amount,
              currency: 'CNY',
            });
            expect(paid.status).toBe(201);
          } else if (o.kind === 'refund' && planHolds.length > 0) {
            const id = planHolds[0] ?? '';
            const plan = (await api.call('GET', `/v1/authorizations/${id}`, { key: checkout.apiKey })).body;
            const planBody = await api.call('GET', `/v1/installment-plans/${plan.installmentPlanId}`, {
              key: servicing.apiKey,
            });
            const unpaid = planBody.body.installments.reduce(
              (s: number, i: { principal: number; paidPrincipal: number }) =>
                s + i.principal - i.paidPrincipal,
              0,
            );
            const amount = Math.floor((unpaid * o.share) / 100);
            if (amount > 0)
              expect(
                (await api.post(checkout.apiKey, `/v1/authorizations/${id}/refunds`, { amount })).status,
              ).toBe(201);
          }
        }
        const account = await api.account(accountId);
        const plans = await api.call('GET', `/v1/accounts/${accountId}/installment-plans`, {
          key: servicing.apiKey,
        });
        const unpaid = plans.body.data
          .flatMap(
            (p: { installments: Array<{ principal: number; paidPrincipal: number }> }) => p.installments,
          )
          .reduce(
            (s: number, i: { principal: number; paidPrincipal: number }) => s + i.principal - i.paidPrincipal,
            0,
          );
        const statement = await api.call('GET', `/v1/accounts/${accountId}/statement`, {
          key: servicing.apiKey,
        });
        const oneOff = statement.body.items
          .filter((i: { kind: string }) => i.kind === 'purchases')
          .reduce((s: number, i: { principal: number }) => s + i.principal, 0);
        expect(account.outstanding).toBe(unpaid + oneOff);
        expect(account.outstanding).toBeGreaterThanOrEqual(unpaid);
        await expectJournalMatches(accountId);
      }),
      { numRuns: 6 },
    );
  }, 300_000);
});
