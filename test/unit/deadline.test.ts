/**
 * The deadline scope (shared/storage/deadline.ts) and the retry loop inside it (shared/storage/retry.ts),
 * without DynamoDB: scopes only shorten, an invocation's scope is its remaining time less the margin to answer,
 * and a logical write stops retrying when its scope runs out. The same against a stalled DynamoDB is
 * test/integration/deadlines.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeadlineExceededError,
  RESPONSE_MARGIN_MS,
  timeLeftMs,
  withDeadline,
  withInvocationDeadline,
  withinDeadline,
  withoutDeadline,
} from '../../shared/storage/deadline.js';
import {
  MAX_WRITE_ATTEMPTS,
  RETRY,
  RetriesExhaustedError,
  retryAfter,
  WRITE_DEADLINE_MS,
  withRetries,
} from '../../shared/storage/retry.js';
import { TransactionCancelledError } from '../../shared/storage/transactions.js';

describe('deadline scopes', () => {
  it('outside any scope there is no deadline', () => {
    expect(timeLeftMs()).toBe(Infinity);
  });

  it('nest by keeping the earlier deadline, and end with their function', async () => {
    const now = Date.now();
    await withDeadline(now + 60_000, async () => {
      await withDeadline(now + 1_000, async () => expect(timeLeftMs(now)).toBe(1_000));
      expect(timeLeftMs(now)).toBe(60_000);
    });
    await withDeadline(now + 1_000, () =>
      withDeadline(now + 60_000, async () => expect(timeLeftMs(now)).toBe(1_000)),
    );
  });

  it('can be left, for work that outlives the request that started it', async () => {
    await withDeadline(Date.now() - 1, async () =>
      expect(withoutDeadline(() => timeLeftMs())).toBe(Infinity),
    );
  });

  it("an invocation's scope is the time Lambda says it has left, less the margin to answer", async () => {
    const handler = withInvocationDeadline(
      async (_event: unknown, _context: { getRemainingTimeInMillis(): number }) => timeLeftMs(),
    );
    const left = await handler({}, { getRemainingTimeInMillis: () => 3_000 });
    expect(left).toBeLessThanOrEqual(3_000 - RESPONSE_MARGIN_MS);
    expect(left).toBeGreaterThan(0);
  });
});

describe('withinDeadline', () => {
  it('aborts the call when the scope runs out and says so, keeping the cause', async () => {
    const call = withDeadline(Date.now() + 20, () =>
      withinDeadline('a slow call', 60_000, (signal) => sleep(60_000, undefined, { signal })),
    );
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).cause).toMatchObject({ name: 'AbortError' });
  });

  it('aborts at its own cap outside any scope', async () => {
    await expect(
      withinDeadline('a slow call', 20, (signal) => sleep(60_000, undefined, { signal })),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it("passes the call's own failures through as they are", async () => {
    await expect(
      withinDeadline('a failing call', 1_000, async () => Promise.reject(new TypeError('bad input'))),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

describe('withRetries', () => {
  it('starts no attempt when the scope has no time left', async () => {
    let attempts = 0;
    const write = withDeadline(Date.now() - 1, () =>
      withRetries('test write', async () => {
        attempts += 1;
        return RETRY;
      }),
    );
    await expect(write).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(attempts).toBe(0);
  });

  it('stops at the deadline of the invocation when that comes before its own', async () => {
    let attempts = 0;
    const write = withDeadline(Date.now() + 50, () =>
      withRetries('test write', async () => {
        attempts += 1;
        await sleep(60); // past the invocation's deadline, far within WRITE_DEADLINE_MS
        return RETRY;
      }),
    );
    await expect(write).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(attempts).toBe(1);
  });

  it("gives each logical write its own WRITE_DEADLINE_MS within the invocation's time", async () => {
    const left = await withDeadline(Date.now() + 60_000, () =>
      withRetries('test write', async () => timeLeftMs()),
    );
    expect(left).toBeLessThanOrEqual(WRITE_DEADLINE_MS);
    expect(left).toBeGreaterThan(0);
  });

  it('keeps the last transient failure as the cause of RetriesExhaustedError', async () => {
    const conflicts = Array.from(
      { length: MAX_WRITE_ATTEMPTS },
      (_, n) => new TransactionCancelledError(`attempt ${n}`, [{ code: 'TransactionConflict' }]),
    );
    const error = await withRetries('contended write', async (n) =>
      // The last attempt only lost a race: the cause stays the last transient failure before it.
      n === MAX_WRITE_ATTEMPTS - 1 ? RETRY : retryAfter(conflicts[n]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toBe('retries exhausted: contended write');
    expect((error as Error).cause).toBe(conflicts[MAX_WRITE_ATTEMPTS - 2]);
    expect((error as Error).cause).toMatchObject({
      operation: `attempt ${MAX_WRITE_ATTEMPTS - 2}`,
      reasons: ['TransactionConflict'],
    });
  });

  it('has no cause when every attempt only lost a race', async () => {
    const error = await withRetries('racing write', async () => RETRY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).cause).toBeUndefined();
  });
});
