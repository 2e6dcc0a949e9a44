/** GET /v1/promotions (risk): every promotion, past, present and future, in id order, one page at a time. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { listCursors } from '../../shared/pagination/cursors.js';
import { PromotionListPosition, listPromotionsPage } from '../../shared/promotions/repository.js';

/** The cursor scope of this list: its cursors open nowhere else. */
const CURSOR_SCOPE = 'promotions';

export const handler = httpHandler({ scopes: ['risk'], query: PageQuery }, async ({ query }) => {
  const cursors = await listCursors(CURSOR_SCOPE);
  const from = cursors.open(query.cursor, PromotionListPosition);
  const page = await listPromotionsPage(query.limit, from?.after);
  return jsonResponse(200, {
    object: 'list',
    data: page.data.map((p) => ({ object: 'promotion', ...p })),
    nextCursor: page.after === null ? null : cursors.seal({ after: page.after }),
  });
});
