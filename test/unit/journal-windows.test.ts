/** Replaying the journal at an instant (shared/journal/model.replay): the latest staging's window in force. */
import { type JournalEntry, reconcile, replay } from '../../shared/journal/model.js';

const entry = (over: Partial<JournalEntry>): JournalEntry => ({
  id: 'je',
  accountId: 'a',
  type: 'limit_change',
  amount: 0,
  delta: { reserved: 0, outstanding: 0, totalLimit: 0 },
  createdAt: '2027-01-01T00:00:00.000Z',
  ...over,
});
const S = '2027-06-17T16:00:00.000Z';
const E = '2027-06-20T16:00:00.000Z';

describe('replay at an instant', () => {
  const opened = entry({ amount: 100_000, delta: { reserved: 0, outstanding: 0, totalLimit: 100_000 } });
  const staged = entry({ windows: [{ startsAt: S, endsAt: E, promoDeltaMinor: 50_000 }] });
  const hold = entry({ type: 'reserve', delta: { reserved: 120_000, outstanding: 0, totalLimit: 0 } });

  it('adds the window in force to the stored figures, on [startsAt, endsAt) exactly', () => {
    const journal = [opened, staged, hold];
    expect(replay(journal)).toEqual({
      totalLimit: 100_000,
      reserved: 120_000,
      outstanding: 0,
      available: -20_000,
    });
    expect(replay(journal, '2027-06-17T15:59:59.999Z').available).toBe(-20_000);
    expect(replay(journal, S)).toEqual({
      totalLimit: 150_000,
      reserved: 120_000,
      outstanding: 0,
      available: 30_000,
    });
    expect(replay(journal, E).totalLimit).toBe(100_000);
  });

  it('applies only the latest staging: a later one with no window folds it', () => {
    const folded = entry({ windows: [] });
    expect(replay([opened, staged, folded], S).totalLimit).toBe(100_000);
    const account = { totalLimit: 150_000, reserved: 0, outstanding: 0, available: 150_000 };
    expect(reconcile(account, [opened, staged], S).ok).toBe(true);
    expect(reconcile(account, [opened, staged]).ok).toBe(false);
  });
});
