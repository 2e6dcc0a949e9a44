/**
 * The promotion schema (a discriminated union on kind, strict, with a valid window and exactly one uplift
 * form) and the questions "is it in force now" and "is this tier eligible".
 */
import {
  activePromotions,
  endedAt,
  isActive,
  isEligible,
  normalizePromotion,
  normalizeTimestamp,
  Promotion,
} from '../../../shared/promotions/model.js';
import { daysAgo, daysFromNow, NOW, quota, uplift } from './factories.js';

const rawUplift = (overrides: Record<string, unknown> = {}) => ({
  id: 'p618',
  name: '618 festival',
  kind: 'uplift',
  upliftPercent: 20,
  startsAt: daysAgo(1),
  endsAt: daysFromNow(9),
  ...overrides,
});
const rawQuota = (overrides: Record<string, unknown> = {}) => ({
  id: 'q1',
  name: 'Electronics week',
  kind: 'category_quota',
  category: 'electronics',
  quotaAmount: 80_000,
  startsAt: daysAgo(1),
  endsAt: daysFromNow(6),
  ...overrides,
});

describe('Promotion', () => {
  it.each([
    ['a percent uplift', rawUplift()],
    [
      'a fixed uplift with a cap and tiers',
      rawUplift({
        upliftPercent: undefined,
        upliftAmount: 50_000,
        maxUpliftAmount: 40_000,
        eligibleTiers: ['A', 'B'],
      }),
    ],
    ['a category quota', rawQuota()],
  ])('accepts %s', (_name, raw) => {
    expect(Promotion.parse(raw)).toEqual(raw);
  });

  it.each([
    ['an unknown field', rawUplift({ colour: 'red' })],
    ['a quota field on an uplift', rawUplift({ category: 'electronics' })],
    ['an uplift field on a quota', rawQuota({ upliftPercent: 10 })],
    ['an unknown kind', rawUplift({ kind: 'cashback' })],
    ['an id with a space', rawUplift({ id: 'p 618' })],
    ['an id over 64 characters', rawUplift({ id: 'p'.repeat(65) })],
    ['an empty name', rawUplift({ name: '' })],
    ['a window that ends before it starts', rawUplift({ endsAt: daysAgo(5) })],
    [
      'a window that ends as it starts',
      rawUplift({ startsAt: NOW.toISOString(), endsAt: NOW.toISOString() }),
    ],
    ['a date that is not ISO 8601', rawUplift({ startsAt: 'June 1st' })],
    ['both uplift forms', rawUplift({ upliftAmount: 100 })],
    ['neither uplift form', rawUplift({ upliftPercent: undefined })],
    ['an uplift of 0%', rawUplift({ upliftPercent: 0 })],
    ['an uplift over 200%', rawUplift({ upliftPercent: 201 })],
    ['a fractional uplift amount', rawUplift({ upliftPercent: undefined, upliftAmount: 10.5 })],
    ['an unknown tier', rawUplift({ eligibleTiers: ['F'] })],
    ['an empty tier list', rawUplift({ eligibleTiers: [] })],
    ['an upper-case category', rawQuota({ category: 'Electronics' })],
    ['a zero quota', rawQuota({ quotaAmount: 0 })],
  ])('rejects %s', (_name, raw) => {
    expect(Promotion.safeParse(raw).success).toBe(false);
  });
});

describe('isActive and activePromotions', () => {
  const promotion = uplift({ startsAt: NOW.toISOString(), endsAt: daysFromNow(1) });
  const endsAt = new Date(Date.parse(promotion.endsAt));

  it('is in force from its start instant up to, not including, its end instant', () => {
    expect(isActive(promotion, new Date(NOW.getTime() - 1))).toBe(false);
    expect(isActive(promotion, NOW)).toBe(true);
    expect(isActive(promotion, new Date(endsAt.getTime() - 1))).toBe(true);
    expect(isActive(promotion, endsAt)).toBe(false);
  });

  it('keeps only the promotions in force, in their order', () => {
    const upcoming = uplift({ id: 'upcoming', startsAt: daysFromNow(1), endsAt: daysFromNow(2) });
    const ended = quota({ id: 'ended', startsAt: daysAgo(3), endsAt: daysAgo(1) });
    const current = quota();
    expect(activePromotions([upcoming, promotion, ended, current], NOW)).toEqual([promotion, current]);
  });
});

