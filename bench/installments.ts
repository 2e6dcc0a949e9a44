/**
 * Capture with a 12-installment plan and an interest-free coupon, against a plain capture, end to end over HTTP
 * at c=16 in alternating rounds (bench/rounds.ts): `captureWithInstallmentsP50Ratio` (target <= 1.2). Both write
 * one TransactWriteItems after one TransactGetItems; the plan capture's transaction holds two more items (the
 * plan's pointer, the coupon's redemption; the plan rides on the hold's own update) and its snapshot one more
 * key (the coupon).
 *
 * bench/run.ts calls `measureInstallments` with its running API; `npx tsx bench/installments.ts` runs it alone
 * (its own DynamoDB Local and API), small: BENCH_INSTALLMENTS_REQUESTS requests per side and round.
 */
import { randomUUID } from 'node:crypto';
import { runAlone, type Target } from './api.js';
import { inParallel, type LoadResult, type PreparedRequest, runLoad } from './load.js';
import { alternate, describeStat, MIN_ROUNDS, pairedRatios, type RatioStat } from './rounds.js';

/** Requests per side and round: enough for a stable p50; override small with BENCH_INSTALLMENTS_REQUESTS. */
const REQUESTS = Number(process.env['BENCH_INSTALLMENTS_REQUESTS'] ?? 2_000);
const ROUNDS = Math.max(MIN_ROUNDS, Number(process.env['BENCH_ROUNDS'] ?? 5));
const CONCURRENCY = 16;
/** Holds and coupons made at once before each round (setup, not measured). */
const SETUP_CONCURRENCY = 16;
/** 1,000.00: above the installment minimum, far below the review threshold. */
const HOLD_AMOUNT = 100_000;
const DAY_MS = 86_400_000;

export interface InstallmentsBench {
  plain: LoadResult[];
  installments: LoadResult[];
  p50Ratio: RatioStat;
}

async function post(url: string, key: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** `count` live holds, each with (if asked) an interest-free 12-installment coupon of its account. */
async function prepare(t: Target, count: number, withCoupons: boolean) {
  const prepared: Array<{ holdId: string; couponId?: string }> = new Array(count);
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    SETUP_CONCURRENCY,
    async (i) => {
      const accountId = t.accounts[i % t.accounts.length];
      const hold = await post(t.url, t.shopKey, '/v1/authorizations', {
        accountId,
        amount: HOLD_AMOUNT,
        currency: 'CNY',
        orderId: `inst-${i}`,
      });
      if (!withCoupons) {
        prepared[i] = { holdId: String(hold['id']) };
        return;
      }
      const coupon = await post(t.url, t.adminKey, '/v1/coupons', {
        accountId,
        kind: 'interest_free',
        counts: [12],
        validFrom: new Date(Date.now() - DAY_MS).toISOString(),
        validUntil: new Date(Date.now() + DAY_MS).toISOString(),
      });
      prepared[i] = { holdId: String(hold['id']), couponId: String(coupon['id']) };
    },
  );
  return prepared;
}

function captureRequests(
  key: string,
  holds: Array<{ holdId: string; couponId?: string }>,
): PreparedRequest[] {
  return holds.map(({ holdId, couponId }) => ({
    method: 'POST' as const,
    path: `/v1/authorizations/${holdId}/capture`,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(couponId ? { installments: { count: 12, couponId } } : {}),
  }));
}

/** Alternating rounds: plain capture, then capture with a plan and a coupon, each on holds made just before. */
export async function measureInstallments(t: Target, requests = REQUESTS): Promise<InstallmentsBench> {
  const rounds = await alternate(
    ROUNDS,
    async (i) => {
      const holds = await prepare(t, requests, false);
      return runLoad(
        `capture c=${CONCURRENCY}, round ${i + 1}`,
        t.url,
        CONCURRENCY,
        captureRequests(t.shopKey, holds),
      );
    },
    async (i) => {
      const holds = await prepare(t, requests, true);
      const label = `capture + 12 installments + coupon c=${CONCURRENCY}, round ${i + 1}`;
      return runLoad(label, t.url, CONCURRENCY, captureRequests(t.shopKey, holds));
    },
  );
  for (const r of [...rounds.floor, ...rounds.service])
    t.log(
      `  ${r.label}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${JSON.stringify(r.statuses)}`,
    );
  const p50Ratio = pairedRatios(rounds, (inst, plain) => inst.p50Ms / plain.p50Ms);
  t.log(`  capture with installments / plain capture at c=16: p50 ${describeStat(p50Ratio)}`);
  return { plain: rounds.floor, installments: rounds.service, p50Ratio };
}

/** The keys this measurement adds to the bench's closing JSON line. */
export const installmentsSummary = (b: InstallmentsBench): Record<string, number> => ({
  captureWithInstallmentsP50Ratio: Math.round(b.p50Ratio.median * 100) / 100,
  captureWithInstallmentsP50RatioSpread: Math.round((b.p50Ratio.max - b.p50Ratio.min) * 100) / 100,
});

if (process.argv[1]?.endsWith('installments.ts'))
  await runAlone({ tableName: 'bench_installments', accountPrefix: 'inst', accountCount: 64 }, async (t) =>
    installmentsSummary(await measureInstallments(t)),
  );
