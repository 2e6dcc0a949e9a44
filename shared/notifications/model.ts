/**
 * Customer notifications: what the customer's inbox shows (pop-ups in the checkout and servicing apps) and, with an
 * email on file, what is also emailed. One notification per event and kind at most: its id is a digest of the
 * event's id and the kind, so a redelivered event (a consumer restarted from its checkpoint) lands on the same item
 * and makes nothing twice. The id starts with the event's instant, so ids sort by time: the inbox is listed newest
 * first by its sort key alone, and a notification is read by its id alone.
 */
import * as z from 'zod';
import { sha256 } from '../ids.js';

/** What a notification is about (rules.ts: from which event). */
export const NOTIFICATION_KINDS = [
  'limit_raised',
  'limit_lowered',
  'near_limit',
  'overdue',
  'promotion_available',
  'installment_due_soon',
  'coupon_expiring',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** The locale of a customer with no contact on file: the credit line's customers are in mainland China. */
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** An inbox page holds at most this many notifications, the newest (GET /v1/accounts/{id}/notifications). */
export const INBOX_PAGE_SIZE = 50;

/** The customer's contact details. No email: inbox only. */
export interface Contact {
  accountId: string;
  email?: string;
  locale: Locale;
  updatedAt: string;
}

export const ContactBody = z.strictObject({
  email: z.email().max(254).optional().meta({ description: 'Where notifications are also emailed.' }),
  locale: z.enum(LOCALES).meta({ description: 'The language of notifications.' }),
});

/**
 * The email state of a notification (never shown by the API): `pending` waits in the outbox, `sending` is claimed by
 * one sender, `sent` went out, `skipped` had no email on file any more when its turn came, `failed` was refused on
 * every attempt (notifier.ts MAX_MAIL_ATTEMPTS).
 */
export type MailState = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';

export interface Notification {
  id: string;
  accountId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  locale: Locale;
  /** The instant of the change it reports (its event's). */
  createdAt: string;
  readAt?: string;
  /** The event it came from. */
  eventId: string;
  /** Absent: no email was on file when it was made. */
  mail?: MailState;
}

/** A notification as the inbox shows it: never its event or its email's state. */
export type NotificationResource = Pick<
  Notification,
  'id' | 'kind' | 'title' | 'body' | 'locale' | 'createdAt' | 'readAt'
> & { object: 'notification' };

export function toNotificationResource(n: Notification): NotificationResource {
  return {
    id: n.id,
    object: 'notification',
    kind: n.kind,
    title: n.title,
    body: n.body,
    locale: n.locale,
    createdAt: n.createdAt,
    ...(n.readAt !== undefined ? { readAt: n.readAt } : {}),
  };
}

export function toContactResource(c: Contact) {
  return {
    object: 'contact' as const,
    accountId: c.accountId,
    ...(c.email !== undefined ? { email: c.email } : {}),
    locale: c.locale,
    updatedAt: c.updatedAt,
  };
}

/**
 * `ntf_<yyyyMMddHHmmssSSS of createdAt>_<digest of the event id and kind>`: the same event and kind always give
 * the same id (made at most once), and ids order by the instant of their change.
 */
export function notificationId(eventId: string, kind: NotificationKind, createdAt: string): string {
  const instant = createdAt.replace(/\D/g, '').padEnd(17, '0').slice(0, 17);
  const digest = sha256(`notification\n${eventId}\n${kind}`).subarray(0, 12).toString('base64url');
  return `ntf_${instant}_${digest}`;
}
