/** GET /v1/jobs/{id} (risk): a job's progress (processed, changed, failed) and, for dry runs, its summary. */
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { getJob } from '../../shared/jobs/repository.js';

export const handler = httpHandler({ scopes: ['risk'] }, async ({ params }) => {
  const job = await getJob(params['id'] ?? '');
  if (!job) throw new ApiError('job_not_found');
  return jsonResponse(200, job);
});
