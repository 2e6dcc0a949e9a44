/**
 * Domain events: what happened to an account, as consumers (webhooks, the event list, notifications) see it.
 * Events are not written by the request path. They are derived from the table's change stream by one pure function
 * (mapper.ts), and each event's id is a digest of the item's key and version it came from, so reading the same
 * stream record twice (a consumer that crashed mid-batch, a retried Lambda batch) yields the same ids.
 */
import { sha256 } from '../ids.js';

/** Every event type a webhook endpoint may subscribe to (`*`: all of them). */
export const EVENT_TYPES = [
  'authorization.created',
  'authorization.declined',
  'authorization.review_required',
  'authorization.captured',
  'authorization.released',
  'authorization.expired',
  'authorization.refunded',
  'account.limit_changed',
  'account.near_limit',
  'account.frozen',
  'account.unfrozen',
  'promotion.started',
  'coupon.issued',
  'coupon.expiring',
  'statement.issued',
  'installment.due_soon',
  'installment.overdue',
  'repayment.received',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);
export const isEventType = (value: string): value is EventType => KNOWN.has(value);

/** `{id, object, type, createdAt, accountId, data}`: `data` is the resource as the API shows it. */
export interface DomainEvent {
  id: string;
  object: 'event';
  type: EventType;
  /** When the change it reports was made (the source item's own instant). */
  createdAt: string;
  accountId: string;
  data: Record<string, unknown>;
}

/**
 * The event id: a digest of the source item's key, its version (or, for an immutable item, nothing) and the
 * event type, so one change never yields two ids and two changes never share one.
 */
export function eventId(
  source: { pk: string; sk: string; version?: number | string },
  type: EventType,
): string {
  const digest = sha256(`event\n${source.pk}\n${source.sk}\n${source.version ?? ''}\n${type}`);
  return `evt_${digest.subarray(0, 16).toString('base64url')}`;
}
