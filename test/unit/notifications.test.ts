/**
 * Customer notifications, the pure parts (shared/notifications/): which event makes which notification with which
 * facts, the words of every kind in both locales, quiet hours and the customer's day on the Asia/Shanghai clock,
 * ids that make a notification at most once per event, the contact body's validation and the email's shape.
 */
import type { DomainEvent, EventType } from '../../shared/events/model.js';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { mailOf } from '../../shared/notifications/mail.js';
import {
  ContactBody,
  DEFAULT_LOCALE,
  NOTIFICATION_KINDS,
  type NotificationKind,
  notificationId,
} from '../../shared/notifications/model.js';
import { isQuiet, localDay, parseQuietHours, quietUntil } from '../../shared/notifications/quiet-hours.js';
import { notificationDrafts } from '../../shared/notifications/rules.js';
import { sesMailSender } from '../../shared/notifications/ses.js';
import {
  date,
  money,
  type NotificationFacts,
  renderNotification,
  type TextStyle,
} from '../../shared/notifications/texts.js';

const SHANGHAI = 'Asia/Shanghai';
const event = (type: EventType, data: Record<string, unknown>): DomainEvent => ({
  id: `evt_${type}`,
  object: 'event',
  type,
  createdAt: '2026-12-01T02:00:00.000Z',
  accountId: 'acc_1',
  data,
});
const limitChanged = (totalLimit: number, reasons: Array<{ code: string; message: string }>) =>
  event('account.limit_changed', {
    object: 'journal_entry',
    type: 'limit_change',
    amount: Math.abs(totalLimit),
    delta: { totalLimit, reserved: 0, outstanding: 0, available: totalLimit },
    reasons,
  });
const factsOf = (e: DomainEvent) => notificationDrafts(e).map((d) => d.facts);

describe('which event makes which notification', () => {
  const raised = [
    { code: 'repayment_history_good', message: '48 on-time repayments.' },
    { code: 'increase_capped', message: 'The increase is capped at CNY 20,000.00 for this assessment.' },
  ];

  it('a raised limit: limit_raised with its change and the reasons in plain words', () => {
    expect(notificationDrafts(limitChanged(2_000_000, raised))).toEqual([
      {
        eventId: 'evt_account.limit_changed',
        accountId: 'acc_1',
        createdAt: '2026-12-01T02:00:00.000Z',
        facts: {
          kind: 'limit_raised',
          change: 2_000_000,
          reasons: raised,
        },
      },
    ]);
  });

  it('a lowered limit: limit_lowered with the size of the cut', () => {
    const reasons = [{ code: 'overdue_recent', message: 'An overdue payment in the last 90 days.' }];
    expect(factsOf(limitChanged(-150_000, reasons))).toEqual([
      { kind: 'limit_lowered', change: 150_000, reasons },
    ]);
  });

  it('no notification for a change of zero, nor for the limit an account opens with', () => {
    expect(factsOf(limitChanged(0, raised))).toEqual([]);
    expect(
      factsOf(limitChanged(500_000, [{ code: 'account_opened', message: 'Opening credit limit.' }])),
    ).toEqual([]);
  });

  it('an overdue installment: overdue with what is unpaid; near the limit: the share used and what is left', () => {
    expect(factsOf(event('installment.overdue', { amount: 34_567, type: 'installment_overdue' }))).toEqual([
      { kind: 'overdue', amount: 34_567 },
    ]);
    expect(
      factsOf(event('account.near_limit', { object: 'account', totalLimit: 100_000, available: 15_500 })),
    ).toEqual([{ kind: 'near_limit', usedPercent: 84, available: 15_500 }]);
  });

  it('the notices: a promotion started, an installment due soon, a coupon expiring; a statement makes none', () => {
    const endsAt = '2026-12-13T16:00:00.000Z';
    expect(
      factsOf(
        event('promotion.started', { id: 'p1', name: 'Double 12', amount: 50_000, endsAt, status: 'active' }),
      ),
    ).toEqual([{ kind: 'promotion_available', name: 'Double 12', amount: 50_000, endsAt }]);
    expect(
      factsOf(
        event('installment.due_soon', { object: 'installment', amountDue: 10_330, dueDate: '2027-01-15' }),
      ),
    ).toEqual([{ kind: 'installment_due_soon', amount: 10_330, dueDate: '2027-01-15' }]);
    expect(factsOf(event('coupon.expiring', { object: 'coupon', validUntil: endsAt }))).toEqual([
      { kind: 'coupon_expiring', expiresAt: endsAt },
    ]);
    expect(factsOf(event('statement.issued', { object: 'statement', totalDue: 10_330 }))).toEqual([]);
    // Nothing to say without the figures: a zero grant, an installment already paid.
    expect(factsOf(event('promotion.started', { name: 'x', amount: 0, endsAt }))).toEqual([]);
    expect(factsOf(event('installment.due_soon', { amountDue: 0, dueDate: '2027-01-15' }))).toEqual([]);
  });

  it('every other event makes nothing (holds, freezes, repayments: the hot path costs no read)', () => {
    for (const type of [
      'authorization.created',
      'authorization.captured',
      'authorization.released',
      'account.frozen',
      'repayment.received',
    ] as const)
      expect(notificationDrafts(event(type, { amount: 1_000 }))).toEqual([]);
  });
});

