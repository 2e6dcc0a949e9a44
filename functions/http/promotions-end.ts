/**
 * POST /v1/promotions/{id}/end (admin): ends a promotion now, or at its start if it has not started (it then never
 * applies). Idempotent: ending an ended promotion answers it unchanged. A refresh run it starts withdraws its uplift.
 */
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { PROMOTIONS_BY_END_PARTITION } from '../../shared/storage/table.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { stagePromotionChange } from '../../shared/limits/staging.js';
import { endPromotion } from '../../shared/promotions/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/promotions/{id}/end',
    scopes: ['admin'],
    access: { table: 'write', deletesFrom: [PROMOTIONS_BY_END_PARTITION], enqueuesRefresh: true },
    docs: {
      operationId: 'endPromotion',
      summary: 'End a promotion now',
      success: { status: 200, schema: 'PromotionResource', description: 'The ended promotion.' },
      errors: ['promotion_not_found'],
    },
  },
  async ({ params }) => {
    const promotion = await endPromotion(params['id'] ?? '', new Date());
    if (!promotion) throw new ApiError('promotion_not_found');
    // Ending stages at once too: the run folds the promotion out of every account it was staged on.
    await stagePromotionChange();
    return jsonResponse(200, { object: 'promotion', ...promotion });
  },
);

export const handler = route.handler;
