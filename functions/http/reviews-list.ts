/** GET /v1/reviews (risk): holds waiting for a manual decision, oldest first. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { toAuthorizationResource } from '../../shared/authorizations/model.js';
import { ReviewQueuePosition, listPendingReviews } from '../../shared/authorizations/repository.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { listCursors } from '../../shared/pagination/cursors.js';

/** The cursor scope of this list: its cursors open nowhere else. */
const CURSOR_SCOPE = 'reviews';

export const handler = httpHandler({ scopes: ['risk'], query: PageQuery }, async ({ query }) => {
  const cursors = await listCursors(CURSOR_SCOPE);
  const page = await listPendingReviews(query.limit, cursors.open(query.cursor, ReviewQueuePosition));
  return jsonResponse(200, {
    object: 'list',
    data: page.data.map(toAuthorizationResource),
    nextCursor: page.next === null ? null : cursors.seal(page.next),
  });
});
