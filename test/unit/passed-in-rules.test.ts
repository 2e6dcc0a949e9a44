/**
 * Configuration and clients are passed in: the decisions of the write paths take their rules (review threshold,
 * hold TTL, velocity, limit-request cooldown) as parameters, and storage reads take a Storage (client + table),
 * each defaulting to the environment's. So these tests drive them with plain values and a stub client: no
 * environment variables, no dynamic imports, no DynamoDB.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvariantError } from '../../shared/assert.js';
import { newAccount } from '../../shared/accounts/model.js';
import { getAccount, newAccountItem } from '../../shared/accounts/repository.js';
import { newHold } from '../../shared/authorizations/model.js';
import { ReserveShape, velocityAt } from '../../shared/authorizations/reserve-shape.js';
import { cooldownLeftSeconds, cooldownSince, requestDecision } from '../../shared/limits/requests.js';

const NOW_MS = Date.parse('2026-06-18T12:00:00.000Z');
const REQUEST = { accountId: 'acc_rules', amount: 1_000, currency: 'CNY', orderId: 'o-1' };

const hold = (amount: number, rules: { reviewThresholdMinor: number; holdTtlSeconds: number }) =>
  newHold(
    { id: 'auth_x', clientId: 'cli_1', request: { ...REQUEST, amount }, quota: undefined, nowMs: NOW_MS },
    rules,
  );

describe('a new hold, decided by the rules it is given', () => {
  it('waits for review at or above the review threshold passed in, not the environment one', () => {
    const rules = { reviewThresholdMinor: 1_000, holdTtlSeconds: 60 };
    expect(hold(999, rules).status).toBe('authorized');
    expect(hold(1_000, rules).status).toBe('pending_review');
    expect(hold(1_000, { ...rules, reviewThresholdMinor: 1_001 }).status).toBe('authorized');
  });

  it('lives the hold TTL passed in', () => {
    expect(hold(1, { reviewThresholdMinor: 10, holdTtlSeconds: 60 }).expiresAt).toBe(
      '2026-06-18T12:01:00.000Z',
    );
    expect(hold(1, { reviewThresholdMinor: 10, holdTtlSeconds: 86_400 }).expiresAt).toBe(
      '2026-06-19T12:00:00.000Z',
    );
  });
});

describe('the velocity rule passed in', () => {
  it('sets the window length and the maximum, and 0 turns it off', () => {
    expect(velocityAt({ velocityMax: 5, velocityWindowSeconds: 60 }, NOW_MS)).toEqual({
      max: 5,
      windowMs: 60_000,
      nowMs: NOW_MS,
    });
    expect(velocityAt({ velocityMax: 0, velocityWindowSeconds: 60 }, NOW_MS)).toBeUndefined();
  });

  it('sets how many holds a window takes when a reserve guard fails', () => {
    const rule = (velocityMax: number, velocityWindowSeconds = 60) => ({
      velocityMax,
      velocityWindowSeconds,
    });
    // The account image a cancelled reserve returns: three holds approved 50, 30 and 10 seconds ago.
    const base = newAccount({
      id: REQUEST.accountId,
      currency: 'CNY',
      creditLimit: 100_000,
      riskTier: 'B',
      now: '',
    });
    const log = [...(base.velocityLog ?? []).slice(3), NOW_MS - 50_000, NOW_MS - 30_000, NOW_MS - 10_000];
    const image = newAccountItem({ ...base, velocityLog: log });
    const explain = (max: number, seconds?: number) =>
      new ReserveShape(REQUEST.accountId, undefined, rule(max, seconds)).explain(
        image,
        1_000,
        'CNY',
        NOW_MS,
        '',
      );
    expect(explain(3)).toEqual({ kind: 'decline', code: 'velocity_exceeded' });
    expect(explain(4)).toMatchObject({ kind: 'retry', startLog: false });
    // A 40-second window holds only the last two of the three.
    expect(explain(3, 40)).toMatchObject({ kind: 'retry' });
    expect(explain(2, 40)).toEqual({ kind: 'decline', code: 'velocity_exceeded' });
    expect(explain(0)).toMatchObject({ kind: 'retry' });
  });
});

describe('a limit request, decided by the cooldown passed in', () => {
  it('hears an account again only after the cooldown', () => {
    const now = new Date(NOW_MS);
    expect(cooldownSince(now, { limitRequestCooldownSeconds: 3_600 })).toBe('2026-06-18T11:00:00.000Z');
    expect(cooldownSince(now, { limitRequestCooldownSeconds: 0 })).toBe('2026-06-18T12:00:00.000Z');
  });

  it('tells a refused account how long until it may ask again (Retry-After), from the last request it read', () => {
    const now = new Date(NOW_MS);
    const rules = { limitRequestCooldownSeconds: 3_600 };
    const ago = (seconds: number) => new Date(NOW_MS - seconds * 1000).toISOString();
    expect(cooldownLeftSeconds(ago(600), now, rules)).toBe(3_000);
    expect(cooldownLeftSeconds(ago(3_599.5), now, rules)).toBe(1); // half a second left: whole seconds, rounded up
    // A last request that cannot have refused it (none, or before the cooldown): another one raced in just now.
    expect(cooldownLeftSeconds(undefined, now, rules)).toBe(3_600);
    expect(cooldownLeftSeconds(ago(7_200), now, rules)).toBe(3_600);
  });

  it("reads its decision from the policy's reasons", () => {
    const reason = (code: string) => ({ code, message: '' });
    expect(requestDecision([reason('requested_limit_granted')])).toBe('approved');
    expect(requestDecision([reason('requested_limit_partially_granted')])).toBe('partially_approved');
    expect(requestDecision([reason('limit_unchanged')])).toBe('declined');
  });
});

describe('a storage read, with the client and table passed in', () => {
  /** A document client that answers every call with `item` and remembers what it was asked. */
  function stubClient(item: Record<string, unknown> | undefined) {
    const inputs: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        inputs.push(command.input);
        return { Item: item };
      },
    } as unknown as DynamoDBDocumentClient;
    return { client, inputs };
  }

  const stored = newAccountItem(
    newAccount({ id: 'acc_stub', currency: 'CNY', creditLimit: 5_000, riskTier: 'A', now: '2026-06-18' }),
  );

  it('reads from the table it is given, consistently', async () => {
    const { client, inputs } = stubClient(stored);
    const account = await getAccount('acc_stub', { documentClient: client, tableName: 'other-table' });
    expect(account).toMatchObject({ id: 'acc_stub', available: 5_000 });
    expect(inputs).toEqual([
      { TableName: 'other-table', Key: { pk: 'ACCOUNT#acc_stub', sk: 'ACCOUNT' }, ConsistentRead: true },
    ]);
  });

  it("checks the account's invariants on the way in", async () => {
    const { client } = stubClient({ ...stored, available: 4_999 });
    await expect(getAccount('acc_stub', { documentClient: client, tableName: 't' })).rejects.toThrow(
      InvariantError,
    );
  });
});
