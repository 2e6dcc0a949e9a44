/**
 * GET /v1/jobs/{id} (risk): a job's progress: a limit refresh's (processed, changed, failed and, for dry runs,
 * its summary) or a coupon campaign's (processed, issued, alreadyIssued, notEligible, failed).
 */
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { getJob } from '../../shared/jobs/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/jobs/{id}',
    scopes: ['risk'],
    access: { table: 'read' },
    docs: {
      operationId: 'getJob',
      summary: "A job's progress",
      success: {
        status: 200,
        schema: 'AnyJob',
        description: 'The job: a limit refresh or a coupon campaign.',
      },
      errors: ['job_not_found'],
    },
  },
  async ({ params }) => {
    const job = await getJob(params['id'] ?? '');
    if (!job) throw new ApiError('job_not_found');
    return jsonResponse(200, job);
  },
);

export const handler = route.handler;
