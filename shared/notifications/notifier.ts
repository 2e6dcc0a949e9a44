/**
 * The notifier: one more consumer of the domain events (the local stream consumer hands it every batch after
 * storing it; a Lambda can run the same class in AWS). For each event that makes a notification (rules.ts; most
 * make none, and cost no read or write here) it reads the customer's contact and account once, words the
 * notification in the customer's locale (texts.ts) and stores it in the inbox, at most once per event
 * (repository.ts: the id is the event's, the put conditional).
 *
 * Email, with an address on file and a sender configured: the notification and its outbox entry are written in one
 * transaction, so an email is never lost once the notification exists. Outside quiet hours it is sent at once;
 * inside them the entry waits until they end, and `sendDueMail` (the outbox sweep, run on a timer by the local
 * consumer, by a schedule in AWS) sends it then. A sender claims an email (a conditional update) before sending
 * and records it sent afterwards, so a redelivered event or a second sweep sends nothing twice; only a sender
 * that dies between the mail server's acceptance and that record leaves an email that is sent again once its
 * claim is stale (MAIL_CLAIM_LEASE_MS): at least once in that one window, exactly once otherwise.
 *
 * Nothing here logs contact data: no address, no sender error (which may quote one), only ids and error names.
 */
import { perAccountInOrder } from '../events/per-account.js';
import { randomUUID } from 'node:crypto';
import { config } from '../config.js';
import type { DomainEvent } from '../events/model.js';
import { logger } from '../observability/logger.js';
import { type MailSender, mailOf } from './mail.js';
import { DEFAULT_LOCALE, type Notification, notificationId } from './model.js';
import { localDay, type QuietHours, quietUntil } from './quiet-hours.js';
import {
  claimMail,
  createNotification,
  dropOutboxEntry,
  dueOutboxEntries,
  finishMail,
  type OutboxEntry,
  outboxEntry,
  outboxPartitions,
  readForMail,
  readRecipient,
  releaseMail,
} from './repository.js';
import { type NotificationDraft, notificationDrafts } from './rules.js';
import { renderNotification } from './texts.js';

/** A claim older than this belongs to a sender that died: another may take the email over. */
export const MAIL_CLAIM_LEASE_MS = 5 * 60_000;
/** Sends of one email before it is given up (`failed`): a sweep retries a failed send each time it runs. */
export const MAX_MAIL_ATTEMPTS = 5;
/** Outbox entries one sweep reads per partition. */
const SWEEP_PAGE = 25;

export interface NotifierOptions {
  /** Undefined: inbox only, no email (and no outbox entry). */
  sender?: MailSender | undefined;
  from?: string;
  quietHours?: QuietHours | undefined;
  timeZone?: string;
  now?: () => number;
}

export interface NotifyOutcome {
  /** Notifications made (not counting those an earlier delivery of the same event made). */
  made: number;
  /** Emails sent at once. */
  emailed: number;
  /** Emails left in the outbox for after the quiet hours (or after a failed send). */
  deferred: number;
}

type Recipient = Awaited<ReturnType<typeof readRecipient>>;
type SendResult = 'sent' | 'retry' | 'given_up' | 'busy';

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'error');

export class Notifier {
  private readonly sender: MailSender | undefined;
  private readonly from: string;
  private readonly quietHours: QuietHours | undefined;
  private readonly timeZone: string;
  private readonly now: () => number;

  constructor(options: NotifierOptions = {}) {
    this.sender = options.sender;
    this.from = options.from ?? config.notifyMailFrom;
    this.quietHours = 'quietHours' in options ? options.quietHours : config.notifyQuietHours;
    this.timeZone = options.timeZone ?? config.notifyTimeZone;
    this.now = options.now ?? Date.now;
  }

  /** Makes the notifications of `events` (in order per account); resolves once each is stored (and emailed). */
  async handle(events: readonly DomainEvent[]): Promise<NotifyOutcome> {
    const outcome: NotifyOutcome = { made: 0, emailed: 0, deferred: 0 };
    const drafts = events.flatMap(notificationDrafts);
    if (drafts.length === 0) return outcome;
    await perAccountInOrder(drafts, async (accountId, ofAccount) => {
      const recipient = await readRecipient(accountId);
      for (const draft of ofAccount) {
        const one = await this.make(draft, recipient);
        outcome.made += one.made;
        outcome.emailed += one.emailed;
        outcome.deferred += one.deferred;
      }
    });
    return outcome;
  }

