/**
 * POST /v1/accounts/{id}/notifications/{notificationId}/read (checkout, servicing): marks a notification read.
 * Idempotent: reading it again keeps the first `readAt`.
 */
import { getAccount } from '../../shared/accounts/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { toNotificationResource } from '../../shared/notifications/model.js';
import { markRead } from '../../shared/notifications/repository.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/accounts/{id}/notifications/{notificationId}/read',
    scopes: ['checkout', 'servicing'],
    access: { table: 'write' },
    docs: {
      operationId: 'readNotification',
      summary: 'Mark a notification read',
      notes: 'Reading it again answers the same `readAt`.',
      success: { status: 200, schema: 'Notification', description: 'The notification, with `readAt`.' },
      errors: ['account_not_found', 'notification_not_found'],
    },
  },
  async ({ params }) => {
    const accountId = params['id'] ?? '';
    const notification = await markRead(accountId, params['notificationId'] ?? '');
    if (notification) return jsonResponse(200, toNotificationResource(notification));
    // Only a miss reads the account: to say which of the two does not exist.
    throw new ApiError((await getAccount(accountId)) ? 'notification_not_found' : 'account_not_found');
  },
);

export const handler = route.handler;
