/**
 * Notification emails through Amazon SES (API v2, SendEmail with simple content), for the notifier when it runs
 * in AWS. The function needs NOTIFY_MAIL_FROM (an identity SES has verified in the function's Region) and
 * `ses:SendEmail` on that identity; the Region is the function's (AWS_REGION). Subject and body are sent as UTF-8
 * (SES encodes a non-ASCII subject itself).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { config } from '../config.js';
import { type MailMessage, type MailSender, NOTIFICATION_ID_HEADER } from './mail.js';

export function sesMailSender(client: SESv2Client = new SESv2Client({ region: config.region })): MailSender {
  return {
    send: async (message: MailMessage) => {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
              Headers: [{ Name: NOTIFICATION_ID_HEADER, Value: message.notificationId }],
            },
          },
        }),
      );
    },
    close: () => client.destroy(),
  };
}
