/**
 * The words of every notification, per kind and locale: plain language a customer reads in a pop-up or an email,
 * with the figures of the change it reports (facts) in the customer's currency and calendar. Pure: the facts,
 * the locale, the currency and the time zone are inputs, so a test pins every text.
 *
 * The reasons of a limit change are each reason the limit policy journaled: its English `message` in an `en` text,
 * its code's plain Chinese (reasons.ts) in a `zh-CN` one.
 */
import type { Locale, NotificationKind } from './model.js';
import { localDay } from './quiet-hours.js';
import { type ReasonWords, reasonText } from './reasons.js';

/** What each kind says, from its event (rules.ts); money in minor units, instants as ISO strings. */
export type NotificationFacts =
  | { kind: 'limit_raised'; change: number; reasons: ReasonWords[] }
  | { kind: 'limit_lowered'; change: number; reasons: ReasonWords[] }
  | { kind: 'near_limit'; usedPercent: number; available: number }
  | { kind: 'overdue'; amount: number }
  /** From promotion.started. */
  | { kind: 'promotion_available'; name: string; amount: number; endsAt: string }
  /** From installment.due_soon. */
  | { kind: 'installment_due_soon'; amount: number; dueDate: string }
  /** From coupon.expiring. */
  | { kind: 'coupon_expiring'; expiresAt: string };

export interface NotificationText {
  title: string;
  body: string;
}

/** How figures are written for one customer. `currency` unknown (no account read): the figure alone. */
export interface TextStyle {
  locale: Locale;
  currency: string | undefined;
  timeZone: string;
}

const grouped = (minor: number): string => {
  const units = Math.floor(Math.abs(minor) / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${units}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;
};

/** en: `CNY 1,234.00` (as the policy's reasons write it); zh-CN: `¥1,234.00`, or `1,234.00 USD`. */
export function money(minor: number, style: Pick<TextStyle, 'locale' | 'currency'>): string {
  const figure = grouped(minor);
  if (style.currency === undefined) return figure;
  if (style.locale === 'en') return `${style.currency} ${figure}`;
  return style.currency === 'CNY' ? `¥${figure}` : `${figure} ${style.currency}`;
}

/** en: `2026-12-01`; zh-CN: `2026年12月1日`, the day in the customer's time zone. */
export function date(iso: string, style: Pick<TextStyle, 'locale' | 'timeZone'>): string {
  const day = localDay(Date.parse(iso), style.timeZone);
  if (style.locale === 'en') return day;
  const [year, month, dayOfMonth] = day.split('-').map(Number);
  return `${year}年${month}月${dayOfMonth}日`;
}

type FactsOf<K extends NotificationKind> = Extract<NotificationFacts, { kind: K }>;
type Template<K extends NotificationKind> = (facts: FactsOf<K>, style: TextStyle) => NotificationText;

const why = (reasons: readonly ReasonWords[], label: string, locale: Locale): string =>
  reasons.length === 0
    ? ''
    : ` ${label}${reasons.map((r) => reasonText(r, locale)).join(locale === 'en' ? ' ' : '')}`;

const TEMPLATES: { [K in NotificationKind]: Record<Locale, Template<K>> } = {
  limit_raised: {
    en: (f, s) => ({
      title: 'Your credit limit went up',
      body: `Your credit limit is ${money(f.change, s)} higher.${why(f.reasons, 'Why: ', 'en')}`,
    }),
    'zh-CN': (f, s) => ({
      title: '您的信用额度已提高',
      body: `您的信用额度提高了 ${money(f.change, s)}。${why(f.reasons, '原因：', 'zh-CN').trim()}`,
    }),
  },
  limit_lowered: {
    en: (f, s) => ({
      title: 'Your credit limit was lowered',
      body: `Your credit limit is ${money(f.change, s)} lower.${why(f.reasons, 'Why: ', 'en')}`,
    }),
    'zh-CN': (f, s) => ({
      title: '您的信用额度已降低',
      body: `您的信用额度降低了 ${money(f.change, s)}。${why(f.reasons, '原因：', 'zh-CN').trim()}`,
    }),
  },
  near_limit: {
    en: (f, s) => ({
      title: `You have used ${f.usedPercent}% of your credit limit`,
      body: `You have ${money(f.available, s)} of credit left. Repaying early frees up credit for your next purchase.`,
    }),
    'zh-CN': (f, s) => ({
      title: `您已使用 ${f.usedPercent}% 的信用额度`,
      body: `您还有 ${money(f.available, s)} 可用额度。提前还款可以恢复额度，方便下次购物。`,
    }),
  },
  overdue: {
    en: (f, s) => ({
      title: 'A payment is overdue',
      body: `An installment of ${money(f.amount, s)} is past its due date. Please repay it soon: overdue payments can lower your credit limit.`,
    }),
    'zh-CN': (f, s) => ({
      title: '您有一笔还款已逾期',
      body: `您有一期 ${money(f.amount, s)} 的分期已过还款日。请尽快还款，逾期可能导致额度降低。`,
    }),
  },
  promotion_available: {
    en: (f, s) => ({
      title: `${f.name}: extra credit for you`,
      body: `You can use ${money(f.amount, s)} of extra credit until ${date(f.endsAt, s)}.`,
    }),
    'zh-CN': (f, s) => ({
      title: `${f.name}：您获得了临时额度`,
      body: `活动期间您可额外使用 ${money(f.amount, s)} 额度，有效期至 ${date(f.endsAt, s)}。`,
    }),
  },
  installment_due_soon: {
    en: (f, s) => ({
      title: 'A payment is due soon',
      body: `Your installment of ${money(f.amount, s)} is due on ${date(f.dueDate, s)}. Repay by then to keep your credit in good standing.`,
    }),
    'zh-CN': (f, s) => ({
      title: '您有一笔还款即将到期',
      body: `您有一期 ${money(f.amount, s)} 的分期将于 ${date(f.dueDate, s)} 到期，请按时还款，保持良好信用。`,
    }),
  },
  coupon_expiring: {
    en: (f, s) => ({
      title: 'Your coupon expires soon',
      body: `Your interest-free coupon expires on ${date(f.expiresAt, s)}. Use it on your next purchase in installments.`,
    }),
    'zh-CN': (f, s) => ({
      title: '您的优惠券即将过期',
      body: `您的免息券将于 ${date(f.expiresAt, s)} 过期，下次分期购物时记得使用。`,
    }),
  },
};

export function renderNotification(facts: NotificationFacts, style: TextStyle): NotificationText {
  const template = TEMPLATES[facts.kind][style.locale] as Template<typeof facts.kind>;
  return template(facts as never, style);
}
