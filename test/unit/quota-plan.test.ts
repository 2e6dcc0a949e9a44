/** From the grants the policy wants to the guarded writes the refresh makes (shared/limits/refresh.planQuotas). */
import type { CategoryQuota } from '../../shared/accounts/model.js';
import { planQuotas } from '../../shared/limits/refresh.js';

const NOW = '2026-06-18T00:00:00.000Z';
const END = '2026-06-25T00:00:00.000Z';
const live = (overrides: Partial<CategoryQuota> = {}): CategoryQuota => ({
  promotionId: 'q1',
  unused: 30_000,
  drawn: 20_000,
  endsAt: END,
  ended: [],
  ...overrides,
});
const offer = (overrides = {}) => ({ promotionId: 'q1', amount: 50_000, endsAt: END, ...overrides });

describe('planQuotas', () => {
  it('grants a new quota whole, guarded by its absence', () => {
    expect(planQuotas({}, { electronics: offer() }, NOW)).toEqual({
      writes: [
        {
          category: 'electronics',
          before: null,
          after: { promotionId: 'q1', unused: 50_000, drawn: 0, endsAt: END, ended: [] },
        },
      ],
      keptDrawn: 0,
    });
  });

  it('keeps a grant in force as it is: nothing to write, its drawn part stays in promoLimit', () => {
    expect(planQuotas({ electronics: live() }, { electronics: offer() }, NOW)).toEqual({
      writes: [],
      keptDrawn: 20_000,
    });
  });

  it("never rewrites a kept grant's balance: unused + drawn stays its promotion's amount; only an earlier end is copied", () => {
    expect(planQuotas({ electronics: live() }, { electronics: offer({ amount: 80_000 }) }, NOW)).toEqual({
      writes: [],
      keptDrawn: 20_000,
    });
    const endedEarly = planQuotas({ electronics: live() }, { electronics: offer({ endsAt: NOW }) }, NOW);
    expect(endedEarly.writes).toEqual([
      { category: 'electronics', before: live(), after: live({ endsAt: NOW }) },
    ]);
  });

  it('ends a grant no longer on offer: an ended marker remembering its promotion, its drawn part leaving promoLimit', () => {
    const { writes, keptDrawn } = planQuotas({ electronics: live() }, {}, NOW);
    expect(writes).toEqual([
      { category: 'electronics', before: live(), after: { unused: 0, drawn: 0, endsAt: NOW, ended: ['q1'] } },
    ]);
    expect(keptDrawn).toBe(0);
  });

  it("replaces a grant by another promotion's as a new grant, remembering every ended one", () => {
    const before = live({ ended: ['q0'] });
    const { writes, keptDrawn } = planQuotas(
      { electronics: before },
      { electronics: offer({ promotionId: 'q2', amount: 10_000 }) },
      NOW,
    );
    expect(writes).toEqual([
      {
        category: 'electronics',
        before,
        after: { promotionId: 'q2', unused: 10_000, drawn: 0, endsAt: END, ended: ['q0', 'q1'] },
      },
    ]);
    expect(keptDrawn).toBe(0);
  });

  it('leaves an ended marker alone when nothing is on offer, and sums kept grants across categories', () => {
    const marker = { unused: 0, drawn: 0, endsAt: NOW, ended: ['q1'] };
    const quotas = {
      books: marker,
      electronics: live(),
      travel: live({ promotionId: 't1', unused: 45_000, drawn: 5_000 }),
    };
    const { writes, keptDrawn } = planQuotas(
      quotas,
      { electronics: offer(), travel: offer({ promotionId: 't1' }) },
      NOW,
    );
    expect(writes).toEqual([]);
    expect(keptDrawn).toBe(25_000);
  });
});
