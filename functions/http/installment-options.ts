/** GET /v1/installment-options (checkout): the offered counts with their exact schedules, a coupon applied. */
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { InstallmentOptionsQuery } from '../../shared/installments/schemas.js';
import { installmentOptions } from '../../shared/installments/service.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/installment-options',
    scopes: ['checkout'],
    query: InstallmentOptionsQuery,
    access: { table: 'read' },
    docs: {
      operationId: 'installmentOptions',
      summary: 'Installment options and quotes for an amount',
      notes:
        'Principals sum exactly to `amount` (largest-remainder split); `totalFee` is after any coupon. An ' +
        'amount below the installment minimum is `installments_not_offered`.',
      success: { status: 200, schema: 'InstallmentOptions', description: 'One option per offered count.' },
      errors: [
        'account_not_found',
        'installments_not_offered',
        'coupon_unavailable',
        'coupon_not_applicable',
      ],
    },
  },
  async ({ query }) => {
    const result = await installmentOptions(query);
    if (!result.ok) throw new ApiError(result.code);
    return jsonResponse(200, {
      object: 'list',
      data: result.value.map((q) => ({
        ...q,
        schedule: q.schedule.map(({ statementDate: _s, ...row }) => row),
      })),
    });
  },
);

export const handler = route.handler;
