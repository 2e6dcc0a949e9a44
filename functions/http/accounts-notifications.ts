/**
 * GET /v1/accounts/{id}/notifications (checkout, servicing): the customer's inbox, newest first, as the apps show
 * it in pop-ups. One page: the newest INBOX_PAGE_SIZE (50); older ones are kept but not listed.
 */
import { getAccount } from '../../shared/accounts/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { INBOX_PAGE_SIZE, toNotificationResource } from '../../shared/notifications/model.js';
import { listNotifications } from '../../shared/notifications/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/accounts/{id}/notifications',
    scopes: ['checkout', 'servicing'],
    access: { table: 'read' },
    docs: {
      operationId: 'listNotifications',
      summary: "The customer's notifications, newest first",
      notes:
        `At most the newest ${INBOX_PAGE_SIZE}. Notifications are made from the account's events (limit raised or ` +
        'lowered with the reasons, near the limit at most once a day, an overdue installment) a moment after the ' +
        'change, in the locale of the contact on file.',
      success: { status: 200, schema: 'NotificationList', description: 'The inbox, newest first.' },
      errors: ['account_not_found'],
    },
  },
  async ({ params }) => {
    const accountId = params['id'] ?? '';
    const notifications = await listNotifications(accountId);
    // An empty inbox may be no account at all: only then is the account read.
    if (notifications.length === 0 && !(await getAccount(accountId))) throw new ApiError('account_not_found');
    return jsonResponse(200, { object: 'list', data: notifications.map(toNotificationResource) });
  },
);

export const handler = route.handler;
