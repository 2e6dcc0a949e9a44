/**
 * A notification as an email: the same title (the subject) and body, with a closing line in the customer's
 * language. Senders are interchangeable (SES in AWS: ses.ts; SMTP locally and in tests: smtp.ts), so the notifier
 * never knows which one it has.
 *
 * The recipient's address is contact data: it is never logged. A sender's own errors may quote it (an SMTP
 * server rejecting a recipient says which), so the notifier logs only an error's name (notifier.ts).
 */
import type { Locale, Notification } from './model.js';

export interface MailMessage {
  to: string;
  from: string;
  subject: string;
  text: string;
  /** The notification's id, as the `X-Notification-Id` header. */
  notificationId: string;
}

export interface MailSender {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export const NOTIFICATION_ID_HEADER = 'X-Notification-Id';

const CLOSING: Record<Locale, string> = {
  'zh-CN': '您可以在 App 的消息中心查看全部通知。此邮件由系统自动发送，请勿直接回复。',
  en: 'You can see all your notifications in the app. This email was sent automatically: please do not reply.',
};

export function mailOf(
  notification: Pick<Notification, 'id' | 'title' | 'body' | 'locale'>,
  to: string,
  from: string,
): MailMessage {
  return {
    to,
    from,
    subject: notification.title,
    text: `${notification.body}\n\n${CLOSING[notification.locale]}\n`,
    notificationId: notification.id,
  };
}
