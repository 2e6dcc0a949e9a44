/**
 * The billing run: every account, bucket by bucket through the accounts index, billed as of one instant
 * (shared/installments/service.ts `billAccount`). Billing an account twice the same day changes nothing, so a run
 * that stops part-way is simply run again. Locally (and from POST /v1/jobs/billing) it runs in this process.
 */
import { listAccountIds } from '../accounts/repository.js';
import { logger } from '../observability/logger.js';
import { ACCOUNT_BUCKETS } from '../storage/table.js';
import { billAccount } from './service.js';

/** Account ids read per page of a bucket (one Query). */
const BILLING_PAGE = 100;
/** Pages one bucket may take: a million accounts per bucket, far beyond this line; reaching it is a loop bug. */
const MAX_PAGES_PER_BUCKET = 10_000;

export interface BillingRun {
  id: string;
  asOf: string;
  accounts: number;
  overdue: number;
}

/** The run's id: one per day, so starting it again the same day names the same run. */
export const billingRunId = (nowMs: number): string =>
  `billing_${new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '')}`;

export async function runBilling(nowMs: number = Date.now()): Promise<BillingRun> {
  const run: BillingRun = {
    id: billingRunId(nowMs),
    asOf: new Date(nowMs).toISOString(),
    accounts: 0,
    overdue: 0,
  };
  for (let bucket = 0; bucket < ACCOUNT_BUCKETS; bucket += 1) {
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES_PER_BUCKET; page += 1) {
      const { ids, lastId } = await listAccountIds(bucket, BILLING_PAGE, after);
      for (const id of ids) {
        const billed = await billAccount(id, nowMs);
        run.accounts += 1;
        run.overdue += billed?.overdue ?? 0;
      }
      if (lastId === null) break;
      after = lastId;
    }
  }
  logger.info('billing run finished', { ...run });
  return run;
}
