/** GET /v1/promotions (risk): every promotion, past, present and future, in id order, one page at a time. */
import { PageQuery } from '../../shared/accounts/schemas.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { decodePromotionCursor, listPromotionsPage } from '../../shared/promotions/repository.js';

export const handler = httpHandler({ scopes: ['risk'], query: PageQuery }, async ({ query }) => {
  const afterId = query.cursor === undefined ? undefined : decodePromotionCursor(query.cursor);
  if (query.cursor !== undefined && afterId === undefined) throw new ApiError('validation_failed', 'cursor: not a cursor this API returned.', 'cursor');
  const page = await listPromotionsPage(query.limit, afterId);
  return jsonResponse(200, { object: 'list', data: page.data.map((p) => ({ object: 'promotion', ...p })), nextCursor: page.nextCursor });
});
