/**
 * The HTTP plumbing every handler shares, as small middy middlewares (each does one thing):
 * contract errors, request ids, path parameters, JSON bodies, authentication context and idempotency keys.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Scope, type Principal, hasAnyScope } from '../clients/model.js';
import { ResourceId } from '../money.js';
import { logger } from '../observability/logger.js';
import { DeadlineExceededError } from '../storage/deadline.js';
import { RetriesExhaustedError } from '../storage/retry.js';
import { ApiError, ERROR_CATALOGUE, type ErrorCode, errorBody, isErrorCode } from './errors.js';

/** The contract's body limit. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Idempotency-Key: 1-255 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

export interface HttpContext {
  requestId: string;
  principal?: Principal;
  idempotencyKey?: string;
  body?: unknown;
}

export type Event = APIGatewayProxyEvent & { ctx: HttpContext };
type Mw = MiddlewareObj<Event, APIGatewayProxyResult>;

export const JSON_HEADERS = { 'content-type': 'application/json' };

export function jsonResponse(
  status: number,
  body: unknown | string,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** The contract's error body; a 429 or 503 also says when to come back (Retry-After, whole seconds). */
function errorResponse(error: ApiError): APIGatewayProxyResult {
  const body = errorBody(error.code, error.message, error.param);
  return jsonResponse(
    error.status,
    error.extra ? { ...body, ...error.extra } : body,
    error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) },
  );
}

/**
 * DynamoDB saying "not now" (throttling, its own 5xx, timeouts, refused connections) once the SDK's own
 * retries are spent: the client should retry with the same key, so 503 `unavailable`, not a 500.
 * `TimeoutError` is also middy's, when a handler reaches its early timeout (HANDLER_BACKSTOP_MS, handler.ts).
 */
const TRANSIENT_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'TimeoutError',
]);

export function isTransientDependencyError(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  return (
    TRANSIENT_AWS_ERRORS.has(e?.name ?? '') ||
    e?.$retryable !== undefined ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(e?.code ?? '')
  );
}

/** First in the chain: a request id on every response, and every failure in the contract's shape. */
export function contractErrors(): Mw {
  return {
    before: (request) => {
      request.event.ctx = { requestId: request.event.requestContext?.requestId ?? randomUUID() };
    },
    after: (request) => {
      if (request.response) {
        request.response.headers = {
          ...request.response.headers,
          'x-request-id': request.event.ctx.requestId,
        };
      }
    },
    onError: (request) => {
      const error = request.error;
      let apiError: ApiError;
      if (error instanceof ApiError) {
        apiError = error;
      } else if (
        error instanceof RetriesExhaustedError ||
        error instanceof DeadlineExceededError ||
        isTransientDependencyError(error)
      ) {
        logger.warn('dependency unavailable after retries', { error });
        apiError = new ApiError('unavailable');
      } else {
        // Never leak a stack trace or an internal name: log it, answer the generic 500.
        logger.error('unhandled error', { error, requestId: request.event.ctx?.requestId });
        apiError = new ApiError('internal_error');
      }
      request.response = errorResponse(apiError);
      request.response.headers = {
        ...request.response.headers,
        'x-request-id': request.event.ctx?.requestId ?? randomUUID(),
      };
    },
  };
}

/** Content type (415), size (413) and JSON syntax (400) of the body. An absent body reads as `{}`. */
export function jsonBody(): Mw {
  return {
    before: (request) => {
      const { event } = request;
      const raw =
        event.body == null
          ? ''
          : event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body;
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new ApiError('body_too_large');
      if (raw.trim() === '') {
        event.ctx.body = {};
        return;
      }
      const contentType = (event.headers?.['content-type'] ?? '').toLowerCase();
      if (!/^application\/([a-z0-9.+-]+\+)?json\b/.test(contentType))
        throw new ApiError('unsupported_media_type');
      try {
        event.ctx.body = JSON.parse(raw);
      } catch {
        throw new ApiError('invalid_json');
      }
    },
  };
}

/** The principal the authorizer established; 401 without one, 403 without an accepted scope. */
export function requireScope(accepted: readonly Scope[]): Mw {
  return {
    before: (request) => {
      const context = request.event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
      const authError = context?.['authError'];
      if (typeof authError === 'string')
        throw new ApiError(isErrorCode(authError) ? authError : 'invalid_api_key');
      const clientId = context?.['clientId'];
      if (typeof clientId !== 'string') throw new ApiError('missing_api_key');
      const scopes = String(context?.['scopes'] ?? '')
        .split(',')
        .flatMap((s) => (Scope.safeParse(s).success ? [s as Scope] : []));
      const principal = { clientId, scopes };
      if (!hasAnyScope(principal, accepted)) throw new ApiError('insufficient_scope');
      request.event.ctx.principal = principal;
    },
  };
}

/** Money-moving POSTs need `Idempotency-Key`. */
export function requireIdempotencyKey(): Mw {
  return {
    before: (request) => {
      const key = request.event.headers?.['idempotency-key'];
      if (key === undefined || !IDEMPOTENCY_KEY.test(key)) throw new ApiError('missing_idempotency_key');
      request.event.ctx.idempotencyKey = key;
    },
  };
}

/**
 * The `<resource>_not_found` code of a path parameter, read from the route's resource path: `{authorizationId}`
 * names its resource, `{id}` is one of the collection before it (`/v1/accounts/{id}` -> `account_not_found`).
 * Undefined when the catalogue has no such 404 code.
 */
export function notFoundCodeFor(resourcePath: string | undefined, param: string): ErrorCode | undefined {
  let resource = param.endsWith('Id') ? param.slice(0, -2) : '';
  if (!resource) {
    const segments = (resourcePath ?? '').split('/');
    const at = segments.indexOf(`{${param}}`);
    resource = at > 0 ? (segments[at - 1] ?? '').replace(/s$/, '') : '';
  }
  const code = `${resource}_not_found`;
  return isErrorCode(code) && ERROR_CATALOGUE[code].status === 404 ? code : undefined;
}

/**
 * Path parameters are ids, and every id the service makes or accepts is a `ResourceId` (1-64 characters of
 * [A-Za-z0-9_.:-]; server-made ids such as `auth_...` and `job_...` are shorter). Anything else cannot name
 * a resource, so it is answered before it reaches storage (DynamoDB rejects over-long keys, which would be a
 * 500): like an id that does not exist, the resource's 404 (`notFound`, or the one the route path names), or a
 * 400 `validation_failed` naming the parameter when the route has no such code.
 */
export function validPathParameters(notFound?: ErrorCode): Mw {
  return {
    before: (request) => {
      const { event } = request;
      for (const [param, value] of Object.entries(event.pathParameters ?? {})) {
        const result = ResourceId.safeParse(value);
        if (result.success) continue;
        const code = notFound ?? notFoundCodeFor(event.resource, param);
        if (code) throw new ApiError(code);
        throw new ApiError(
          'validation_failed',
          `${param}: ${result.error.issues[0]?.message ?? 'not an id'}`,
          param,
        );
      }
    },
  };
}