describe('the words, per kind and locale', () => {
  const en: TextStyle = { locale: 'en', currency: 'CNY', timeZone: SHANGHAI };
  const zh: TextStyle = { locale: 'zh-CN', currency: 'CNY', timeZone: SHANGHAI };

  it('a raised and a lowered limit say by how much and why: the message in en, the code in plain Chinese', () => {
    const good = { code: 'repayment_history_good', message: '24 repayments on time and none overdue.' };
    const up: NotificationFacts = { kind: 'limit_raised', change: 2_000_000, reasons: [good] };
    expect(renderNotification(up, en)).toEqual({
      title: 'Your credit limit went up',
      body: 'Your credit limit is CNY 20,000.00 higher. Why: 24 repayments on time and none overdue.',
    });
    expect(renderNotification(up, zh)).toEqual({
      title: '您的信用额度已提高',
      body: '您的信用额度提高了 ¥20,000.00。原因：您一直按时还款，没有逾期。',
    });
    const reasons = [
      { code: 'overdue_recent', message: 'A payment was overdue within the last 90 days.' },
      { code: 'risk_reduction', message: 'The limit is lowered to CNY 7,000.00 for now.' },
    ];
    const down: NotificationFacts = { kind: 'limit_lowered', change: 150_050, reasons };
    expect(renderNotification(down, en).body).toBe(
      'Your credit limit is CNY 1,500.50 lower. Why: A payment was overdue within the last 90 days. The limit is lowered to CNY 7,000.00 for now.',
    );
    expect(renderNotification(down, zh)).toEqual({
      title: '您的信用额度已降低',
      body: '您的信用额度降低了 ¥1,500.50。原因：近期有一笔还款逾期。我们发现了较高的风险信号，暂时下调了额度；风险解除后会逐步恢复。',
    });
    expect(renderNotification({ ...down, reasons: [] }, en).body).toBe(
      'Your credit limit is CNY 1,500.50 lower.',
    );
    // A code the table does not know yet: the English message, never the code.
    const unknown = {
      kind: 'limit_raised' as const,
      change: 100,
      reasons: [{ code: 'new_rule', message: 'A new rule.' }],
    };
    expect(renderNotification(unknown, zh).body).toBe('您的信用额度提高了 ¥1.00。原因：A new rule.');
  });

  it('near the limit and overdue', () => {
    const near: NotificationFacts = { kind: 'near_limit', usedPercent: 84, available: 15_500 };
    expect(renderNotification(near, en).title).toBe('You have used 84% of your credit limit');
    expect(renderNotification(near, zh)).toEqual({
      title: '您已使用 84% 的信用额度',
      body: '您还有 ¥155.00 可用额度。提前还款可以恢复额度，方便下次购物。',
    });
    expect(renderNotification({ kind: 'overdue', amount: 34_567 }, en).body).toMatch(
      /^An installment of CNY 345\.67 is past its due date\./,
    );
    expect(renderNotification({ kind: 'overdue', amount: 34_567 }, zh).title).toBe('您有一笔还款已逾期');
  });

  it('a promotion, an installment due soon and a coupon expiring, dates in the customer’s calendar', () => {
    // 2026-12-11T17:00Z is already the 12th in Shanghai.
    const endsAt = '2026-12-11T17:00:00.000Z';
    const promotion: NotificationFacts = {
      kind: 'promotion_available',
      name: '双12',
      amount: 100_000,
      endsAt,
    };
    expect(renderNotification(promotion, zh)).toEqual({
      title: '双12：您获得了临时额度',
      body: '活动期间您可额外使用 ¥1,000.00 额度，有效期至 2026年12月12日。',
    });
    expect(renderNotification(promotion, en).body).toBe(
      'You can use CNY 1,000.00 of extra credit until 2026-12-12.',
    );
    const due: NotificationFacts = { kind: 'installment_due_soon', amount: 8_800, dueDate: endsAt };
    expect(renderNotification(due, en).body).toMatch(/CNY 88\.00 is due on 2026-12-12\./);
    const coupon: NotificationFacts = { kind: 'coupon_expiring', expiresAt: endsAt };
    expect(renderNotification(coupon, zh).body).toBe(
      '您的免息券将于 2026年12月12日 过期，下次分期购物时记得使用。',
    );
  });

  it('has a title and body for every kind in every locale', () => {
    const facts: Record<NotificationKind, NotificationFacts> = {
      limit_raised: { kind: 'limit_raised', change: 1, reasons: [] },
      limit_lowered: { kind: 'limit_lowered', change: 1, reasons: [] },
      near_limit: { kind: 'near_limit', usedPercent: 80, available: 1 },
      overdue: { kind: 'overdue', amount: 1 },
      promotion_available: {
        kind: 'promotion_available',
        name: 'x',
        amount: 1,
        endsAt: '2026-12-01T00:00:00Z',
      },
      installment_due_soon: { kind: 'installment_due_soon', amount: 1, dueDate: '2026-12-01T00:00:00Z' },
      coupon_expiring: { kind: 'coupon_expiring', expiresAt: '2026-12-01T00:00:00Z' },
    };
    for (const kind of NOTIFICATION_KINDS)
      for (const style of [en, zh]) {
        const text = renderNotification(facts[kind], style);
        expect(text.title.length).toBeGreaterThan(0);
        expect(text.body.length).toBeGreaterThan(0);
      }
  });

  it('writes money per locale and currency, and the figure alone when the currency is unknown', () => {
    expect(money(123_456_789, { locale: 'en', currency: 'CNY' })).toBe('CNY 1,234,567.89');
    expect(money(5, { locale: 'zh-CN', currency: 'CNY' })).toBe('¥0.05');
    expect(money(100_000, { locale: 'zh-CN', currency: 'USD' })).toBe('1,000.00 USD');
    expect(money(100_000, { locale: 'en', currency: undefined })).toBe('1,000.00');
    expect(date('2026-01-05T00:00:00.000Z', { locale: 'zh-CN', timeZone: SHANGHAI })).toBe('2026年1月5日');
  });

  it('defaults to zh-CN for a customer with no contact on file', () => {
    expect(DEFAULT_LOCALE).toBe('zh-CN');
  });
});

