/**
 * Customer notifications on the local stack (README "Customer notifications"): the table's change stream, the
 * event consumer (local/events.ts) and its notifier, with emails going over SMTP to the local mail sink
 * (local/mail-sink.ts), which saves each as a file read back here with `mailparser`.
 *
 * A raised limit (a limit request), a lowered one (a refresh of a risky borrower) and a hold taking usage past 80%
 * land in the customer's inbox in their locale, with the reasons in plain words, and in their mailbox with the
 * same words; the near-limit one once a day; read marks stay; bad contacts change nothing; a consumer started
 * again from scratch (its checkpoints deleted) makes no notification and sends no email twice; quiet hours hold
 * an email back until they end; and no log line ever carries an email address.
 */
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { simpleParser } from 'mailparser';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '../../shared/events/model.js';
import { Api } from '../support/api.js';
import { ADMIN_KEY, startTestApp } from '../support/app.js';
import { riskyProfile, strongProfile } from '../support/profiles.js';
import { until } from '../support/webhook-receiver.js';

/** Every line written to stdout and stderr while this file runs (the logs), for the no-email-in-logs check. */
const written: string[] = [];
const original = { stdout: process.stdout.write, stderr: process.stderr.write };
process.stdout.write = ((chunk: unknown) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
  written.push(String(chunk));
  return (original.stderr as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
}) as typeof process.stderr.write;

const mailDir = mkdtempSync(join(tmpdir(), 'notification-mail-'));
const { startMailSink } = await import('../../local/mail-sink.js');
const sink = await startMailSink({ dir: mailDir });
const app = await startTestApp({ TABLE_STREAM: 'on' }, { journalClock: 'settled' });
const api = new Api(app.url);
const { EventConsumer } = await import('../../local/events.js');
const { Notifier } = await import('../../shared/notifications/notifier.js');
const { smtpMailSender } = await import('../../shared/notifications/smtp.js');
const { documentClient } = await import('../../shared/storage/dynamo-client.js');

/** A notifier that remembers every event it was handed (to know when a batch is through). */
class RecordingNotifier extends Notifier {
  readonly handled: DomainEvent[] = [];
  override async handle(events: readonly DomainEvent[]) {
    const outcome = await super.handle(events);
    this.handled.push(...events);
    return outcome;
  }
}
const newConsumer = () => {
  // Quiet hours off: these emails go at once whatever the hour the test runs (the quiet-hours test sets its own).
  const notifier = new RecordingNotifier({ sender: smtpMailSender(sink.url), quietHours: undefined });
  return { consumer: new EventConsumer({ notifier }), notifier };
};
let running = newConsumer();
running.consumer.start();

afterAll(async () => {
  await running.consumer.stop();
  await sink.close();
  await app.close();
  process.stdout.write = original.stdout;
  process.stderr.write = original.stderr;
  rmSync(mailDir, { recursive: true, force: true });
});

const EMAIL_A = 'wang.fang@example.cn';
const EMAIL_B = 'chen.bo@example.com';
const EMAIL_Q = 'quiet.hours@example.net';

interface Mail {
  file: string;
  to: string;
  subject: string;
  text: string;
  notificationId: string;
}
const parsed = new Map<string, Mail>();
async function mails(): Promise<Mail[]> {
  for (const file of [...sink.saved])
    if (!parsed.has(file)) {
      const mail = await simpleParser(readFileSync(file));
      const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(',') : (mail.to?.text ?? '');
      const id = mail.headers.get('x-notification-id');
      parsed.set(file, {
        file,
        to,
        subject: mail.subject ?? '',
        text: mail.text ?? '',
        notificationId: String(id),
      });
    }
  return [...parsed.values()];
}
async function mailsFor(notificationId: string): Promise<Mail[]> {
  return (await mails()).filter((m) => m.notificationId === notificationId);
}

async function inbox(accountId: string, key: string): Promise<any[]> {
  const reply = await api.call('GET', `/v1/accounts/${accountId}/notifications`, { key });
  expect(reply.status).toBe(200);
  expect(reply.body.object).toBe('list');
  return reply.body.data;
}
async function untilInInbox(accountId: string, key: string, kind: string): Promise<any> {
  let found: any;
  const deadline = Date.now() + 120_000;
  while (!found) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${kind} in ${accountId}'s inbox`);
    found = (await inbox(accountId, key)).find((n) => n.kind === kind);
    if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found;
}
async function untilMailed(notificationId: string): Promise<Mail> {
  let found: Mail | undefined;
  const deadline = Date.now() + 120_000;
  while (!found) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the email of ${notificationId}`);
    found = (await mailsFor(notificationId))[0];
    if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found;
}
const setContact = (accountId: string, body: unknown, key: string) =>
  api.call('PUT', `/v1/accounts/${accountId}/contact`, { key, body });
const storedContact = async (accountId: string) =>
  (
    await documentClient.send(
      new GetCommand({ TableName: app.tableName, Key: { pk: `ACCOUNT#${accountId}`, sk: 'CONTACT' } }),
    )
  ).Item;

