/**
 * `npm run refresh [-- --dry-run]`: runs the limit refresh from the terminal with a progress bar. If the local
 * API is up (`npm start`, PORT / ADMIN_API_KEY as it uses them) the run goes through it; otherwise this starts
 * DynamoDB Local on DATA_DIR itself and runs the job in-process.
 */
import { Presets, SingleBar } from 'cli-progress';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';

interface JobView {
  id: string;
  status: string;
  processed: number;
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  failureReason?: string;
  segmentsDone: number;
  segmentsTotal: number;
  dryRun: boolean;
  summary: { rise: number; fall: number; unchanged: number; totalIncrease: number; totalDecrease: number };
}

const POLL_MS = 200;

/** The bar moves by segments done (a run has a fixed number); accounts processed and changed ride along. */
function show(bar: SingleBar, view: JobView): void {
  bar.setTotal(view.segmentsTotal);
  bar.update(view.segmentsDone, { processed: view.processed, changed: view.changed });
}

async function viaApi(
  url: string,
  key: string,
  dryRun: boolean,
  bar: SingleBar,
): Promise<JobView | undefined> {
  let started: Response;
  try {
    started = await fetch(`${url}/v1/jobs/limit-refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun }),
    });
  } catch {
    return undefined; // nothing listening: run in-process instead
  }
  if (started.status !== 202) throw new Error(`the API answered ${started.status}: ${await started.text()}`);
  const job = (await started.json()) as JobView;
  for (;;) {
    const view = (await (
      await fetch(`${url}/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as JobView;
    show(bar, view);
    if (view.status !== 'running') return view;
    await sleep(POLL_MS);
  }
}

async function inProcess(dryRun: boolean, bar: SingleBar): Promise<JobView> {
  const dynamo = process.env['DYNAMODB_ENDPOINT']
    ? undefined
    : await startDynamoDbLocal({ dataDir: process.env['DATA_DIR'] || '.data' });
  if (dynamo) process.env['DYNAMODB_ENDPOINT'] = dynamo.endpoint;
  try {
    const { ensureTable } = await import('../shared/storage/create-table.js');
    const { config } = await import('../shared/config.js');
    await ensureTable(config.tableName);
    const { startRefreshJob, runTasksInProcess } = await import('../shared/limits/job.js');
    const { getJob } = await import('../shared/jobs/repository.js');
    const { job, tasks } = await startRefreshJob({ dryRun });
    let finished = false;
    const running = runTasksInProcess(tasks, 4).finally(() => (finished = true));
    while (!finished) {
      const view = (await getJob(job.id))!;
      show(bar, view);
      await sleep(POLL_MS);
    }
    await running;
    return (await getJob(job.id)) as unknown as JobView;
  } finally {
    const { dynamoClient } = await import('../shared/storage/dynamo-client.js');
    dynamoClient.destroy();
    await dynamo?.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
  const dryRun = values['dry-run'] ?? false;
  const url = `http://127.0.0.1:${process.env['PORT'] || 3000}`;
  const key = process.env['ADMIN_API_KEY'] || 'local-admin-key';
  const bar = new SingleBar(
    {
      format:
        'limit refresh [{bar}] {value}/{total} segments | {processed} accounts | {changed} changed | {duration}s',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(1, 0, { changed: 0 });
  const job = (await viaApi(url, key, dryRun, bar)) ?? (await inProcess(dryRun, bar));
  bar.update(job.processed, { changed: job.changed });
  bar.stop();
  const s = job.summary;
  process.stdout.write(
    `${dryRun ? 'Dry run' : 'Refresh'} ${job.id} ${job.status}: ${job.processed} accounts, ${job.changed} written, ` +
      `${job.unchanged} unchanged, ${job.skipped} skipped, ${job.failed} failed${job.failureReason ? ` (${job.failureReason})` : ''}\n` +
      `  would rise: ${s.rise} (+${(s.totalIncrease / 100).toFixed(2)}), fall: ${s.fall} (-${(s.totalDecrease / 100).toFixed(2)}), unchanged: ${s.unchanged}\n`,
  );
  if (job.status !== 'succeeded') process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`refresh failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
