/** POST /v1/jobs/limit-refresh (risk): starts a refresh run (or a dry run) and answers 202 with the job. */
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { startRefreshJob } from '../../shared/limits/job.js';
import { RefreshJobBody } from '../../shared/limits/schemas.js';

export const handler = httpHandler({ scopes: ['risk'], body: RefreshJobBody }, async ({ body }) => {
  const { job, tasks } = await startRefreshJob({ dryRun: body.dryRun });
  await dispatchSegments(tasks);
  return jsonResponse(202, job);
});
