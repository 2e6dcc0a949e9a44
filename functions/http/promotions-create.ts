/**
 * POST /v1/promotions (admin): a festival uplift or a category quota, staged on every eligible account at once
 * by a refresh run the creation starts (shared/limits/staging.ts), so it is in force exactly from startsAt.
 */
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute } from '../../shared/http/route.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { stagePromotionChange } from '../../shared/limits/staging.js';
import { Promotion } from '../../shared/promotions/model.js';
import { createPromotion } from '../../shared/promotions/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/promotions',
    scopes: ['admin'],
    body: Promotion,
    access: { table: 'write', enqueuesRefresh: true },
    docs: {
      operationId: 'createPromotion',
      summary: 'Create a promotion',
      success: { status: 201, schema: 'PromotionResource', description: 'The promotion.' },
      errors: ['promotion_exists'],
    },
  },
  async ({ body }) => {
    // The promotion as stored: its timestamps in the one normalized form (`...:00Z` answers `...:00.000Z`).
    const promotion = await createPromotion(body);
    if (!promotion) throw new ApiError('promotion_exists');
    // Staged on every eligible account now, not at the next nightly refresh.
    await stagePromotionChange();
    return jsonResponse(201, { object: 'promotion', ...promotion });
  },
);

export const handler = route.handler;
