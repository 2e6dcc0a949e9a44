/**
 * Notices: the events no request makes, because what they report is the calendar reaching a date — a statement
 * issued, an installment due in a few days, a coupon about to expire, a staged promotion that has started. A job
 * (the nightly billing run, and a run at each promotion's start: shared/installments/billing-run.ts) writes one
 * small item per notice, once (a conditional put on its key), and the change stream maps that item's insert to
 * the event like any other change (shared/events/mapper.ts): the same pipeline, ids, ordering and deliveries.
 *
 * Which notices are due is this pure function of the account, its plans, its coupons, the promotions' names and
 * the instant. Each notice is issued only inside a window that closes (a statement until its due date, an
 * installment until its due date, a coupon until it expires, a promotion until it ends) and its item is kept
 * past that close, so a notice is never issued twice: the window has shut before its item can go.
 */
import { type Account, promotionStatus, type StagedPromotion } from '../accounts/model.js';
import { type Coupon, couponStatus, toCouponResource } from '../coupons/model.js';
import type { EventType } from '../events/model.js';
import { type InstallmentPlan, statusOn } from '../installments/plan.js';
import { addDays, cycleDayOf, isoDate } from '../installments/schedule.js';
import { statementFor } from '../installments/statement.js';

/** An unpaid installment is due soon from this many days before its due date. */
export const DUE_SOON_DAYS = 3;
/** An issued coupon is expiring from this many days before its `validUntil`. */
export const COUPON_EXPIRING_DAYS = 3;
/** A notice's item outlives the close of its window by this long (and lives at least this long). */
export const NOTICE_KEEP_DAYS = 35;

const DAY_MS = 86_400_000;

export type NoticeType = Extract<
  EventType,
  'statement.issued' | 'installment.due_soon' | 'coupon.expiring' | 'promotion.started'
>;

export interface Notice {
  type: NoticeType;
  /** What the notice is about, unique per type and account: a statement date, `planId#sequence`, an id. */
  subject: string;
  /** The instant it reports: the run's, or a promotion's start. */
  createdAt: string;
  /** The resource as the API shows it (the event's `data`). */
  data: Record<string, unknown>;
  /** Its window's close (epoch ms): issued only before, kept until NOTICE_KEEP_DAYS after. */
  closesAtMs: number;
}

export interface NoticeRules {
  graceDays: number;
  paymentDueDays: number;
}

export interface NoticeInput {
  account: Account;
  plans: readonly InstallmentPlan[];
  coupons: readonly Coupon[];
  /** Promotion names by id (the account's staged entries carry none). */
  promotionNames: ReadonlyMap<string, string>;
  nowMs: number;
  rules: NoticeRules;
}

/** The end of a day (YYYY-MM-DD, UTC) as epoch ms: a window that closes "on" a date closes after it. */
const endOfDay = (date: string) => Date.parse(`${date}T00:00:00.000Z`) + DAY_MS;

/** Every notice due at `nowMs` (already issued ones included: the writer skips those). */
export function noticesDue(input: NoticeInput): Notice[] {
  return [
    ...statementNotices(input),
    ...dueSoonNotices(input),
    ...couponNotices(input),
    ...promotionNotices(input.account, input.promotionNames, input.nowMs),
  ];
}

/** The cycle's statement, once it has something on it, from its statement date until its due date. */
export function statementNotices(input: NoticeInput): Notice[] {
  const today = isoDate(input.nowMs);
  const statement = statementFor({
    plans: input.plans,
    outstanding: input.account.outstanding,
    today,
    cycleDay: cycleDayOf(input.account.id),
    paymentDueDays: input.rules.paymentDueDays,
    graceDays: input.rules.graceDays,
  });
  if (statement.items.length === 0 || today >= statement.dueDate) return [];
  return [
    {
      type: 'statement.issued',
      subject: statement.statementDate,
      createdAt: new Date(input.nowMs).toISOString(),
      data: {
        object: 'statement',
        accountId: input.account.id,
        currency: input.account.currency,
        ...statement,
      },
      closesAtMs: endOfDay(statement.dueDate),
    },
  ];
}

/** Each unpaid installment whose due date is today or within DUE_SOON_DAYS (not yet overdue). */
export function dueSoonNotices(input: NoticeInput): Notice[] {
  const today = isoDate(input.nowMs);
  const horizon = addDays(today, DUE_SOON_DAYS);
  return input.plans.flatMap((plan) =>
    plan.installments.flatMap((row): Notice[] => {
      const status = statusOn(row, today, input.rules.graceDays);
      if (status === 'paid' || status === 'overdue') return [];
      if (row.dueDate < today || row.dueDate > horizon) return [];
      const amountDue = row.principal - row.paidPrincipal + row.fee - row.paidFee;
      return [
        {
          type: 'installment.due_soon',
          subject: `${plan.id}#${row.sequence}`,
          createdAt: new Date(input.nowMs).toISOString(),
          // The installment as its plan shows it, named by its plan, with what is left to pay.
          data: {
            object: 'installment',
            installmentPlanId: plan.id,
            authorizationId: plan.authorizationId,
            currency: plan.currency,
            ...row,
            status,
            amountDue,
          },
          closesAtMs: endOfDay(row.dueDate),
        },
      ];
    }),
  );
}

/** Each coupon still usable that expires within COUPON_EXPIRING_DAYS. */
export function couponNotices(input: NoticeInput): Notice[] {
  const nowIso = new Date(input.nowMs).toISOString();
  return input.coupons.flatMap((coupon): Notice[] => {
    const until = Date.parse(coupon.validUntil);
    if (couponStatus(coupon, nowIso) !== 'issued') return [];
    if (Date.parse(coupon.validFrom) > input.nowMs) return [];
    if (until - input.nowMs > COUPON_EXPIRING_DAYS * DAY_MS) return [];
    return [
      {
        type: 'coupon.expiring',
        subject: coupon.id,
        createdAt: nowIso,
        data: { ...toCouponResource(coupon, nowIso) },
        closesAtMs: until,
      },
    ];
  });
}

/** Each promotion staged on the account that is in force at `nowMs` (an ended or zero grant tells nothing). */
export function promotionNotices(
  account: Pick<Account, 'promotions'>,
  names: ReadonlyMap<string, string>,
  nowMs: number,
  onlyPromotionId?: string,
): Notice[] {
  const nowIso = new Date(nowMs).toISOString();
  return account.promotions
    .filter((p) => onlyPromotionId === undefined || p.id === onlyPromotionId)
    .filter((p) => p.amount > 0 && promotionStatus(p, nowIso) === 'active')
    .map((p: StagedPromotion) => ({
      type: 'promotion.started' as const,
      subject: p.id,
      createdAt: p.startsAt,
      // The promotion as the account resource shows it, with its name.
      data: { ...p, status: 'active', name: names.get(p.id) ?? p.id },
      closesAtMs: Date.parse(p.endsAt),
    }));
}

/** Until when a notice's item is kept (epoch seconds, the table's TTL): past its window's close. */
export const noticeKeptUntil = (notice: Pick<Notice, 'closesAtMs'>, nowMs: number): number =>
  Math.ceil((Math.max(notice.closesAtMs, nowMs) + NOTICE_KEEP_DAYS * DAY_MS) / 1000);
