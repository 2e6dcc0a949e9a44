/**
 * POST /v1/accounts/{id}/notifications/{notificationId}/read (checkout, servicing): marks a notification read.
 * Idempotent: reading it again keeps the first `readAt`.
 */
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
    // Whichever id cannot be one, the notification it names does not exist.
    notFound: 'notification_not_found',
    access: { table: 'write' },
    docs: {
      operationId: 'readNotification',
      summary: 'Mark a notification read',
      notes: 'Reading it again answers the same `readAt`.',
      success: { status: 200, schema: 'Notification', description: 'The notification, with `readAt`.' },
      errors: ['notification_not_found'],
    },
  },
  async ({ params }) => {
    const notification = await markRead(params['id'] ?? '', params['notificationId'] ?? '');
    if (!notification) throw new ApiError('notification_not_found');
    return jsonResponse(200, toNotificationResource(notification));
  },
);

export const handler = route.handler;
