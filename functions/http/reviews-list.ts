/** GET /v1/reviews (risk): holds waiting for a manual decision, oldest first. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { listPendingReviews } from '../../shared/authorizations/repository.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';

export const handler = httpHandler({ scopes: ['risk'], query: PageQuery }, async ({ query }) => {
  const { limit, cursor } = query;
  const page = await listPendingReviews(limit, cursor);
  return jsonResponse(200, { object: 'list', data: page.data.map(toAuthorizationResource), nextCursor: page.nextCursor });
});
