/**
 * The contract's error catalogue (API.md "Errors"): every stable `code`, its HTTP status and `type`, and for
 * the 429 and 503 codes the Retry-After they carry by default.
 * Domain code returns these codes as data; this is the one place that says what they mean in HTTP.
 *
 * Part of the contract module: imports nothing, so every domain and the HTTP shell may import it.
 */
interface CatalogueEntry {
  status: number;
  type: string;
  message: string;
  /** On every 429 and 503 (and nothing else): the Retry-After header's default, in whole seconds. */
  retryAfterSeconds?: number;
}

export const ERROR_CATALOGUE = {
  invalid_json: { status: 400, type: 'invalid_request', message: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, type: 'invalid_request', message: 'A parameter is invalid.' },
  invalid_cursor: {
    status: 400,
    type: 'invalid_request',
    message: 'The cursor is not one this API returned for this list: start again without a cursor.',
  },
  unknown_field: {
    status: 400,
    type: 'invalid_request',
    message: 'The request has a field this endpoint does not accept.',
  },
  currency_mismatch: {
    status: 400,
    type: 'invalid_request',
    message: "The currency does not match the account's currency.",
  },
  missing_idempotency_key: {
    status: 400,
    type: 'invalid_request',
    message:
      'This request moves money and needs an Idempotency-Key header (1-255 printable ASCII characters).',
  },
  missing_api_key: {
    status: 401,
    type: 'authentication',
    message: 'No API key was given: send Authorization: Bearer <apiKey>.',
  },
  invalid_api_key: { status: 401, type: 'authentication', message: 'The API key is not valid.' },
  insufficient_scope: {
    status: 403,
    type: 'permission',
    message: "The API key's scopes do not allow this request.",
  },
  account_not_found: { status: 404, type: 'not_found', message: 'No such account.' },
  authorization_not_found: { status: 404, type: 'not_found', message: 'No such authorization.' },
  route_not_found: { status: 404, type: 'not_found', message: 'No such endpoint.' },
  job_not_found: { status: 404, type: 'not_found', message: 'No such job.' },
  promotion_not_found: { status: 404, type: 'not_found', message: 'No such promotion.' },
  client_not_found: { status: 404, type: 'not_found', message: 'No such client.' },
  installment_plan_not_found: { status: 404, type: 'not_found', message: 'No such installment plan.' },
  installments_not_offered: {
    status: 400,
    type: 'invalid_request',
    message: 'Installments are not offered for this count or amount (see GET /v1/installment-options).',
  },
  installment_plan_limit_reached: {
    status: 409,
    type: 'conflict',
    message:
      'The account holds as many installment plans as it may (98); capture without installments, or ask servicing.',
  },
  coupon_unavailable: {
    status: 409,
    type: 'conflict',
    message: 'The coupon was already redeemed.',
  },
  coupon_not_applicable: {
    status: 409,
    type: 'conflict',
    message:
      "The coupon does not apply: it is another account's, outside its validity window, below its minimum amount, or for another category or count.",
  },
  budget_not_found: { status: 404, type: 'not_found', message: 'No such budget.' },
  webhook_endpoint_not_found: { status: 404, type: 'not_found', message: 'No such webhook endpoint.' },
  notification_not_found: { status: 404, type: 'not_found', message: 'No such notification.' },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request',
    message: 'This endpoint does not accept that method.',
  },
  insufficient_credit: {
    status: 402,
    type: 'declined',
    message: 'The account does not have enough available credit.',
  },
  account_frozen: { status: 402, type: 'declined', message: 'The account is frozen.' },
  account_closed: { status: 402, type: 'declined', message: 'The account is closed.' },
  velocity_exceeded: {
    status: 402,
    type: 'declined',
    message: 'Too many authorizations on this account in a short time.',
  },
  risk_declined: { status: 402, type: 'declined', message: 'Declined by risk review.' },
  holds_paused: {
    status: 402,
    type: 'declined',
    message: 'New holds are paused by risk operations for now: try again later with a new Idempotency-Key.',
  },
  budget_exhausted: {
    status: 402,
    type: 'declined',
    message: 'The platform credit budget covering this hold cannot cover it.',
  },
  idempotency_key_reused: {
    status: 409,
    type: 'conflict',
    message: 'This Idempotency-Key was already used with a different request.',
  },
  invalid_state: {
    status: 409,
    type: 'conflict',
    message: 'The authorization is not in a state that allows this operation.',
  },
  authorization_expired: { status: 409, type: 'conflict', message: 'The authorization has expired.' },
  amount_exceeds_remaining: { status: 409, type: 'conflict', message: 'The amount exceeds what remains.' },
  account_exists: { status: 409, type: 'conflict', message: 'An account with this id already exists.' },
  promotion_exists: { status: 409, type: 'conflict', message: 'A promotion with this id already exists.' },
  budget_exists: { status: 409, type: 'conflict', message: 'A budget with this id already exists.' },
  amount_below_drawn: {
    status: 409,
    type: 'conflict',
    message: 'The amount would be below what the budget has already drawn.',
  },
  budget_ended: { status: 409, type: 'conflict', message: 'The budget has ended: it can no longer change.' },
  campaign_conflict: {
    status: 409,
    type: 'conflict',
    message: 'A coupon campaign with this id was started with other terms or tiers.',
  },
  client_revoked: {
    status: 409,
    type: 'conflict',
    message: 'The client is revoked: it has no key to rotate. Create a new client instead.',
  },
  too_many_api_keys: {
    status: 409,
    type: 'conflict',
    message:
      "The client has as many keys that still work as it may hold: wait until an earlier rotation's overlap ends.",
  },
  body_too_large: { status: 413, type: 'invalid_request', message: 'The request body exceeds 64 KiB.' },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request',
    message: 'Send the body as Content-Type: application/json.',
  },
  too_many_requests: {
    status: 429,
    type: 'rate_limited',
    message: 'Too many requests; retry later with backoff.',
    // API Gateway's token buckets refill every second; an answer that knows better says so (a limit request's cooldown).
    retryAfterSeconds: 1,
  },
  internal_error: {
    status: 500,
    type: 'internal',
    message: 'An internal error occurred. It is safe to retry with the same Idempotency-Key.',
  },
  unavailable: {
    status: 503,
    type: 'internal',
    message: 'The service is temporarily unavailable. Retry with the same Idempotency-Key.',
    // A 503 follows DynamoDB throttling or a stall that outlasted our own retries (2.5 s): a second is the least a
    // Retry-After can say (it counts whole seconds), and enough for a throttle or a failover to pass.
    retryAfterSeconds: 1,
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type DeclineCode =
  | 'insufficient_credit'
  | 'account_frozen'
  | 'account_closed'
  | 'velocity_exceeded'
  | 'risk_declined'
  | 'holds_paused'
  | 'budget_exhausted';

/** The decline codes: the catalogue's `declined` entries (every route that can decline answers all of them). */
export const DECLINE_CODES = Object.entries(ERROR_CATALOGUE)
  .filter(([, entry]) => entry.type === 'declined')
  .map(([code]) => code) as readonly DeclineCode[];

export interface ErrorBody {
  error: { type: string; code: ErrorCode; message: string; param?: string };
}

export function errorBody(code: ErrorCode, message?: string, param?: string): ErrorBody {
  const entry = ERROR_CATALOGUE[code];
  return {
    error: {
      type: entry.type,
      code,
      message: message ?? entry.message,
      ...(param === undefined ? {} : { param }),
    },
  };
}

/** The Retry-After (seconds) answers with `code` carry unless they know better: every 429 and 503 has one. */
export function retryAfterSecondsOf(code: ErrorCode): number | undefined {
  const entry: CatalogueEntry = ERROR_CATALOGUE[code];
  return entry.retryAfterSeconds;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, value);
}
