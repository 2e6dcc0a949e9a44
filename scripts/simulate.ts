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
import { lineChart } from '../simulation/chart.js';
import { runSimulation } from '../simulation/run.js';

const Args = z.object({
  accounts: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  checkouts: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  concurrency: z.coerce.number().int().min(1).max(1_024).default(64),
  out: z.string().default(`simulation-${new Date().toISOString().replace(/[:.]/g, '-')}.svg`),
  url: z.string().url().optional(),
  'admin-key': z.string().optional(),
  seed: z.coerce.number().int().default(618),
});

async function main(): Promise<void> {
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
  const args = Args.parse(values);
  let stop = async (): Promise<void> => {};
  let url = args.url;
  let adminKey = args['admin-key'] ?? process.env['ADMIN_API_KEY'] ?? 'local-admin-key';
  if (!url) {
    const dynamo = await startDynamoDbLocal({ dataDir: ':memory:' });
    process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
    process.env['TABLE_NAME'] = 'simulation';
    process.env['VELOCITY_MAX'] ??= '1000';
    adminKey = `sim-admin-${process.pid}`;
    const { startApp } = await import('../local/app.js');
    const app = await startApp({ port: 0, adminApiKey: adminKey });
    url = app.url;
    stop = async () => {
      await app.close();
      await dynamo.stop();
    };
  }
  const bar = new SingleBar(
    { format: '{stage} [{bar}] {value}/{total} {percentage}% | {duration}s', hideCursor: true },
    Presets.shades_classic,
  );
  let stage = '';
  bar.start(1, 0, { stage: 'starting' });
  const result = await runSimulation({
    url,
    adminKey,
    accounts: args.accounts,
    checkouts: args.checkouts,
    concurrency: args.concurrency,
    seed: args.seed,
    onProgress: (done, total, name) => {
      if (name !== stage) {
        stage = name;
        bar.setTotal(total);
      }
      bar.update(done, { stage: name.padEnd(18) });
    },
  });
  bar.stop();
  await stop();

  writeFileSync(
    args.out,
    lineChart(
      `618 flash sale: ${args.checkouts} checkouts over ${args.accounts} accounts`,
      'seconds since the burst began',
      { label: 'authorize latency (ms)', max: Math.max(1, ...result.timeline.map((t) => t.p99Ms)) },
      { label: 'approval rate (%)', max: 100 },
      [
        {
          label: 'p50 latency (ms)',
          color: '#1f77b4',
          axis: 'left',
          points: result.timeline.map((t) => [t.second, t.p50Ms]),
        },
        {
          label: 'p99 latency (ms)',
          color: '#ff7f0e',
          axis: 'left',
          points: result.timeline.map((t) => [t.second, t.p99Ms]),
        },
        {
          label: 'approval rate (%)',
          color: '#2ca02c',
          axis: 'right',
          points: result.timeline.map((t) => [t.second, t.approvalRate * 100]),
        },
      ],
    ),
  );
  const declined =
    Object.entries(result.declined)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none';
  process.stdout.write(
    [
      '',
      `618 simulation: ${result.checkouts} checkouts on ${result.accounts} accounts in ${result.durationSeconds.toFixed(1)} s (${(result.checkouts / result.durationSeconds).toFixed(0)}/s)`,
      `  festival uplift applied: ${(result.promoLimitTotal / 100).toFixed(2)} CNY of promotional credit in total`,
      `  electronics quota drawn: ${(result.quotaUsedTotal / 100).toFixed(2)} CNY; accounts over-drawn or off: ${result.quotaViolations}`,
      `  approved ${result.approved}, pending review ${result.pendingReview}, captured ${result.captured}, released ${result.released}`,
      `  declined by reason: ${declined}`,
      `  duplicates sent ${result.duplicatesSent}, retries after lost responses ${result.retriesSent}, inconsistent replays ${result.inconsistentReplays}`,
      `  authorize latency p50 ${result.authorizeP50Ms.toFixed(1)} ms, p99 ${result.authorizeP99Ms.toFixed(1)} ms`,
      `  oversell: ${result.oversold} accounts; journal reconciled: ${result.unreconciled === 0 ? 'yes, every account' : `NO, ${result.unreconciled} accounts differ`}`,
      `  chart: ${args.out}`,
      '',
    ].join('\n'),
  );
  if (
    result.oversold > 0 ||
    result.unreconciled > 0 ||
    result.inconsistentReplays > 0 ||
    result.quotaViolations > 0
  )
    process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulation failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
