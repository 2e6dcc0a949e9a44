/**
 * The scheduled jobs of the deployed stack (EventBridge rules), run in-process by `npm start` on the
 * intervals the configuration gives. Each job registers itself in JOBS.
 */
import { sweepExpiredHolds } from '../shared/authorizations/expiry.js';
import { config } from '../shared/config.js';
import { billInProcess, dispatchPromotionStarts } from '../shared/installments/billing-run.js';
import { runRefreshJobInProcess } from '../shared/limits/job.js';
import { logger } from '../shared/observability/logger.js';
import { scheduledRefreshPaused } from '../shared/settings/source.js';

export interface ScheduledJob {
  name: string;
  intervalSeconds: number;
  run: () => Promise<unknown>;
}

/** One local run may take at most this long; like the Lambda's timeout, the next run continues. */
const LOCAL_SWEEP_BUDGET_MS = 30_000;

export const JOBS: ScheduledJob[] = [
  {
    name: 'expiry-sweeper',
    intervalSeconds: config.expirySweepIntervalSeconds,
    run: () => sweepExpiredHolds({ budgetMs: LOCAL_SWEEP_BUDGET_MS }),
  },
  {
    // As the billing scheduler's every-minute rule in AWS: each promotion that started gets its notices run.
    name: 'promotion-starts',
    intervalSeconds: config.expirySweepIntervalSeconds,
    run: () => dispatchPromotionStarts(Date.now(), billInProcess),
  },
  {
    name: 'limit-refresh',
    intervalSeconds: config.limitRefreshIntervalSeconds,
    // As the deployed scheduler: no run while the risk settings pause the scheduled refresh.
    run: async () =>
      (await scheduledRefreshPaused()) ? undefined : runRefreshJobInProcess({ dryRun: false }),
  },
];

export function startSchedules(jobs: ScheduledJob[] = JOBS): { stop: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let busy = false;
    return setInterval(() => {
      if (busy) return; // never overlap a job with itself
      busy = true;
      const run = job
        .run()
        .catch((error: unknown) => logger.error('scheduled job failed', { job: job.name, error }))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    }, job.intervalSeconds * 1000);
  });
  return {
    stop: async () => {
      timers.forEach(clearInterval);
      await Promise.allSettled([...running]);
    },
  };
}
