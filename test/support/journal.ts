/** Reconciliation in tests: replay an account's journal and compare it with the account item. */
import type { Api } from './api.js';

export async function expectReconciled(api: Api, accountId: string): Promise<void> {
  const { listAllJournal } = await import('../../shared/journal/repository.js');
  const { replay } = await import('../../shared/journal/model.js');
  const account = await api.account(accountId);
  expect(replay(await listAllJournal(accountId))).toEqual({
    totalLimit: account.totalLimit,
    reserved: account.reserved,
    outstanding: account.outstanding,
    available: account.available,
  });
  expect(account.available).toBe(account.totalLimit - account.reserved - account.outstanding);
}
