/** GET /v1/accounts/{id}/coupons (checkout, servicing): the account's coupons, issued, redeemed or expired. */
import { toCouponResource } from '../../shared/coupons/model.js';
import { listAccountCoupons } from '../../shared/coupons/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/accounts/{id}/coupons',
    scopes: ['checkout', 'servicing'],
    access: { table: 'read' },
    docs: {
      operationId: 'listAccountCoupons',
      summary: "An account's coupons",
      success: { status: 200, schema: 'CouponList', description: 'Every coupon of the account, by id.' },
      errors: ['account_not_found'],
    },
  },
  async ({ params }) => {
    const coupons = await listAccountCoupons(params['id'] ?? '');
    if (!coupons) throw new ApiError('account_not_found');
    const nowIso = new Date().toISOString();
    return jsonResponse(200, { object: 'list', data: coupons.map((c) => toCouponResource(c, nowIso)) });
  },
);

export const handler = route.handler;
