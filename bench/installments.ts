/**
 * Capture with a 12-installment plan and an interest-free coupon, against a plain capture, end to end over HTTP
 * at c=16 in alternating rounds (bench/rounds.ts): `captureWithInstallmentsP50Ratio` (target <= 1.2). Both write
 * one TransactWriteItems after one TransactGetItems, of the same items (the plan rides on the hold's own update,
 * its id and the coupon's redemption on the account's); the plan capture's snapshot has one more key (the
 * coupon's terms) and its hold and account updates carry more.
 *
 * bench/run.ts calls `measureInstallments` with its running API; `npx tsx bench/installments.ts` runs it alone
 * (its own DynamoDB Local and API), small: BENCH_INSTALLMENTS_REQUESTS requests per side and round.
 */
import { randomUUID } from 'node:crypto';
import { runAlone, type Target } from './api.js';
import { inParallel, type LoadResult, type PreparedRequest, runLoad } from './load.js';
import { type CpuPerRequest, cpuPerRequest, describeCpu, findProcesses, meanCpu } from './proc-cpu.js';
import { alternate, benchRounds, describeStat, pairedRatios, type RatioStat } from './rounds.js';

/** Requests per side and round: enough for a stable p50; override small with BENCH_INSTALLMENTS_REQUESTS. */
const REQUESTS = Number(process.env['BENCH_INSTALLMENTS_REQUESTS'] ?? 1_200);
/**
 * Nine rounds (RATIO_ROUNDS, benchRounds' default), not five: this ratio's target sits within how far a five-round
 * median drifted run to run on this machine (1.13 to 1.29 for the same code), and a median of nine pairs of
 * shorter rounds moves less for about the same number of requests. BENCH_ROUNDS overrides it.
 */
const ROUNDS = benchRounds();
const CONCURRENCY = 16;
/** Holds and coupons made at once before each round (setup, not measured). */
const SETUP_CONCURRENCY = 16;
/** 1,000.00: above the installment minimum, far below the review threshold. */
const HOLD_AMOUNT = 100_000;
const DAY_MS = 86_400_000;
/** Captures of each kind before the rounds, not measured. */
const WARM_UP = Math.min(REQUESTS, 200);

export interface InstallmentsBench {
  plain: LoadResult[];
  installments: LoadResult[];
  p50Ratio: RatioStat;
  /** CPU per request of the API, DynamoDB Local and the load generator (mean of the rounds), where measurable. */
  cpu?: { plain: CpuPerRequest; installments: CpuPerRequest };
  /** What one capture of each kind sends DynamoDB (counted on an in-process app's client). */
  calls: { plain: CaptureCalls; installments: CaptureCalls };
}

