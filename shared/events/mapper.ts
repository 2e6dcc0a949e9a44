/**
 * Stream record → domain events: one pure function, used by the local stream consumer and by the mapper Lambda
 * alike. It reads only the record (its new and old images), never the table, so the same record always maps to
 * the same events with the same ids.
 *
 * Sources: an authorization item (a hold's status and amounts: created, review, captures, releases, expiry,
 * refunds, declines), a journal entry (limit changes with their reasons, freezes, repayments, overdue
 * installments), the account item (its usage crossing NEAR_LIMIT_PERCENT of its limit), a coupon's item
 * (written once, when it is issued) and a notice's item (written once by a job when the calendar reaches a date:
 * statements, installments due soon, coupons expiring, promotions started; shared/notices/model.ts). Every other
 * item maps to nothing.
 */
import { authorizationFromItem } from '../authorizations/repository.js';
import { type Authorization, toAuthorizationResource } from '../authorizations/model.js';
import { type Account, availableDelta, toAccountResource } from '../accounts/model.js';
import { accountFromItem } from '../accounts/repository.js';
import { toCouponResource } from '../coupons/model.js';
import { couponFromItem } from '../coupons/repository.js';
import type { JournalEntry, JournalEntryType } from '../journal/model.js';
import { type DomainEvent, type EventType, eventId, isEventType } from './model.js';