describe('quiet hours (22-8 Asia/Shanghai by default)', () => {
  const quiet = parseQuietHours('22-8');
  /** An instant given as Shanghai wall-clock time (UTC+8, no daylight saving). */
  const shanghai = (local: string) => Date.parse(`${local}+08:00`);

  it('parses `<start>-<end>` and `off`, and refuses anything else', () => {
    expect(quiet).toEqual({ startHour: 22, endHour: 8 });
    expect(parseQuietHours('0-6')).toEqual({ startHour: 0, endHour: 6 });
    expect(parseQuietHours('off')).toBeUndefined();
    for (const bad of ['22', '24-8', '8-8', '22-8-1', 'night', '-1-8'])
      expect(() => parseQuietHours(bad)).toThrow('NOTIFY_QUIET_HOURS');
  });

  it('holds an email from 22:00 to the next 08:00 local, exactly to 08:00:00', () => {
    expect(quietUntil(shanghai('2026-12-01T21:59:59.999'), quiet, SHANGHAI)).toBeUndefined();
    expect(quietUntil(shanghai('2026-12-01T22:00:00.000'), quiet, SHANGHAI)).toBe(
      shanghai('2026-12-02T08:00:00.000'),
    );
    expect(quietUntil(shanghai('2026-12-02T03:17:42.250'), quiet, SHANGHAI)).toBe(
      shanghai('2026-12-02T08:00:00.000'),
    );
    expect(quietUntil(shanghai('2026-12-02T07:59:59.999'), quiet, SHANGHAI)).toBe(
      shanghai('2026-12-02T08:00:00.000'),
    );
    expect(quietUntil(shanghai('2026-12-02T08:00:00.000'), quiet, SHANGHAI)).toBeUndefined();
    expect(quietUntil(shanghai('2026-12-02T03:00:00.000'), undefined, SHANGHAI)).toBeUndefined();
  });

  it('reads the hour on the customers’ clock, not the server’s', () => {
    // 15:00 UTC is 23:00 in Shanghai (quiet) and 15:00 in UTC (not).
    const at = Date.parse('2026-12-01T15:00:00.000Z');
    expect(quietUntil(at, quiet, SHANGHAI)).toBe(Date.parse('2026-12-02T00:00:00.000Z'));
    expect(quietUntil(at, quiet, 'UTC')).toBeUndefined();
  });

  it('also works for hours that do not wrap midnight', () => {
    const early = { startHour: 1, endHour: 6 };
    expect(isQuiet(0, early)).toBe(false);
    expect(isQuiet(1, early)).toBe(true);
    expect(isQuiet(5, early)).toBe(true);
    expect(isQuiet(6, early)).toBe(false);
  });

  it('the customer’s day (near_limit once a day) changes at midnight Shanghai time', () => {
    expect(localDay(Date.parse('2026-12-01T15:59:59.999Z'), SHANGHAI)).toBe('2026-12-01');
    expect(localDay(Date.parse('2026-12-01T16:00:00.000Z'), SHANGHAI)).toBe('2026-12-02');
  });
});

