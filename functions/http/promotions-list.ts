/** GET /v1/promotions (risk): every promotion, past, present and future, in id order, one page at a time. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { listCursors } from '../../shared/pagination/cursors.js';
import { PromotionListPosition, listPromotionsPage } from '../../shared/promotions/repository.js';

/** The cursor scope of this list: its cursors open nowhere else. */
const CURSOR_SCOPE = 'promotions';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/promotions',
    scopes: ['risk'],
    query: PageQuery,
    access: { table: 'read', sealsCursors: true },
    docs: {
      operationId: 'listPromotions',
      summary: 'List promotions',
      success: {
        status: 200,
        schema: 'PromotionList',
        description: 'Every promotion, past, present and future, in id order, a page at a time.',
      },
    },
  },
  async ({ query }) => {
    const cursors = await listCursors(CURSOR_SCOPE);
    const from = cursors.open(query.cursor, PromotionListPosition);
    const page = await listPromotionsPage(query.limit, from?.after);
    return jsonResponse(200, {
      object: 'list',
      data: page.data.map((p) => ({ object: 'promotion', ...p })),
      nextCursor: page.after === null ? null : cursors.seal({ after: page.after }),
    });
  },
);

export const handler = route.handler;