describe('isEligible', () => {
  it('opens a promotion without eligibleTiers to every tier, unrated included', () => {
    expect(['A', 'E', 'unrated'].every((tier) => isEligible(uplift(), tier))).toBe(true);
  });

  it('opens a promotion with eligibleTiers to those tiers only', () => {
    const forAB = uplift({ eligibleTiers: ['A', 'B'] });
    expect(['A', 'B', 'C', 'unrated'].map((tier) => isEligible(forAB, tier))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('normalizePromotion', () => {
  it('stores every timestamp as toISOString, so equal instants are equal strings and stored values order as times', () => {
    expect(normalizeTimestamp('2026-06-01T00:00:00Z')).toBe('2026-06-01T00:00:00.000Z');
    expect(normalizeTimestamp('2026-06-01T00:00:00.5Z')).toBe('2026-06-01T00:00:00.500Z');
    // Raw, these compare the wrong way round ('Z' > '.'); normalized, they compare as the instants do.
    expect('2026-06-01T00:00:00Z' > '2026-06-01T00:00:00.500Z').toBe(true);
    expect(normalizeTimestamp('2026-06-01T00:00:00Z') < normalizeTimestamp('2026-06-01T00:00:00.500Z')).toBe(
      true,
    );
    const promotion = uplift({ startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-06-18T23:59:59.9Z' });
    expect(normalizePromotion(promotion)).toEqual({
      ...promotion,
      startsAt: '2026-06-01T00:00:00.000Z',
      endsAt: '2026-06-18T23:59:59.900Z',
    });
  });
});

describe('endedAt', () => {
  it('closes a running promotion at now', () => {
    const running = uplift();
    expect(endedAt(running, NOW)).toEqual({ ...running, endsAt: NOW.toISOString() });
    expect(isActive(endedAt(running, NOW)!, NOW)).toBe(false);
  });

  it('closes a promotion that has not started at its start, so endsAt never precedes startsAt and it never applies', () => {
    const upcoming = uplift({ startsAt: daysFromNow(2), endsAt: daysFromNow(5) });
    const ended = endedAt(upcoming, NOW)!;
    expect(ended.endsAt).toBe(upcoming.startsAt);
    expect(isActive(ended, new Date(Date.parse(upcoming.startsAt)))).toBe(false);
  });

  it('leaves an ended promotion as it is (ending again is a no-op), also one ended before it started', () => {
    const ended = uplift({ startsAt: daysAgo(5), endsAt: daysAgo(1) });
    expect(endedAt(ended, NOW)).toBeUndefined();
    expect(endedAt(uplift({ startsAt: daysAgo(5), endsAt: NOW.toISOString() }), NOW)).toBeUndefined();
    const upcoming = endedAt(uplift({ startsAt: daysFromNow(2), endsAt: daysFromNow(5) }), NOW)!;
    expect(endedAt(upcoming, NOW)).toBeUndefined();
    expect(endedAt(upcoming, new Date(Date.parse(daysFromNow(3))))).toBeUndefined();
  });

  it('compares instants, not strings: an end at .500 is after an end at :00', () => {
    const promotion = uplift({ startsAt: '2026-06-09T00:00:00Z', endsAt: '2026-06-10T00:00:00.500Z' });
    expect(endedAt(promotion, new Date('2026-06-10T00:00:00Z'))?.endsAt).toBe('2026-06-10T00:00:00.000Z');
  });
});