let checkout: { apiKey: string };
let servicing: { apiKey: string };
let risk: { apiKey: string };
let accountA: string;
beforeAll(async () => {
  [checkout, servicing, risk] = await Promise.all([
    api.createClient(['checkout']),
    api.createClient(['servicing']),
    api.createClient(['risk']),
  ]);
  accountA = await api.createAccount(500_000, { profile: strongProfile() });
});

describe('PUT /v1/accounts/{id}/contact', () => {
  it('stores the contact as given and answers it', async () => {
    const reply = await setContact(accountA, { email: EMAIL_A, locale: 'zh-CN' }, servicing.apiKey);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      object: 'contact',
      accountId: accountA,
      email: EMAIL_A,
      locale: 'zh-CN',
      updatedAt: expect.any(String),
    });
  });

  it.each([
    ['an invalid email', { email: 'wang.fang-at-example.cn', locale: 'en' }, 'email'],
    ['an unknown locale', { email: 'other@example.cn', locale: 'fr-FR' }, 'locale'],
    ['no locale', { email: 'other@example.cn' }, 'locale'],
  ])('refuses %s with 400 validation_failed and changes nothing', async (_what, body, param) => {
    const before = await storedContact(accountA);
    const reply = await setContact(accountA, body, servicing.apiKey);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'validation_failed', param });
    expect(await storedContact(accountA)).toEqual(before);
  });

  it('answers 404 for an unknown account and 403 to a checkout key', async () => {
    const nobody = await setContact('acc_nobody_here', { locale: 'en' }, servicing.apiKey);
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('account_not_found');
    expect(await storedContact('acc_nobody_here')).toBeUndefined();
    expect((await setContact(accountA, { locale: 'en' }, checkout.apiKey)).status).toBe(403);
  });
});