describe('notification ids', () => {
  it('are the same for the same event and kind, differ otherwise, and sort by the instant of the change', () => {
    const a = notificationId('evt_a', 'limit_raised', '2026-12-01T02:00:00.000Z');
    expect(a).toMatch(/^ntf_20261201020000000_[A-Za-z0-9_-]{16}$/);
    expect(notificationId('evt_a', 'limit_raised', '2026-12-01T02:00:00.000Z')).toBe(a);
    expect(notificationId('evt_b', 'limit_raised', '2026-12-01T02:00:00.000Z')).not.toBe(a);
    expect(notificationId('evt_a', 'near_limit', '2026-12-01T02:00:00.000Z')).not.toBe(a);
    const later = notificationId('evt_0', 'limit_raised', '2026-12-01T02:00:00.001Z');
    expect([later, a].sort()).toEqual([a, later]);
    // A path parameter the API accepts (1-64 of [A-Za-z0-9_.:-]).
    expect(a).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
  });
});

describe('the contact body', () => {
  it('takes an email and a locale, or a locale alone', () => {
    expect(ContactBody.parse({ email: 'li.lei@example.cn', locale: 'zh-CN' })).toEqual({
      email: 'li.lei@example.cn',
      locale: 'zh-CN',
    });
    expect(ContactBody.parse({ locale: 'en' })).toEqual({ locale: 'en' });
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', locale: 'en' }],
    ['an unknown locale', { email: 'a@example.com', locale: 'fr' }],
    ['no locale', { email: 'a@example.com' }],
    ['an unknown field', { email: 'a@example.com', locale: 'en', phone: '1' }],
  ])('refuses %s', (_what, body) => {
    expect(ContactBody.safeParse(body).success).toBe(false);
  });
});

describe('the email', () => {
  it('has the notification’s title as subject, its body, and a closing line in its language', () => {
    const mail = mailOf(
      { id: 'ntf_1', title: '您的信用额度已提高', body: '您的信用额度提高了 ¥1.00。', locale: 'zh-CN' },
      'li.lei@example.cn',
      'notifications@example.com',
    );
    expect(mail).toMatchObject({
      to: 'li.lei@example.cn',
      from: 'notifications@example.com',
      subject: '您的信用额度已提高',
      notificationId: 'ntf_1',
    });
    expect(mail.text.startsWith('您的信用额度提高了 ¥1.00。\n\n')).toBe(true);
  });
});

describe('the SES sender (AWS)', () => {
  it('sends the subject and text as UTF-8 simple content, from the From, to the one address, with the id header', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => sent.push(command.input),
      destroy: () => {},
    };
    const sender = sesMailSender(client as unknown as SESv2Client);
    await sender.send(
      mailOf(
        { id: 'ntf_1', title: '您的信用额度已降低', body: '您的信用额度降低了 ¥1.00。', locale: 'zh-CN' },
        'li.lei@example.cn',
        'notifications@example.com',
      ),
    );
    expect(sent).toEqual([
      {
        FromEmailAddress: 'notifications@example.com',
        Destination: { ToAddresses: ['li.lei@example.cn'] },
        Content: {
          Simple: {
            Subject: { Data: '您的信用额度已降低', Charset: 'UTF-8' },
            Body: {
              Text: { Data: expect.stringMatching(/^您的信用额度降低了 ¥1\.00。\n\n/), Charset: 'UTF-8' },
            },
            Headers: [{ Name: 'X-Notification-Id', Value: 'ntf_1' }],
          },
        },
      },
    ]);
  });
});