/** The DynamoDB commands one capture sends, the items of its transaction and the bytes of its requests. */
export interface CaptureCalls {
  commands: string[];
  writeItems: number;
  requestBytes: number;
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

/** One side of a round: holds made just before, then the captures under load (their CPU, where measurable). */
async function captureRound(t: Target, requests: number, withCoupons: boolean, label: string) {
  const holds = await prepare(t, requests, withCoupons);
  const load = () => runLoad(label, t.url, CONCURRENCY, captureRequests(t.shopKey, holds));
  const processes = findProcesses(Number(new URL(t.url).port), dynamoPort());
  if (!processes) return { load: await load(), cpu: undefined };
  const { result, cpu } = await cpuPerRequest(processes, requests, load);
  return { load: result, cpu };
}

const dynamoPort = (): number => Number(new URL(process.env['DYNAMODB_ENDPOINT'] ?? 'http://x:0').port);

/** Alternating rounds: plain capture, then capture with a plan and a coupon, each on holds made just before. */
export async function measureInstallments(t: Target, requests = REQUESTS): Promise<InstallmentsBench> {
  const calls = await countCaptureCalls(t);
  t.log(`  DynamoDB per capture: ${JSON.stringify(calls)}`);
  // Unmeasured: both paths once warm (JIT, connections), so round 1's plain side does not pay for it.
  for (const withCoupons of [false, true]) await captureRound(t, WARM_UP, withCoupons, 'warm-up');
  const rounds = await alternate(
    ROUNDS,
    (i) => captureRound(t, requests, false, `capture c=${CONCURRENCY}, round ${i + 1}`),
    (i) =>
      captureRound(t, requests, true, `capture + 12 installments + coupon c=${CONCURRENCY}, round ${i + 1}`),
  );
  for (const { load: r, cpu } of [...rounds.floor, ...rounds.service])
    t.log(
      `  ${r.label}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${JSON.stringify(r.statuses)}` +
        (cpu ? `; ${describeCpu(cpu)}` : ''),
    );
  const loads = { floor: rounds.floor.map((r) => r.load), service: rounds.service.map((r) => r.load) };
  const p50Ratio = pairedRatios(loads, (inst, plain) => inst.p50Ms / plain.p50Ms);
  t.log(`  capture with installments / plain capture at c=16: p50 ${describeStat(p50Ratio)}`);
  const plainCpu = rounds.floor.flatMap((r) => (r.cpu ? [r.cpu] : []));
  const instCpu = rounds.service.flatMap((r) => (r.cpu ? [r.cpu] : []));
  const cpu =
    plainCpu.length === ROUNDS && instCpu.length === ROUNDS
      ? { plain: meanCpu(plainCpu), installments: meanCpu(instCpu) }
      : undefined;
  if (cpu)
    t.log(`  CPU plain: ${describeCpu(cpu.plain)}; with installments: ${describeCpu(cpu.installments)}`);
  return { plain: loads.floor, installments: loads.service, p50Ratio, calls, ...(cpu ? { cpu } : {}) };
}

/**
 * One plain capture and one capture with a 12-installment plan and a coupon, each through an in-process app on
 * the same table, counting on its DynamoDB client the commands sent, the items of the write transaction and the
 * bytes of the requests (what DynamoDB has to parse).
 */
async function countCaptureCalls(t: Target): Promise<{ plain: CaptureCalls; installments: CaptureCalls }> {
  const { dynamoClient } = await import('../shared/storage/dynamo-client.js');
  const { startApp } = await import('../local/app.js');
  let seen: CaptureCalls = { commands: [], writeItems: 0, requestBytes: 0 };
  const name = 'benchInstallmentsCalls';
  dynamoClient.middlewareStack.add(
    (next, context) => (args) => {
      seen.commands.push(String(context.commandName).replace(/Command$/, ''));
      const items = (args.input as { TransactItems?: unknown[] }).TransactItems;
      if (context.commandName === 'TransactWriteItemsCommand') seen.writeItems += items?.length ?? 0;
      return next(args);
    },
    { step: 'initialize', name },
  );
  dynamoClient.middlewareStack.add(
    (next) => (args) => {
      const body = (args.request as { body?: unknown }).body;
      // A string, or bytes (the JSON protocol's adapter is a Uint8Array).
      if (typeof body === 'string') seen.requestBytes += Buffer.byteLength(body);
      else if (body instanceof Uint8Array) seen.requestBytes += body.byteLength;
      return next(args);
    },
    { step: 'finalizeRequest', name: `${name}Bytes` },
  );
  const app = await startApp({ port: 0, adminApiKey: t.adminKey });
  const count = async (withCoupon: boolean): Promise<CaptureCalls> => {
    const [hold] = await prepare(t, 1, withCoupon);
    const [request] = captureRequests(t.shopKey, [hold!]);
    seen = { commands: [], writeItems: 0, requestBytes: 0 };
    const response = await fetch(`${app.url}${request!.path}`, {
      method: request!.method,
      headers: request!.headers,
      body: request!.body,
    });
    if (response.status !== 200) throw new Error(`capture: ${response.status} ${await response.text()}`);
    return seen;
  };
  try {
    await count(false); // the key is resolved and cached (as API Gateway caches it) before counting
    return { plain: await count(false), installments: await count(true) };
  } finally {
    await app.close();
    dynamoClient.middlewareStack.remove(name);
    dynamoClient.middlewareStack.remove(`${name}Bytes`);
  }
}

/** The keys this measurement adds to the bench's closing JSON line. */
export const installmentsSummary = (b: InstallmentsBench): Record<string, number> => ({
  captureWithInstallmentsP50Ratio: Math.round(b.p50Ratio.median * 100) / 100,
  captureWithInstallmentsP50RatioSpread: Math.round((b.p50Ratio.max - b.p50Ratio.min) * 100) / 100,
  dynamoCallsPerCapture: b.calls.plain.commands.length,
  dynamoCallsPerCaptureWithInstallments: b.calls.installments.commands.length,
  ...(b.cpu
    ? {
        captureCpuMsPerRequest: Math.round(b.cpu.plain.totalMs * 100) / 100,
        captureWithInstallmentsCpuMsPerRequest: Math.round(b.cpu.installments.totalMs * 100) / 100,
      }
    : {}),
});

if (process.argv[1]?.endsWith('installments.ts'))
  await runAlone({ tableName: 'bench_installments', accountPrefix: 'inst', accountCount: 64 }, async (t) =>
    installmentsSummary(await measureInstallments(t)),
  );
