/**
 * POST /v1/promotions/{id}/end (admin): ends a promotion now, or at its start if it has not started (it then never
 * applies). Idempotent: ending an ended promotion answers it unchanged. The refresh withdraws its uplift.
 */
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { endPromotion } from '../../shared/promotions/repository.js';

export const handler = httpHandler({ scopes: ['admin'] }, async ({ params }) => {
  const promotion = await endPromotion(params['id'] ?? '', new Date());
  if (!promotion) throw new ApiError('promotion_not_found');
  return jsonResponse(200, { object: 'promotion', ...promotion });
});