describe('notifications from the account’s events', () => {
  let raised: any;

  it('a raised limit: limit_raised in zh-CN with the reasons in plain words, and the same words by email', async () => {
    const request = await api.call('POST', `/v1/accounts/${accountA}/limit-requests`, {
      key: checkout.apiKey,
      body: { requestedLimit: 750_000 },
    });
    expect(request.status).toBe(200);
    expect(request.body).toMatchObject({ decision: 'approved', creditLimit: 750_000 });
    const codes: string[] = request.body.reasons.map((r: { code: string }) => r.code);
    expect(codes.length).toBeGreaterThan(0);
    // zh-CN: each reason's code in plain Chinese (the journaled message is English).
    const { REASONS_ZH } = await import('../../shared/notifications/reasons.js');
    const words = codes.map((code) => REASONS_ZH[code]);
    expect(words.every((w) => w !== undefined)).toBe(true);

    raised = await untilInInbox(accountA, checkout.apiKey, 'limit_raised');
    expect(raised).toEqual({
      id: expect.stringMatching(/^ntf_\d{17}_[A-Za-z0-9_-]{16}$/),
      object: 'notification',
      kind: 'limit_raised',
      title: '您的信用额度已提高',
      body: `您的信用额度提高了 ¥2,500.00。原因：${words.join('')}`,
      locale: 'zh-CN',
      createdAt: expect.any(String),
    });
    // Only the change: the limit the account opened with made no notification.
    expect((await inbox(accountA, servicing.apiKey)).map((n) => n.kind)).toEqual(['limit_raised']);

    const mail = await untilMailed(raised.id);
    expect(mail.to).toBe(EMAIL_A);
    expect(mail.subject).toBe(raised.title);
    expect(mail.text.startsWith(`${raised.body}\n`)).toBe(true);
    expect(mail.file.startsWith(mailDir)).toBe(true);
  });

  it('usage past 80%: near_limit with the share used and what is left, at most once a day', async () => {
    const first = await api.authorize(checkout.apiKey, { accountId: accountA, amount: 700_000 });
    expect(first.status).toBe(201);
    const near = await untilInInbox(accountA, checkout.apiKey, 'near_limit');
    expect(near).toMatchObject({
      kind: 'near_limit',
      locale: 'zh-CN',
      title: '您已使用 93% 的信用额度',
      body: '您还有 ¥500.00 可用额度。提前还款可以恢复额度，方便下次购物。',
    });
    expect((await untilMailed(near.id)).subject).toBe(near.title);

    // Below the line and past it again, the same day: a second crossing, a second event, no second notification.
    expect((await api.post(checkout.apiKey, `/v1/authorizations/${first.body.id}/release`, {})).status).toBe(
      200,
    );
    expect((await api.authorize(checkout.apiKey, { accountId: accountA, amount: 650_000 })).status).toBe(201);
    const crossings = () =>
      running.notifier.handled.filter((e) => e.type === 'account.near_limit' && e.accountId === accountA);
    await until(() => crossings().length >= 2, 120_000, 'the second crossing to reach the notifier');
    expect(new Set(crossings().map((e) => e.id)).size).toBe(2);
    const inboxNow = await inbox(accountA, checkout.apiKey);
    expect(inboxNow.filter((n) => n.kind === 'near_limit')).toHaveLength(1);
    expect(inboxNow.map((n) => n.kind)).toEqual(['near_limit', 'limit_raised']);
  });

  it('a lowered limit: limit_lowered in the customer’s locale (en), saying why', async () => {
    const accountB = await api.createAccount(500_000, { profile: riskyProfile(Date.now()) });
    expect((await setContact(accountB, { email: EMAIL_B, locale: 'en' }, servicing.apiKey)).status).toBe(200);
    const started = await api.call('POST', '/v1/jobs/limit-refresh', { key: risk.apiKey, body: {} });
    expect(started.status).toBe(202);
    let job = started.body;
    for (let poll = 0; job.status === 'running' && poll < 1_200; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await api.call('GET', `/v1/jobs/${started.body.id}`, { key: risk.apiKey })).body;
    }
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    const lowered = await untilInInbox(accountB, servicing.apiKey, 'limit_lowered');
    const journal = await api.call('GET', `/v1/accounts/${accountB}/journal?limit=100`, { key: ADMIN_KEY });
    const change = journal.body.data.filter((e: any) => e.type === 'limit_change').at(-1);
    expect(change.delta.totalLimit).toBeLessThan(0);
    const cut = (-change.delta.totalLimit / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
    expect(lowered).toMatchObject({
      kind: 'limit_lowered',
      locale: 'en',
      title: 'Your credit limit was lowered',
      body: `Your credit limit is CNY ${cut} lower. Why: ${change.reasons.map((r: any) => r.message).join(' ')}`,
    });
    expect(change.reasons.map((r: any) => r.code)).toContain('overdue_recent');
    const mail = await untilMailed(lowered.id);
    expect(mail).toMatchObject({ to: EMAIL_B, subject: 'Your credit limit was lowered' });
    expect(mail.text).toContain(lowered.body);
  });

  it('a customer with no contact on file: the inbox in zh-CN, and no email', async () => {
    const accountC = await api.createAccount(200_000, { profile: strongProfile() });
    const request = await api.call('POST', `/v1/accounts/${accountC}/limit-requests`, {
      key: checkout.apiKey,
      body: { requestedLimit: 250_000 },
    });
    expect(request.status).toBe(200);
    const made = await untilInInbox(accountC, checkout.apiKey, 'limit_raised');
    expect(made).toMatchObject({ locale: 'zh-CN', title: '您的信用额度已提高' });
    await until(
      () =>
        running.notifier.handled.some((e) => e.accountId === accountC && e.type === 'account.limit_changed'),
      60_000,
      'the change to reach the notifier',
    );
    expect(await mailsFor(made.id)).toEqual([]);
  });
});

describe('POST /v1/accounts/{id}/notifications/{notificationId}/read', () => {
  it('marks it read once: reading it again keeps the first readAt; the inbox shows it', async () => {
    const [latest] = await inbox(accountA, checkout.apiKey);
    const path = `/v1/accounts/${accountA}/notifications/${latest.id}/read`;
    const first = await api.call('POST', path, { key: checkout.apiKey });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...latest, readAt: expect.any(String) });
    const again = await api.call('POST', path, { key: servicing.apiKey });
    expect(again.status).toBe(200);
    expect(again.body.readAt).toBe(first.body.readAt);
    expect((await inbox(accountA, checkout.apiKey))[0]).toEqual(first.body);
  });

  it('answers 404 notification_not_found for an unknown one, 404 account_not_found for an unknown account', async () => {
    const unknown = await api.call('POST', `/v1/accounts/${accountA}/notifications/ntf_missing/read`, {
      key: checkout.apiKey,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('notification_not_found');
    for (const [method, path] of [
      ['GET', '/v1/accounts/acc_nobody_here/notifications'],
      ['POST', '/v1/accounts/acc_nobody_here/notifications/ntf_missing/read'],
      ['POST', `/v1/accounts/${'a'.repeat(65)}/notifications/ntf_missing/read`],
    ] as const) {
      const nobody = await api.call(method, path, { key: checkout.apiKey });
      expect(nobody.status).toBe(404);
      expect(nobody.body.error.code).toBe('account_not_found');
    }
    expect(
      (await api.call('GET', `/v1/accounts/${accountA}/notifications`, { key: risk.apiKey })).status,
    ).toBe(403);
  });
});