/** A stream record with its images already unmarshalled (DynamoDB JSON → plain values). */
export interface ChangeRecord {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

export function eventsFromChange(change: ChangeRecord): DomainEvent[] {
  const item = change.newImage;
  if (change.eventName === 'REMOVE' || !item) return [];
  switch (item['itemType']) {
    case 'authorization':
      return authorizationEvents(item, change.oldImage);
    case 'journal':
      return change.eventName === 'INSERT' ? journalEvents(item) : [];
    case 'account':
      return change.eventName === 'MODIFY' ? nearLimitEvents(item, change.oldImage) : [];
    case 'coupon':
      return change.eventName === 'INSERT' ? couponIssued(item) : [];
    case 'notice':
      return change.eventName === 'INSERT' ? noticeEvents(item) : [];
    default:
      return [];
  }
}

function authorizationEvents(
  item: Record<string, unknown>,
  oldItem?: Record<string, unknown>,
): DomainEvent[] {
  const next = authorizationFromItem(item);
  const before = oldItem?.['itemType'] === 'authorization' ? authorizationFromItem(oldItem) : undefined;
  const source = { pk: String(item['pk']), sk: String(item['sk']), version: next.version };
  return authorizationChanges(before, next).map((type) => ({
    id: eventId(source, type),
    object: 'event',
    type,
    createdAt: next.updatedAt,
    accountId: next.accountId,
    data: { ...toAuthorizationResource(next) },
  }));
}

/** What one write of a hold did, from its state before (absent: the hold is new) and after. */
export function authorizationChanges(before: Authorization | undefined, next: Authorization): EventType[] {
  if (!before) return [createdAs(next)];
  const types: EventType[] = [];
  if (before.status === 'pending_review' && next.status === 'authorized') types.push('authorization.created');
  if (before.status === 'pending_review' && next.status === 'declined') types.push('authorization.declined');
  if (next.capturedAmount > before.capturedAmount) types.push('authorization.captured');
  if (next.status === 'released' && before.status !== 'released') types.push('authorization.released');
  if (next.status === 'expired' && before.status !== 'expired') types.push('authorization.expired');
  if (next.refundedAmount > before.refundedAmount) types.push('authorization.refunded');
  return types;
}

function createdAs(a: Authorization): EventType {
  if (a.status === 'declined') return 'authorization.declined';
  if (a.status === 'pending_review') return 'authorization.review_required';
  return 'authorization.created';
}

const JOURNAL_EVENTS: Partial<Record<JournalEntryType, EventType>> = {
  limit_change: 'account.limit_changed',
  freeze: 'account.frozen',
  unfreeze: 'account.unfrozen',
  repayment: 'repayment.received',
  installment_overdue: 'installment.overdue',
};

function journalEvents(item: Record<string, unknown>): DomainEvent[] {
  const { pk, sk, itemType: _t, ...rest } = item;
  const entry = rest as unknown as JournalEntry;
  const type = JOURNAL_EVENTS[entry.type];
  if (!type) return [];
  return [
    {
      id: eventId({ pk: String(pk), sk: String(sk) }, type),
      object: 'event',
      type,
      createdAt: entry.createdAt,
      accountId: entry.accountId,
      // The entry as the journal shows it, less the running balances (a page's, not the entry's).
      data: {
        ...entry,
        object: 'journal_entry',
        delta: { ...entry.delta, available: availableDelta(entry.delta) },
      },
    },
  ];
}

/** Usage (reserved + outstanding) at or above this share of the limit is near it: `account.near_limit`. */
export const NEAR_LIMIT_PERCENT = 80;

type Figures = Pick<Account, 'totalLimit' | 'available' | 'reserved' | 'outstanding'>;

const figuresOf = (image: Record<string, unknown>): Figures => ({
  totalLimit: Number(image['totalLimit']),
  available: Number(image['available']),
  reserved: Number(image['reserved']),
  outstanding: Number(image['outstanding']),
});

/** Usage (`totalLimit - available`) is at or above NEAR_LIMIT_PERCENT of a positive stored limit. */
export function isNearLimit(f: Pick<Figures, 'totalLimit' | 'available'>): boolean {
  return f.totalLimit > 0 && (f.totalLimit - f.available) * 100 >= f.totalLimit * NEAR_LIMIT_PERCENT;
}

/**
 * `account.near_limit` when one write of the account item moves its usage from below NEAR_LIMIT_PERCENT of its
 * stored limit to at or above it (a hold, a capture, a lower limit). Arithmetic on the images alone: every hold
 * writes the account item, and all but a crossing map to nothing here at no cost. The account item has no version
 * and its `updatedAt` (milliseconds) is shared by racing holds, so the write is named by its instant and the
 * figures before and after it: the same record gives the same id, two crossings two ids.
 */
function nearLimitEvents(item: Record<string, unknown>, oldItem?: Record<string, unknown>): DomainEvent[] {
  if (oldItem?.['itemType'] !== 'account') return [];
  const before = figuresOf(oldItem);
  const after = figuresOf(item);
  if (isNearLimit(before) || !isNearLimit(after)) return [];
  const account = accountFromItem(item);
  const figures = (f: Figures) => [f.totalLimit, f.available, f.reserved, f.outstanding].join(',');
  const version = `${account.updatedAt}|${figures(before)}|${figures(after)}`;
  return [
    {
      id: eventId({ pk: String(item['pk']), sk: String(item['sk']), version }, 'account.near_limit'),
      object: 'event',
      type: 'account.near_limit',
      createdAt: account.updatedAt,
      accountId: account.id,
      // The account as the API showed it at that write.
      data: { ...toAccountResource(account, account.updatedAt) },
    },
  ];
}

/** A coupon's item is written once, when the coupon is issued (its state lives on the account's item since). */
function couponIssued(item: Record<string, unknown>): DomainEvent[] {
  const coupon = couponFromItem(item);
  const type: EventType = 'coupon.issued';
  return [
    {
      id: eventId({ pk: String(item['pk']), sk: String(item['sk']) }, type),
      object: 'event',
      type,
      createdAt: coupon.createdAt,
      accountId: coupon.accountId,
      data: { ...toCouponResource({ ...coupon, status: 'issued' }, coupon.createdAt) },
    },
  ];
}

/** A notice's item is written once (shared/notices/repository.ts): its event is its type, data and instant. */
function noticeEvents(item: Record<string, unknown>): DomainEvent[] {
  const type = String(item['type']);
  if (!isEventType(type)) return [];
  return [
    {
      id: eventId({ pk: String(item['pk']), sk: String(item['sk']) }, type),
      object: 'event',
      type,
      createdAt: String(item['createdAt']),
      accountId: String(item['accountId']),
      data: { ...(item['data'] as Record<string, unknown>) },
    },
  ];
}
