/** Reconciliation in tests: the service's own reconcile() over an account's whole journal. */
import type { Api } from './api.js';

export async function expectReconciled(api: Api, accountId: string): Promise<void> {
  const { listAllJournal } = await import('../../shared/journal/repository.js');
  const { reconcile } = await import('../../shared/journal/model.js');
  const account = await api.account(accountId);
  // The resource shows the figures at the instant of the answer (a promotion window in force moves them).
  const result = reconcile(account, await listAllJournal(accountId), new Date().toISOString());
  expect(result.fromJournal).toEqual(result.fromAccount);
  expect(result.ok).toBe(true);
  expect(account.available).toBe(account.totalLimit - account.reserved - account.outstanding);
}
