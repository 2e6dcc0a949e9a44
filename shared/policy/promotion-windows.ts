/**
 * Staging promotions on an account, so each is in force exactly on [startsAt, endsAt) with no job running at
 * either instant. Pure: the refresh (and a limit request) calls it with the promotions not yet ended, the
 * account's new base limit and tier, and writes what it answers in the same guarded update as the limits.
 *
 * The stored figures carry the uplift in force at the staging instant (the limit policy's promoLimit). Every later
 * start or end of an uplift changes it: each stretch between two such instants where it differs from the stored
 * one becomes a window with that difference (positive when an uplift starts, negative when one in the stored
 * figures ends). The last stretch is open-ended: after an uplift's end its window holds until a later staging
 * folds it into the stored figures. At most PROMOTION_WINDOW_SLOTS windows: a third change before the next staging
 * waits for it (a refresh, or the staging a promotion's create or end starts).
 */
import {
  MAX_STAGED_PROMOTIONS,
  PROMOTION_WINDOW_SLOTS,
  type PromotionWindow,
  type StagedPromotion,
} from '../accounts/model.js';
import type { Reason } from '../journal/model.js';
import type { Promotion } from '../promotions/model.js';
import { formatMinor, type QuotaGrant, upliftsAt } from './limit-policy.js';

/** The end of an open-ended window: later than any instant the service will see. */
export const OPEN_END = '9999-12-31T23:59:59.999Z';

interface Staging {
  promotions: readonly Promotion[];
  tier: string;
  creditLimit: number;
  now: Date;
}

const upliftTotal = (s: Staging, at: Date): number =>
  upliftsAt(s.promotions, s.tier, s.creditLimit, at).reduce((sum, u) => sum + u.amount, 0);

/** The windows to stage (slot order = time order), relative to the uplift in force at `now`. */
export function planWindows(s: Staging): PromotionWindow[] {
  const nowMs = s.now.getTime();
  const base = upliftTotal(s, s.now);
  const instants = [
    ...new Set(
      s.promotions
        .filter((p) => p.kind === 'uplift')
        .flatMap((p) => [Date.parse(p.startsAt), Date.parse(p.endsAt)])
        .filter((ms) => ms > nowMs),
    ),
  ].sort((a, b) => a - b);
  const windows: Array<Omit<PromotionWindow, 'slot'>> = [];
  instants.forEach((startMs, i) => {
    const next = instants[i + 1];
    const startsAt = new Date(startMs).toISOString();
    const endsAt = next === undefined ? OPEN_END : new Date(next).toISOString();
    const promoDeltaMinor = upliftTotal(s, new Date(startMs)) - base;
    const last = windows.at(-1);
    if (promoDeltaMinor === 0) return;
    if (last && last.endsAt === startsAt && last.promoDeltaMinor === promoDeltaMinor) last.endsAt = endsAt;
    else windows.push({ startsAt, endsAt, promoDeltaMinor });
  });
  return windows.slice(0, PROMOTION_WINDOW_SLOTS).map((w, slot) => ({ slot, ...w }));
}

/**
 * The promotions the account resource shows: the uplifts it is eligible for that have not ended (the amount it
 * gets at their start), its quota grants, and ended ones it showed before (newest first, as room allows). One
 * that left the list of promotions not yet ended has ended: its end is at most `now`; one ended before its start
 * is still listed, with its window closed at its start.
 */
export function stagedPromotions(
  s: Staging,
  grants: Readonly<Record<string, QuotaGrant>>,
  previous: readonly StagedPromotion[],
): StagedPromotion[] {
  const nowIso = s.now.toISOString();
  const current: StagedPromotion[] = [];
  for (const p of s.promotions) {
    if (p.kind !== 'uplift') continue;
    const startMs = Math.max(Date.parse(p.startsAt), s.now.getTime());
    const amount = upliftsAt(s.promotions, s.tier, s.creditLimit, new Date(startMs)).find(
      (u) => u.promotion.id === p.id,
    )?.amount;
    if (amount === undefined) continue;
    current.push({ id: p.id, kind: 'uplift', amount, startsAt: iso(p.startsAt), endsAt: iso(p.endsAt) });
  }
  for (const [category, g] of Object.entries(grants))
    current.push({
      id: g.promotionId,
      kind: 'category_quota',
      amount: g.amount,
      category,
      startsAt: g.startsAt ?? nowIso,
      endsAt: g.endsAt,
    });
  // Ended: gone from the promotions not yet ended, or ended before its start (an empty window, still listed).
  const ends = new Map(s.promotions.map((p) => [p.id, iso(p.endsAt)]));
  const ended = previous
    .filter((p) => !current.some((c) => c.id === p.id))
    .map((p) => ({ ...p, endsAt: ends.get(p.id) ?? earlier(p.endsAt, nowIso) }))
    .sort((a, b) => (a.endsAt > b.endsAt ? -1 : 1));
  const shown = current.sort(byStart).slice(0, MAX_STAGED_PROMOTIONS);
  return [...shown, ...ended.slice(0, MAX_STAGED_PROMOTIONS - shown.length)].sort(byStart);
}

const iso = (timestamp: string) => new Date(timestamp).toISOString();
/** The earlier of two stored instants (one ISO form, so they order as strings). */
const earlier = (a: string, b: string) => (a <= b ? a : b);
const byStart = (a: StagedPromotion, b: StagedPromotion) =>
  a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Why a staging changed the account: each uplift that will start, with its amount (journaled with the change). */
export function stagingReasons(
  staged: readonly StagedPromotion[],
  nowIso: string,
  currency: string,
): Reason[] {
  return staged
    .filter((p) => p.kind === 'uplift' && p.startsAt > nowIso)
    .map((p) => ({
      code: 'promotion_scheduled',
      message: `+${formatMinor(p.amount, currency)} from ${p.startsAt} until ${p.endsAt} (${p.id}).`,
    }));
}

export function sameWindows(a: readonly PromotionWindow[], b: readonly PromotionWindow[]): boolean {
  return (
    a.length === b.length &&
    a.every((w, i) => {
      const v = b[i];
      return (
        v !== undefined &&
        w.slot === v.slot &&
        w.startsAt === v.startsAt &&
        w.endsAt === v.endsAt &&
        w.promoDeltaMinor === v.promoDeltaMinor
      );
    })
  );
}

export function samePromotions(a: readonly StagedPromotion[], b: readonly StagedPromotion[]): boolean {
  const key = (p: StagedPromotion) =>
    [p.id, p.kind, p.amount, p.category ?? '', p.startsAt, p.endsAt].join('|');
  return a.length === b.length && a.every((p, i) => b[i] !== undefined && key(p) === key(b[i]));
}
