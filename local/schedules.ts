/**
 * The scheduled jobs of the deployed stack (EventBridge rules), run in-process by `npm start` on the
 * intervals the configuration gives. Each job registers itself in JOBS.
 */
import { logger } from '../shared/observability/logger.js';

export interface ScheduledJob {
  name: string;
  intervalSeconds: number;
  run: () => Promise<unknown>;
}

export const JOBS: ScheduledJob[] = [];

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
