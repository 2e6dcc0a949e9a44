/** POST /v1/jobs/limit-refresh (risk): starts a refresh run (or a dry run) and answers 202 with the job. */
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { dispatchSegments } from '../../shared/limits/dispatch.js';
import { startRefreshJob } from '../../shared/limits/job.js';
import { RefreshJobBody } from '../../shared/limits/schemas.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/jobs/limit-refresh',
    scopes: ['risk'],
    body: RefreshJobBody,
    access: { table: 'write', enqueuesRefresh: true },
    docs: {
      operationId: 'startLimitRefresh',
      summary: 'Start a limit refresh (or a dry run)',
      success: { status: 202, schema: 'Job', description: 'The started job; poll GET /v1/jobs/{id}.' },
    },
  },
  async ({ body }) => {
    const { job, tasks } = await startRefreshJob({ dryRun: body.dryRun });
    await dispatchSegments(tasks);
    return jsonResponse(202, job);
  },
);

export const handler = route.handler;
