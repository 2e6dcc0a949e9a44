/**
 * A small 618 simulation against the real local service: duplicates and retries included, nothing is
 * oversold, no category quota is over-drawn, every journal reconciles, and every replay answers what the first
 * request was answered.
 */
import { runSimulation } from '../../simulation/run.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  // The books are checked right after the burst: read the journal as if the settling lag had passed.
  app = await startTestApp({ VELOCITY_MAX: '0' }, { journalClock: 'settled' });
});
afterAll(() => app.close());

describe('npm run simulate (small)', () => {
  it('ends with oversell = 0, the quota exact and every journal reconciled', async () => {
    const result = await runSimulation({
      url: app.url,
      adminKey: ADMIN_KEY,
      accounts: 25,
      checkouts: 300,
      concurrency: 16,
      seed: 7,
    });
    expect(result.oversold).toBe(0);
    expect(result.unreconciled).toBe(0);
    expect(result.quotaViolations).toBe(0);
    expect(result.quotaUsedTotal).toBeGreaterThan(0);
    expect(result.inconsistentReplays).toBe(0);
    expect(result.approved).toBeGreaterThan(0);
    expect(result.captured + result.released).toBe(result.approved);
    expect(result.duplicatesSent + result.retriesSent).toBeGreaterThan(0);
    expect(result.promoLimitTotal).toBeGreaterThan(0);
    expect(result.timeline.length).toBeGreaterThan(0);
    // The 618 coupons: part of the checkouts are captured in installments, some redeeming a coupon, each at most once.
    expect(result.couponsIssued).toBe(13);
    expect(result.installmentCaptures).toBeGreaterThan(0);
    expect(result.couponsRedeemed).toBeGreaterThan(0);
    expect(result.couponsRedeemed).toBeLessThanOrEqual(result.couponsIssued);
    // The overall budget in force over the burst: drawn, never above its amount, drawn + remaining = amount.
    expect(result.budget.drawn).toBeGreaterThan(0);
    expect(result.budget.drawn).toBeLessThanOrEqual(result.budget.amount);
    expect(result.budget.drawn + result.budget.remaining).toBe(result.budget.amount);
  });

  it('serves the OpenAPI document at GET /openapi.json', async () => {
    const response = await fetch(`${app.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});
