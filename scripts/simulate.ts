/**
 * `npm run simulate -- --accounts 2000 --checkouts 20000 [--concurrency 64] [--out file.svg] [--url URL --admin-key KEY]`
 * A 618 flash sale against the local stack: without --url it starts its own DynamoDB Local (in memory) and
 * the API in this process. Prints a live progress bar and a summary, and writes an SVG chart of latency and
 * approval rate over time. Exits non-zero if anything was oversold or a journal did not reconcile. The books check
 * reads each journal as a poller does, so it first waits for the burst to settle (JOURNAL_SETTLE_MS, 1 min default).
 */
import { SingleBar, Presets } from 'cli-progress';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { lineChart, type Series } from '../simulation/chart.js';
import { runSimulation, type SimulationResult } from '../simulation/run.js';

const Args = z.object({
  accounts: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  checkouts: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  concurrency: z.coerce.number().int().min(1).max(1_024).default(64),
  out: z.string().default(`simulation-${new Date().toISOString().replace(/[:.]/g, '-')}.svg`),
  url: z.string().url().optional(),
  'admin-key': z.string().optional(),
  seed: z.coerce.number().int().default(618),
});

type Args = z.infer<typeof Args>;

async function main(): Promise<void> {
  const args = parseCommandLine();
  const stack = args.url ? externalStack(args.url, args) : await localStack();
  const bar = progressBar();
  const result = await runSimulation({
    url: stack.url,
    adminKey: stack.adminKey,
    accounts: args.accounts,
    checkouts: args.checkouts,
    concurrency: args.concurrency,
    seed: args.seed,
    onProgress: bar.update,
  });
  bar.stop();
  await stack.stop();
  writeFileSync(args.out, chart(args, result));
  process.stdout.write(summary(args, result).join('\n'));
  if (
    result.oversold > 0 ||
    result.unreconciled > 0 ||
    result.inconsistentReplays > 0 ||
    result.quotaViolations > 0
  )
    process.exit(1);
}

function parseCommandLine(): Args {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string' },
      checkouts: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      'admin-key': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  return Args.parse(values);
}

/** Where the simulation runs, and how to stop what was started for it. */
interface Stack {
  url: string;
  adminKey: string;
  stop: () => Promise<void>;
}

/** A stack someone else runs: nothing to start or stop. */
function externalStack(url: string, args: Args): Stack {
  const adminKey = args['admin-key'] ?? process.env['ADMIN_API_KEY'] ?? 'local-admin-key';
  return { url, adminKey, stop: async () => {} };
}

/** DynamoDB Local (in memory) and the API in this process, with an admin key of this run's own. */
async function localStack(): Promise<Stack> {
  const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
  process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  process.env['TABLE_NAME'] = 'simulation';
  // The simulation measures the sale, not the velocity rule (many checkouts per account): off unless asked for.
  process.env['VELOCITY_MAX'] ??= '0';
  const adminKey = `sim-admin-${process.pid}`;
  const { startApp } = await import('../local/app.js');
  const app = await startApp({ port: 0, adminApiKey: adminKey });
  const stop = async () => {
    await app.close();
    await dynamo.stop();
  };
  return { url: app.url, adminKey, stop };
}

/** One bar that restarts its total whenever the simulation enters a new stage. */
function progressBar(): { update: (done: number, total: number, name: string) => void; stop: () => void } {
  const bar = new SingleBar(
    { format: '{stage} [{bar}] {value}/{total} {percentage}% | {duration}s', hideCursor: true },
    Presets.shades_classic,
  );
  let stage = '';
  bar.start(1, 0, { stage: 'starting' });
  const update = (done: number, total: number, name: string) => {
    if (name !== stage) {
      stage = name;
      bar.setTotal(total);
    }
    bar.update(done, { stage: name.padEnd(18) });
  };
  return { update, stop: () => bar.stop() };
}

/** Latency (left axis) and approval rate (right axis) per second of the burst, as SVG. */
function chart(args: Args, result: SimulationResult): string {
  const series = (
    label: string,
    color: string,
    axis: Series['axis'],
    y: (t: Timeline) => number,
  ): Series => ({
    label,
    color,
    axis,
    points: result.timeline.map((t) => [t.second, y(t)]),
  });
  return lineChart(
    `618 flash sale: ${args.checkouts} checkouts over ${args.accounts} accounts`,
    'seconds since the burst began',
    { label: 'authorize latency (ms)', max: Math.max(1, ...result.timeline.map((t) => t.p99Ms)) },
    { label: 'approval rate (%)', max: 100 },
    [
      series('p50 latency (ms)', '#1f77b4', 'left', (t) => t.p50Ms),
      series('p99 latency (ms)', '#ff7f0e', 'left', (t) => t.p99Ms),
      series('approval rate (%)', '#2ca02c', 'right', (t) => t.approvalRate * 100),
    ],
  );
}

type Timeline = SimulationResult['timeline'][number];

function summary(args: Args, result: SimulationResult): string[] {
  const declined =
    Object.entries(result.declined)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none';
  return [
    '',
    `618 simulation: ${result.checkouts} checkouts on ${result.accounts} accounts in ${result.durationSeconds.toFixed(1)} s (${(result.checkouts / result.durationSeconds).toFixed(0)}/s)`,
    `  festival uplift applied: ${(result.promoLimitTotal / 100).toFixed(2)} CNY of promotional credit in total`,
    `  electronics quota drawn: ${(result.quotaUsedTotal / 100).toFixed(2)} CNY; accounts over-drawn or off: ${result.quotaViolations}`,
    `  approved ${result.approved}, pending review ${result.pendingReview}, captured ${result.captured}, released ${result.released}`,
    `  618 coupons: ${result.couponsIssued} issued, ${result.installmentCaptures} captures in 12 installments, ${result.couponsRedeemed} coupons redeemed, ${result.couponRaceLosses} lost to another checkout's capture`,
    `  618 platform budget: ${(result.budget.drawn / 100).toFixed(2)} of ${(result.budget.amount / 100).toFixed(2)} CNY drawn (${((100 * result.budget.drawn) / result.budget.amount).toFixed(1)}%) at the end, ${result.budget.exhaustedDeclines} holds declined budget_exhausted`,
    `  declined by reason: ${declined}`,
    `  duplicates sent ${result.duplicatesSent}, retries after lost responses ${result.retriesSent}, inconsistent replays ${result.inconsistentReplays}`,
    `  authorize latency p50 ${result.authorizeP50Ms.toFixed(1)} ms, p99 ${result.authorizeP99Ms.toFixed(1)} ms`,
    `  oversell: ${result.oversold} accounts; journal reconciled: ${result.unreconciled === 0 ? 'yes, every account' : `NO, ${result.unreconciled} accounts differ`}`,
    `  chart: ${args.out}`,
    '',
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`simulation failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