  /** One notification: stored with its outbox entry (if it is emailed), then emailed unless the hour is quiet. */
  private async make(draft: NotificationDraft, recipient: Recipient): Promise<NotifyOutcome> {
    const notification = this.notificationOf(draft, recipient);
    const nowMs = this.now();
    const email = this.sender ? recipient.contact?.email : undefined;
    const deferredUntil = email ? quietUntil(nowMs, this.quietHours, this.timeZone) : undefined;
    const outbox = email
      ? outboxEntry(draft.accountId, notification.id, new Date(deferredUntil ?? nowMs).toISOString())
      : undefined;
    const created = await createNotification(
      { ...notification, ...(outbox ? { mail: 'pending' as const } : {}) },
      {
        ...(outbox ? { outbox } : {}),
        ...(draft.facts.kind === 'near_limit'
          ? { nearLimitDay: localDay(Date.parse(draft.createdAt), this.timeZone) }
          : {}),
      },
    );
    const mail = !outbox ? 'none' : deferredUntil ? 'deferred' : 'now';
    logger.info('notification', {
      accountId: draft.accountId,
      notificationId: notification.id,
      created,
      mail,
    });
    // Made by an earlier delivery of the event: its email (if any) is in the outbox since, for the sweep.
    if (created !== 'created') return { made: 0, emailed: 0, deferred: 0 };
    if (!outbox || !email || deferredUntil !== undefined)
      return { made: 1, emailed: 0, deferred: outbox ? 1 : 0 };
    const sent = await this.send(outbox, notification, email, nowMs);
    return { made: 1, emailed: sent === 'sent' ? 1 : 0, deferred: sent === 'retry' ? 1 : 0 };
  }

  private notificationOf(draft: NotificationDraft, recipient: Recipient): Notification {
    const locale = recipient.contact?.locale ?? DEFAULT_LOCALE;
    const text = renderNotification(draft.facts, {
      locale,
      currency: recipient.currency,
      timeZone: this.timeZone,
    });
    return {
      id: notificationId(draft.eventId, draft.facts.kind, draft.createdAt),
      accountId: draft.accountId,
      kind: draft.facts.kind,
      title: text.title,
      body: text.body,
      locale,
      createdAt: draft.createdAt,
      eventId: draft.eventId,
    };
  }

  /**
   * Claims, sends and records one email. A failed send gives the claim back (the outbox entry stays, due, for
   * the next sweep) and never throws: the mail server's trouble does not hold up the events.
   */
  private async send(
    entry: OutboxEntry,
    notification: Pick<Notification, 'id' | 'title' | 'body' | 'locale'>,
    to: string,
    nowMs: number,
  ): Promise<SendResult> {
    const sender = this.sender;
    if (!sender) return 'retry';
    const token = randomUUID();
    const attempts = await claimMail(entry.accountId, entry.notificationId, {
      token,
      nowIso: new Date(nowMs).toISOString(),
      staleBeforeIso: new Date(nowMs - MAIL_CLAIM_LEASE_MS).toISOString(),
    });
    if (attempts === undefined) return 'busy';
    const ids = { accountId: entry.accountId, notificationId: entry.notificationId };
    if (attempts >= MAX_MAIL_ATTEMPTS) {
      await finishMail(entry, { state: 'failed', token, nowIso: new Date(nowMs).toISOString() });
      logger.warn('notification email given up after failed attempts', { ...ids, attempts });
      return 'given_up';
    }
    try {
      await sender.send(mailOf(notification, to, this.from));
    } catch (error) {
      logger.warn('notification email not sent: the outbox sweep tries again', {
        ...ids,
        error: errorName(error),
      });
      await releaseMail(entry.accountId, entry.notificationId, token);
      return 'retry';
    }
    await finishMail(entry, { state: 'sent', token, nowIso: new Date(this.now()).toISOString() });
    return 'sent';
  }

  /**
   * The outbox sweep: sends every email that is due (deferred past quiet hours, or whose send failed), unless the
   * hour is quiet. Safe to run anywhere at any time, concurrently too (each email is claimed before it is sent).
   */
  async sendDueMail(nowMs: number = this.now()): Promise<{ sent: number; skipped: number; failed: number }> {
    const counts = { sent: 0, skipped: 0, failed: 0 };
    if (!this.sender || quietUntil(nowMs, this.quietHours, this.timeZone) !== undefined) return counts;
    const nowIso = new Date(nowMs).toISOString();
    for (const partition of outboxPartitions()) {
      for (const entry of await dueOutboxEntries(partition, nowIso, SWEEP_PAGE)) {
        const result = await this.sendFromOutbox(entry, nowMs);
        if (result === 'sent') counts.sent += 1;
        if (result === 'skipped') counts.skipped += 1;
        if (result === 'given_up') counts.failed += 1;
      }
    }
    return counts;
  }

  private async sendFromOutbox(
    entry: OutboxEntry,
    nowMs: number,
  ): Promise<SendResult | 'skipped' | 'dropped'> {
    const { notification, contact } = await readForMail(entry);
    if (!notification || (notification.mail !== 'pending' && notification.mail !== 'sending')) {
      await dropOutboxEntry(entry);
      return 'dropped';
    }
    if (contact?.email === undefined) return this.skip(entry, nowMs);
    return this.send(entry, notification, contact.email, nowMs);
  }

  /** The customer took their email off file since: the notification stays in the inbox, no email goes. */
  private async skip(entry: OutboxEntry, nowMs: number): Promise<'skipped' | 'busy'> {
    const token = randomUUID();
    const nowIso = new Date(nowMs).toISOString();
    const staleBeforeIso = new Date(nowMs - MAIL_CLAIM_LEASE_MS).toISOString();
    if (
      (await claimMail(entry.accountId, entry.notificationId, { token, nowIso, staleBeforeIso })) ===
      undefined
    )
      return 'busy';
    await finishMail(entry, { state: 'skipped', token, nowIso });
    return 'skipped';
  }

  close(): void {
    this.sender?.close();
  }
}
