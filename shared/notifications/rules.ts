/**
 * Which event makes which notification, with which facts (texts.ts words them): pure, so the notifier can tell
 * from an event alone, before any read, whether it has anything to do (most events, every hold's, make nothing).
 *
 * account.limit_changed → limit_raised / limit_lowered (by the sign of the limit's change; a change of zero
 * and the opening limit make nothing), installment.overdue → overdue, account.near_limit → near_limit (at most
 * once a day per account: the notifier's marker), promotion.started → promotion_available, installment.due_soon →
 * installment_due_soon, coupon.expiring → coupon_expiring (the last three from notices: shared/notices/model.ts).
 * statement.issued makes none: the contract's kinds have no statement reminder (the due-soon one covers paying).
 */
import { OPENING_LIMIT_REASON } from '../accounts/model.js';
import type { DomainEvent } from '../events/model.js';
import type { NotificationFacts } from './texts.js';

export interface NotificationDraft {
  eventId: string;
  accountId: string;
  /** The instant of the change (the event's). */
  createdAt: string;
  facts: NotificationFacts;
}

type Data = Record<string, unknown>;

const numberIn = (data: Data, ...path: string[]): number => {
  let value: unknown = data;
  for (const key of path) value = (value as Data | undefined)?.[key];
  return typeof value === 'number' ? value : Number.NaN;
};

function reasonsOf(data: Data): Array<{ code: string; message: string }> {
  const reasons = data['reasons'];
  if (!Array.isArray(reasons)) return [];
  return reasons.map((r: Data) => ({
    code: String(r?.['code'] ?? ''),
    message: String(r?.['message'] ?? ''),
  }));
}

/** account.limit_changed (data: the journal entry): the sign of `delta.totalLimit`, its reasons (code, message). */
function limitChangeFacts(data: Data): NotificationFacts | undefined {
  const change = numberIn(data, 'delta', 'totalLimit');
  const reasons = reasonsOf(data);
  if (!Number.isFinite(change) || change === 0) return undefined;
  if (reasons.some((r) => r.code === OPENING_LIMIT_REASON)) return undefined;
  const said = reasons.filter((r) => r.message !== '');
  return change > 0
    ? { kind: 'limit_raised', change, reasons: said }
    : { kind: 'limit_lowered', change: -change, reasons: said };
}

/** account.near_limit (data: the account resource): the share used, whole percent rounded down, and what is left. */
function nearLimitFacts(data: Data): NotificationFacts | undefined {
  const total = numberIn(data, 'totalLimit');
  const available = numberIn(data, 'available');
  if (!(total > 0) || !Number.isFinite(available)) return undefined;
  const usedPercent = Math.floor(((total - available) * 100) / total);
  return { kind: 'near_limit', usedPercent, available: Math.max(0, available) };
}

/** installment.overdue (data: the journal entry): what is unpaid of the installment. */
function overdueFacts(data: Data): NotificationFacts | undefined {
  const amount = numberIn(data, 'amount');
  return Number.isFinite(amount) && amount > 0 ? { kind: 'overdue', amount } : undefined;
}

const stringIn = (data: Data, key: string): string | undefined =>
  typeof data[key] === 'string' ? data[key] : undefined;

/** promotion.started (data: the promotion as the account shows it, with its name): its name, amount and end. */
function promotionFacts(data: Data): NotificationFacts | undefined {
  const amount = numberIn(data, 'amount');
  const name = stringIn(data, 'name');
  const endsAt = stringIn(data, 'endsAt');
  if (!(amount > 0) || name === undefined || endsAt === undefined) return undefined;
  return { kind: 'promotion_available', name, amount, endsAt };
}

/** installment.due_soon (data: the installment): what is left to pay and by when. */
function dueSoonFacts(data: Data): NotificationFacts | undefined {
  const amount = numberIn(data, 'amountDue');
  const dueDate = stringIn(data, 'dueDate');
  if (!(amount > 0) || dueDate === undefined) return undefined;
  return { kind: 'installment_due_soon', amount, dueDate };
}

/** coupon.expiring (data: the coupon): when it stops applying. */
function couponExpiringFacts(data: Data): NotificationFacts | undefined {
  const expiresAt = stringIn(data, 'validUntil');
  return expiresAt === undefined ? undefined : { kind: 'coupon_expiring', expiresAt };
}

const FACTS: Partial<Record<DomainEvent['type'], (data: Data) => NotificationFacts | undefined>> = {
  'account.limit_changed': limitChangeFacts,
  'account.near_limit': nearLimitFacts,
  'installment.overdue': overdueFacts,
  'promotion.started': promotionFacts,
  'installment.due_soon': dueSoonFacts,
  'coupon.expiring': couponExpiringFacts,
};

/** The notifications `event` makes: none for most events. */
export function notificationDrafts(event: DomainEvent): NotificationDraft[] {
  const facts = FACTS[event.type]?.(event.data);
  if (!facts) return [];
  return [{ eventId: event.id, accountId: event.accountId, createdAt: event.createdAt, facts }];
}
