/**
 * Staging a promotion change at once: creating or ending a promotion starts a refresh run, which writes every
 * eligible account's promotion windows and quota grants (policy/promotion-windows.ts) well before the promotion
 * starts when it is created ahead (in AWS its segments go to the refresh queue; locally they run in this process).
 * The nightly refresh stages it too; this run only saves waiting for it. Runs are idempotent and race reserves
 * safely (shared/limits/refresh.ts), so a second change while one runs simply starts another.
 */
import { config } from '../config.js';
import { dispatchSegments } from './dispatch.js';
import { startRefreshJob } from './job.js';

/** Starts the staging run of a promotion change; its job id, or undefined when PROMOTION_STAGING=scheduled. */
export async function stagePromotionChange(): Promise<string | undefined> {
  if (!config.stagePromotionsOnChange) return undefined;
  const { job, tasks } = await startRefreshJob({ dryRun: false });
  await dispatchSegments(tasks);
  return job.id;
}
