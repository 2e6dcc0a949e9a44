/** GET /v1/reviews (risk): holds waiting for a manual decision, oldest first. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { ReviewQueuePosition, listPendingReviews } from '../../shared/authorizations/repository.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { listCursors } from '../../shared/pagination/cursors.js';

/** The cursor scope of this list: its cursors open nowhere else. */
const CURSOR_SCOPE = 'reviews';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/reviews',
    scopes: ['risk'],
    query: PageQuery,
    access: { table: 'read', sealsCursors: true },
    docs: {
      operationId: 'listReviews',
      summary: 'Holds waiting for manual review',
      success: {
        status: 200,
        schema: 'ReviewPage',
        description: 'One page of the queue, oldest first.',
      },
    },
  },
  async ({ query }) => {
    const cursors = await listCursors(CURSOR_SCOPE);
    const page = await listPendingReviews(query.limit, cursors.open(query.cursor, ReviewQueuePosition));
    return jsonResponse(200, {
      object: 'list',
      data: page.data.map(toAuthorizationResource),
      nextCursor: page.next === null ? null : cursors.seal(page.next),
    });
  },
);

export const handler = route.handler;
