/** A hold as the service stores it, for pure tests: authorized, nothing settled, version 1. */
import type { Authorization } from '../../shared/authorizations/model.js';

export function holdAt(nowIso: string, overrides: Partial<Authorization> = {}): Authorization {
  return {
    id: 'auth_AAAAAAAAAAAAAAAAAAAAAA',
    accountId: 'acc_1',
    clientId: 'cli_1',
    orderId: 'o-1',
    currency: 'CNY',
    amount: 10_000,
    capturedAmount: 0,
    releasedAmount: 0,
    refundedAmount: 0,
    status: 'authorized',
    expiresAt: nowIso,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
    ...overrides,
  };
}