describe('at most once per event', () => {
  it('a consumer started again from scratch maps every record again and makes no notification or email twice', async () => {
    const accounts = [accountA];
    const before = await inbox(accountA, servicing.apiKey);
    const mailsBefore = (await mails()).length;
    const handledBefore = new Set(running.notifier.handled.map((e) => e.id));
    await running.consumer.stop();
    // Forget every checkpoint: the next consumer reads each shard from its oldest record.
    const eventsTable = `${app.tableName}-events`;
    const { Items = [] } = await documentClient.send(
      new QueryCommand({
        TableName: eventsTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'STREAM' },
      }),
    );
    expect(Items.length).toBeGreaterThan(0);
    for (const item of Items)
      await documentClient.send(
        new DeleteCommand({ TableName: eventsTable, Key: { pk: item['pk'], sk: item['sk'] } }),
      );

    running = newConsumer();
    running.consumer.start();
    await until(
      () => {
        const again = new Set(running.notifier.handled.map((e) => e.id));
        return [...handledBefore].every((id) => again.has(id));
      },
      180_000,
      'every event handed to the notifier again',
    );
    for (const accountId of accounts) expect(await inbox(accountId, servicing.apiKey)).toEqual(before);
    expect((await mails()).length).toBe(mailsBefore);
  }, 240_000);
});

describe('quiet hours', () => {
  it('makes the inbox entry at once and holds the email back until they end, then sends it once', async () => {
    const accountQ = await api.createAccount(300_000);
    expect((await setContact(accountQ, { email: EMAIL_Q, locale: 'en' }, servicing.apiKey)).status).toBe(200);
    // 23:30 in Shanghai, two days ahead (so the running consumer's own sweep never finds the email due).
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    let clock = Date.parse(`${day}T23:30:00.000+08:00`);
    const quiet = new Notifier({
      sender: smtpMailSender(sink.url),
      quietHours: { startHour: 22, endHour: 8 },
      timeZone: 'Asia/Shanghai',
      now: () => clock,
    });
    const event: DomainEvent = {
      id: 'evt_quiet_hours_test',
      object: 'event',
      type: 'account.limit_changed',
      createdAt: new Date(clock).toISOString(),
      accountId: accountQ,
      data: {
        object: 'journal_entry',
        type: 'limit_change',
        delta: { totalLimit: 10_000, reserved: 0, outstanding: 0 },
        reasons: [{ code: 'promotion_applied', message: 'Double 12: +CNY 100.00 until 12-13.' }],
      },
    };
    try {
      expect(await quiet.handle([event])).toEqual({ made: 1, emailed: 0, deferred: 1 });
      const [held] = await inbox(accountQ, servicing.apiKey);
      expect(held).toMatchObject({ kind: 'limit_raised', locale: 'en', title: 'Your credit limit went up' });
      expect(held.body).toBe(
        'Your credit limit is CNY 100.00 higher. Why: Double 12: +CNY 100.00 until 12-13.',
      );
      // Still quiet at 07:59 the next morning: nothing goes.
      clock = Date.parse(`${day}T23:59:00.000Z`);
      expect(await quiet.sendDueMail()).toEqual({ sent: 0, skipped: 0, failed: 0 });
      expect(await mailsFor(held.id)).toEqual([]);
      // 08:00 in Shanghai: the sweep sends it, once; the same event again makes nothing more.
      clock = Date.parse(`${day}T23:30:00.000+08:00`) + 8.5 * 3_600_000;
      expect(await quiet.sendDueMail()).toMatchObject({ sent: 1 });
      expect((await untilMailed(held.id)).to).toBe(EMAIL_Q);
      expect(await quiet.handle([event])).toEqual({ made: 0, emailed: 0, deferred: 0 });
      expect(await quiet.sendDueMail()).toEqual({ sent: 0, skipped: 0, failed: 0 });
      expect(await mailsFor(held.id)).toHaveLength(1);
      expect(await inbox(accountQ, servicing.apiKey)).toHaveLength(1);
    } finally {
      quiet.close();
    }
  });
});

describe('logs', () => {
  it('carry the notifications’ ids, and never an email address', async () => {
    const lines = written.join('').split('\n');
    expect(lines.some((line) => line.includes('"notification"') && line.includes('ntf_'))).toBe(true);
    for (const email of [EMAIL_A, EMAIL_B, EMAIL_Q, 'wang.fang-at-example.cn', 'other@example.cn'])
      expect(lines.filter((line) => line.includes(email))).toEqual([]);
  });
});
