/**
 * Notification emails over SMTP (nodemailer): locally and in tests, to the sink `npm start` runs
 * (local/mail-sink.ts) at SMTP_URL. One pooled transport per sender; each send is cut at a few seconds, so a
 * server that hangs delays a batch by that much at most (the mail then waits in the outbox: notifier.ts).
 */
import nodemailer from 'nodemailer';
import { type MailMessage, type MailSender, NOTIFICATION_ID_HEADER } from './mail.js';

/** Connecting, greeting and each command's answer: a local sink answers in milliseconds. */
const SMTP_TIMEOUT_MS = 5_000;

export function smtpMailSender(url: string): MailSender {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // A local sink offers no certificate worth checking; SMTP_URL is local only (shared/config.ts).
    tls: { rejectUnauthorized: false },
  });
  return {
    send: async (message: MailMessage) => {
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { [NOTIFICATION_ID_HEADER]: message.notificationId },
      });
    },
    close: () => transport.close(),
  };
}
