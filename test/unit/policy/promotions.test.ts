/**
 * The promotion schema (a discriminated union on kind, strict, with a valid window and exactly one uplift
 * form) and the questions "is it in force now" and "is this tier eligible".
 */
import { activePromotions, isActive, isEligible, Promotion } from '../../../shared/policy/promotions.js';
import { daysAgo, daysFromNow, NOW, quota, uplift } from './factories.js';

const rawUplift = (overrides: Record<string, unknown> = {}) => ({
  id: 'p618', name: '618 festival', kind: 'uplift', upliftPercent: 20, startsAt: daysAgo(1), endsAt: daysFromNow(9), ...overrides,
});
const rawQuota = (overrides: Record<string, unknown> = {}) => ({
  id: 'q1', name: 'Electronics week', kind: 'category_quota', category: 'electronics', quotaAmount: 80_000,
  startsAt: daysAgo(1), endsAt: daysFromNow(6), ...overrides,
});

describe('Promotion', () => {
  it.each([
    ['a percent uplift', rawUplift()],
    ['a fixed uplift with a cap and tiers', rawUplift({ upliftPercent: undefined, upliftAmount: 50_000, maxUpliftAmount: 40_000, eligibleTiers: ['A', 'B'] })],
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
    ['a window that ends as it starts', rawUplift({ startsAt: NOW.toISOString(), endsAt: NOW.toISOString() })],
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
    expect(['A', 'B', 'C', 'unrated'].map((tier) => isEligible(forAB, tier))).toEqual([true, true, false, false]);
  });
});
