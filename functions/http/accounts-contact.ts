/**
 * PUT /v1/accounts/{id}/contact (servicing): the customer's email (optional) and the language of their
 * notifications. Replaces the whole contact: without `email`, notifications stay in the inbox and none is emailed.
 */
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { ContactBody, toContactResource } from '../../shared/notifications/model.js';
import { putContact } from '../../shared/notifications/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'PUT',
    path: '/v1/accounts/{id}/contact',
    scopes: ['servicing'],
    body: ContactBody,
    access: { table: 'write' },
    docs: {
      operationId: 'setContact',
      summary: "Set the customer's contact for notifications",
      notes:
        'Notifications are written in `locale` (zh-CN for a customer with no contact on file). With `email`, each ' +
        'is also emailed, except during quiet hours (NOTIFY_QUIET_HOURS, 22-8 Asia/Shanghai by default), when the ' +
        'email waits until they end. An invalid email or locale is a 400 and changes nothing.',
      success: { status: 200, schema: 'Contact', description: 'The contact as stored.' },
      errors: ['account_not_found'],
    },
  },
  async ({ body, params }) => {
    const contact = await putContact(params['id'] ?? '', body);
    if (!contact) throw new ApiError('account_not_found');
    return jsonResponse(200, toContactResource(contact));
  },
);

export const handler = route.handler;
