/** GET /v1/promotions (risk): every promotion, past, present and future. */
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { listPromotions } from '../../shared/promotions/repository.js';

export const handler = httpHandler({ scopes: ['risk'] }, async () =>
  jsonResponse(200, { object: 'list', data: (await listPromotions()).map((p) => ({ object: 'promotion', ...p })), nextCursor: null }),
);
