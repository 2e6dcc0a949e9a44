/** POST /v1/coupons (admin): issues an installment coupon to one account. */
import { randomUUID } from 'node:crypto';
import { type Coupon, CreateCouponBody, toCouponResource } from '../../shared/coupons/model.js';
import { issueCoupon } from '../../shared/coupons/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/coupons',
    scopes: ['admin'],
    body: CreateCouponBody,
    access: { table: 'write' },
    docs: {
      operationId: 'createCoupon',
      summary: 'Issue a coupon to an account',
      success: { status: 201, schema: 'Coupon', description: 'The coupon, status issued.' },
      errors: ['account_not_found'],
    },
  },
  async ({ body }) => {
    const nowIso = new Date().toISOString();
    const coupon: Coupon = {
      ...body,
      id: `cpn_${randomUUID().replaceAll('-', '')}`,
      status: 'issued',
      createdAt: nowIso,
      updatedAt: nowIso,
    };
    const outcome = await issueCoupon(coupon);
    if (outcome === 'account_not_found') throw new ApiError('account_not_found');
    if (outcome !== 'issued') throw new ApiError('unavailable');
    return jsonResponse(201, toCouponResource(coupon, nowIso));
  },
);

export const handler = route.handler;
