/**
 * Every failure leaves the handler in the contract's shape: transient dependency trouble is a 503, the rest a 500
 * without internals; every 429 and 503 says when to retry.
 */
import { InvariantError } from '../../shared/assert.js';
import { ApiError, ERROR_CATALOGUE, type ErrorCode, retryAfterSecondsOf } from '../../shared/http/errors.js';
import { contractErrors } from '../../shared/http/middleware.js';
import { DeadlineExceededError } from '../../shared/storage/deadline.js';
import { RetriesExhaustedError } from '../../shared/storage/retry.js';
import { TransactionCancelledError } from '../../shared/storage/transactions.js';

function fail(error: unknown) {
  const request: any = { event: { ctx: { requestId: 'req-1' } }, error, response: null };
  contractErrors().onError!(request);
  return {
    status: request.response.statusCode as number,
    body: JSON.parse(request.response.body),
    headers: request.response.headers,
  };
}

describe('contractErrors', () => {
  it.each([
    [
      'a throttle the SDK could not retry away',
      Object.assign(new Error('slow down'), {
        name: 'ProvisionedThroughputExceededException',
        $retryable: { throttling: true },
      }),
    ],
    [
      'a DynamoDB 500',
      Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
    ],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'a DynamoDB call cut by its deadline',
      new DeadlineExceededError('GetCommand: cut after 2500 ms (its deadline)'),
    ],
    [
      'an attempt past its request timeout',
      Object.assign(new Error('a request has exceeded the configured requestTimeout'), {
        name: 'TimeoutError',
      }),
    ],
  ])('answers 503 unavailable for %s', (_name, error) => {
    const reply = fail(error);
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ type: 'internal', code: 'unavailable' });
    expect(reply.headers['x-request-id']).toBe('req-1');
  });

  it('answers 500 internal_error for a bug, without its message or name', () => {
    const reply = fail(new TypeError('cannot read properties of undefined (reading secretThing)'));
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('internal_error');
    expect(JSON.stringify(reply.body)).not.toMatch(/TypeError|secretThing/);
  });

  it('answers 503 for a write out of retries, without the transient cause it keeps', () => {
    const conflict = new TransactionCancelledError('capture', [
      { code: 'None' },
      { code: 'TransactionConflict' },
    ]);
    const reply = fail(new RetriesExhaustedError('capture', { cause: conflict }));
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('unavailable');
    expect(JSON.stringify(reply.body)).not.toMatch(/TransactionConflict|cancelled|retries/);
  });

  it('answers 500 for a transaction cancelled for a reason the write path does not explain, without the reasons', () => {
    const reply = fail(
      new TransactionCancelledError('authorize', [{ code: 'None' }, { code: 'ValidationError' }]),
    );
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('internal_error');
    expect(JSON.stringify(reply.body)).not.toMatch(/ValidationError|cancelled|authorize/);
  });

  it('answers an ApiError as itself', () => {
    expect(fail(new ApiError('insufficient_scope')).status).toBe(403);
  });

  it('says when to retry (Retry-After, whole seconds) on a 429 or a 503, and on nothing else', () => {
    expect(fail(new RetriesExhaustedError('capture')).headers['retry-after']).toBe('1');
    expect(fail(new ApiError('too_many_requests')).headers['retry-after']).toBe('1');
    expect(fail(ApiError.retryAfter('too_many_requests', 3_600)).headers['retry-after']).toBe('3600');
    expect(fail(new ApiError('insufficient_credit')).headers['retry-after']).toBeUndefined();
    expect(fail(new TypeError('a bug')).headers['retry-after']).toBeUndefined();
  });

  it('refuses a Retry-After an answer cannot carry: on a code that is no 429 or 503, or not whole seconds', () => {
    expect(() => ApiError.retryAfter('insufficient_credit', 5)).toThrow(InvariantError);
    expect(() => ApiError.retryAfter('unavailable', 0)).toThrow(InvariantError);
    expect(() => ApiError.retryAfter('unavailable', 1.5)).toThrow(InvariantError);
  });
});

describe('the error catalogue', () => {
  it('gives every 429 and 503 code a default Retry-After of whole seconds, and no other code one', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const seconds = retryAfterSecondsOf(code as ErrorCode);
      if (entry.status === 429 || entry.status === 503) {
        expect([code, Number.isInteger(seconds) && (seconds ?? 0) >= 1]).toEqual([code, true]);
      } else {
        expect([code, seconds]).toEqual([code, undefined]);
      }
    }
  });
});
