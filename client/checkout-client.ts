/**
 * CheckoutClient: one typed method per endpoint of the checkout authorization API. Each method resolves with
 * an ApiResponse (`{ data, status, requestId, replayed, idempotencyKey, attempts }`) or throws a CheckoutError
 * subclass (errors.ts). Money-moving methods send an Idempotency-Key (the caller's, or a fresh UUID) and
 * reuse it on the client's own retries; retry rules are in retry-policy.ts.
 */
import { ENDPOINTS, type OperationId, fillPath } from './endpoints.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRIES_LIMIT,
  MAX_RETRY_AFTER_MS,
  MAX_TIMEOUT_MS,
} from './retry-policy.js';
import {
  type ApiResponse,
  type FetchLike,
  type Sleep,
  type TransportSettings,
  defaultSleep,
  send,
} from './transport.js';
import type {
  Account,
  AdjustBudgetParams,
  Contact,
  ContactParams,
  Notification,
  NotificationList,
  CreatedWebhookEndpoint,
  CreateWebhookEndpointParams,
  EventListParams,
  EventPage,
  WebhookEndpoint,
  WebhookEndpointList,
  Authorization,
  Budget,
  CaptureParams,
  Client,
  ClientList,
  ClientSummary,
  CreateAccountParams,
  CreateAuthorizationParams,
  CreateBudgetParams,
  CreateClientParams,
  CreditProfile,
  CreditProfileResource,
  AnyJob,
  BillingJob,
  Coupon,
  CouponCampaignJob,
  CouponList,
  CreateCouponParams,
  IncrementParams,
  InstallmentOptions,
  InstallmentOptionsParams,
  InstallmentPlan,
  InstallmentPlanList,
  StartCouponCampaignParams,
  Statement,
  Job,
  JournalPage,
  LimitRequestParams,
  LimitRequestResult,
  Page,
  PageParams,
  Promotion,
  PromotionResource,
  RefreshJobParams,
  Refund,
  RefundParams,
  ReleaseParams,
  Repayment,
  RepaymentParams,
  RiskSettings,
  RiskSettingsChange,
  RotateClientParams,
  RotatedClient,
  StatusChangeParams,
} from './types.js';

export interface CheckoutClientOptions {
  /** e.g. `http://127.0.0.1:3000` or the API Gateway stage URL. */
  baseUrl: string;
  apiKey: string;
  /** Per attempt, default 5000. */
  timeoutMs?: number;
  /** Retries after the first attempt, default 3, at most MAX_RETRIES_LIMIT. */
  maxRetries?: number;
  /** Default: globalThis.fetch. Wrap it to add tracing, or to simulate failures in tests. */
  fetch?: FetchLike;
  /** Backoff ceilings (capped full jitter), default 100 ms doubling to 2 s. */
  backoff?: { baseMs?: number; capMs?: number };
  /** A longer Retry-After is not waited out; the RateLimitError/ServerError goes to the caller. Default 10 s. */
  maxRetryAfterMs?: number;
  /** Test hook: how to wait between attempts. */
  sleep?: Sleep;
  /** Test hook: the jitter source, [0, 1). */
  random?: () => number;
}

/** Per-call overrides. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

/** Money-moving calls: pass the key you stored with the order to make a later re-send safe too. */
export interface MoneyCallOptions extends CallOptions {
  idempotencyKey?: string;
}

/** The service's rule: 1-255 printable ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

function checkedInteger(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${chosen}`);
  return chosen;
}

/** http(s) URL without a trailing slash (paths are appended as they are). */
function normalizedBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`baseUrl is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`baseUrl must be http(s): ${value}`);
  return url.toString().replace(/\/+$/, '');
}

export class CheckoutClient {
  readonly #settings: TransportSettings;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;

  constructor(options: CheckoutClientOptions) {
    const baseUrl = normalizedBaseUrl(options.baseUrl);
    if (!options.apiKey) throw new TypeError('apiKey is required');
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = checkedInteger(options.timeoutMs, DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS, 'timeoutMs');
    this.#maxRetries = checkedInteger(
      options.maxRetries,
      DEFAULT_MAX_RETRIES,
      0,
      MAX_RETRIES_LIMIT,
      'maxRetries',
    );
    this.#settings = {
      baseUrl,
      apiKey: options.apiKey,
      fetch: fetchImpl,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      backoff: {
        baseMs: options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs,
        capMs: options.backoff?.capMs ?? DEFAULT_BACKOFF.capMs,
      },
      maxRetryAfterMs: options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS,
    };
  }

  // ---- clients and accounts (admin) ----

  createClient(params: CreateClientParams, options?: CallOptions): Promise<ApiResponse<Client>> {
    return this.#call('createClient', {}, params, options);
  }

  listClients(options?: CallOptions): Promise<ApiResponse<ClientList>> {
    return this.#call('listClients', {}, undefined, options);
  }

  /** Every key of the client stops working (deployed: within API Gateway's 300 s authorizer cache). Idempotent. */
  revokeClient(clientId: string, options?: CallOptions): Promise<ApiResponse<ClientSummary>> {
    return this.#call('revokeClient', { id: clientId }, undefined, options);
  }

  /** A new key; the client's earlier keys keep working `overlapSeconds` (default 3600). Not retried blindly. */
  rotateClient(
    clientId: string,
    params: RotateClientParams = {},
    options?: CallOptions,
  ): Promise<ApiResponse<RotatedClient>> {
    return this.#call('rotateClient', { id: clientId }, params, options);
  }

  createAccount(params: CreateAccountParams, options?: CallOptions): Promise<ApiResponse<Account>> {
    return this.#call('createAccount', {}, params, options);
  }

  getAccount(accountId: string, options?: CallOptions): Promise<ApiResponse<Account>> {
    return this.#call('getAccount', { id: accountId }, undefined, options);
  }

  // ---- authorizations (checkout) ----

  /** 201 authorized or pending_review; a decline throws DeclinedError carrying the declined authorization. */
  createAuthorization(
    params: CreateAuthorizationParams,
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Authorization>> {
    return this.#call('createAuthorization', {}, params, options);
  }

  getAuthorization(authorizationId: string, options?: CallOptions): Promise<ApiResponse<Authorization>> {
    return this.#call('getAuthorization', { id: authorizationId }, undefined, options);
  }

  capture(
    authorizationId: string,
    params: CaptureParams = {},
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Authorization>> {
    return this.#call('capture', { id: authorizationId }, params, options);
  }

  release(
    authorizationId: string,
    params: ReleaseParams = {},
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Authorization>> {
    return this.#call('release', { id: authorizationId }, params, options);
  }

  increment(
    authorizationId: string,
    params: IncrementParams,
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Authorization>> {
    return this.#call('increment', { id: authorizationId }, params, options);
  }

  refund(
    authorizationId: string,
    params: RefundParams,
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Refund>> {
    return this.#call('refund', { id: authorizationId }, params, options);
  }

  // ---- servicing ----

  repay(
    accountId: string,
    params: RepaymentParams,
    options?: MoneyCallOptions,
  ): Promise<ApiResponse<Repayment>> {
    return this.#call('repay', { id: accountId }, params, options);
  }

  listJournal(
    accountId: string,
    params: PageParams = {},
    options?: CallOptions,
  ): Promise<ApiResponse<JournalPage>> {
    return this.#call('listJournal', { id: accountId }, undefined, options, {
      limit: params.limit,
      cursor: params.cursor,
    });
  }

  // ---- risk ----

  freeze(
    accountId: string,
    params: StatusChangeParams,
    options?: CallOptions,
  ): Promise<ApiResponse<Account>> {
    return this.#call('freeze', { id: accountId }, params, options);
  }

  unfreeze(
    accountId: string,
    params: StatusChangeParams,
    options?: CallOptions,
  ): Promise<ApiResponse<Account>> {
    return this.#call('unfreeze', { id: accountId }, params, options);
  }

  listReviews(params: PageParams = {}, options?: CallOptions): Promise<ApiResponse<Page<Authorization>>> {
    return this.#call('listReviews', {}, undefined, options, { limit: params.limit, cursor: params.cursor });
  }

  approveReview(authorizationId: string, options?: CallOptions): Promise<ApiResponse<Authorization>> {
    return this.#call('approveReview', { authorizationId }, undefined, options);
  }

  declineReview(authorizationId: string, options?: CallOptions): Promise<ApiResponse<Authorization>> {
    return this.#call('declineReview', { authorizationId }, undefined, options);
  }

  setProfile(
    accountId: string,
    profile: CreditProfile,
    options?: CallOptions,
  ): Promise<ApiResponse<CreditProfileResource>> {
    return this.#call('setProfile', { id: accountId }, profile, options);
  }

  // ---- limits and jobs ----

  requestLimitIncrease(
    accountId: string,
    params: LimitRequestParams = {},
    options?: CallOptions,
  ): Promise<ApiResponse<LimitRequestResult>> {
    return this.#call('requestLimitIncrease', { id: accountId }, params, options);
  }

  /** 202: poll getJob for progress. */
  startLimitRefresh(params: RefreshJobParams = {}, options?: CallOptions): Promise<ApiResponse<Job>> {
    return this.#call('startLimitRefresh', {}, params, options);
  }

  getJob(jobId: string, options?: CallOptions): Promise<ApiResponse<AnyJob>> {
    return this.#call('getJob', { id: jobId }, undefined, options);
  }

  // ---- promotions ----

  createPromotion(promotion: Promotion, options?: CallOptions): Promise<ApiResponse<PromotionResource>> {
    return this.#call('createPromotion', {}, promotion, options);
  }

  listPromotions(
    params: PageParams = {},
    options?: CallOptions,
  ): Promise<ApiResponse<Page<PromotionResource>>> {
    return this.#call('listPromotions', {}, undefined, options, {
      limit: params.limit,
      cursor: params.cursor,
    });
  }

  endPromotion(promotionId: string, options?: CallOptions): Promise<ApiResponse<PromotionResource>> {
    return this.#call('endPromotion', { id: promotionId }, undefined, options);
  }

  // ---- budgets ----

  createBudget(budget: CreateBudgetParams, options?: CallOptions): Promise<ApiResponse<Budget>> {
    return this.#call('createBudget', {}, budget, options);
  }

  getBudget(budgetId: string, options?: CallOptions): Promise<ApiResponse<Budget>> {
    return this.#call('getBudget', { id: budgetId }, undefined, options);
  }

  adjustBudget(
    budgetId: string,
    params: AdjustBudgetParams,
    options?: CallOptions,
  ): Promise<ApiResponse<Budget>> {
    return this.#call('adjustBudget', { id: budgetId }, params, options);
  }

  endBudget(budgetId: string, options?: CallOptions): Promise<ApiResponse<Budget>> {
    return this.#call('endBudget', { id: budgetId }, undefined, options);
  }

  // ---- events and webhooks ----

  /** One page of an account's events, oldest first; poll with `after` = the last page's `nextCursor`. */
  listEvents(params: EventListParams, options?: CallOptions): Promise<ApiResponse<EventPage>> {
    return this.#call('listEvents', {}, undefined, options, {
      accountId: params.accountId,
      type: params.type,
      after: params.after,
      limit: params.limit,
    });
  }

  /** The answer carries the endpoint's signing secret, shown only this once. */
  createWebhookEndpoint(
    params: CreateWebhookEndpointParams,
    options?: CallOptions,
  ): Promise<ApiResponse<CreatedWebhookEndpoint>> {
    return this.#call('createWebhookEndpoint', {}, params, options);
  }

  listWebhookEndpoints(options?: CallOptions): Promise<ApiResponse<WebhookEndpointList>> {
    return this.#call('listWebhookEndpoints', {}, undefined, options);
  }

  deleteWebhookEndpoint(endpointId: string, options?: CallOptions): Promise<ApiResponse<WebhookEndpoint>> {
    return this.#call('deleteWebhookEndpoint', { id: endpointId }, undefined, options);
  }

  // ---- customer notifications ----

  /** Replaces the customer's contact: the language of notifications and, optionally, an email for them. */
  setContact(accountId: string, params: ContactParams, options?: CallOptions): Promise<ApiResponse<Contact>> {
    return this.#call('setContact', { id: accountId }, params, options);
  }

  /** The customer's inbox, newest first (at most the newest 50). */
  listNotifications(accountId: string, options?: CallOptions): Promise<ApiResponse<NotificationList>> {
    return this.#call('listNotifications', { id: accountId }, undefined, options);
  }

  /** Marks one read; reading it again keeps the first `readAt`. */
  readNotification(
    accountId: string,
    notificationId: string,
    options?: CallOptions,
  ): Promise<ApiResponse<Notification>> {
    return this.#call('readNotification', { id: accountId, notificationId }, undefined, options);
  }

  // ---- risk settings ----

  getRiskSettings(options?: CallOptions): Promise<ApiResponse<RiskSettings>> {
    return this.#call('getRiskSettings', {}, undefined, options);
  }

  /** Replaces the whole document (a field left out is a 400, never a silent reset). */
  setRiskSettings(change: RiskSettingsChange, options?: CallOptions): Promise<ApiResponse<RiskSettings>> {
    return this.#call('setRiskSettings', {}, change, options);
  }

  // ---- installments and coupons ----

  installmentOptions(
    params: InstallmentOptionsParams,
    options?: CallOptions,
  ): Promise<ApiResponse<InstallmentOptions>> {
    return this.#call('installmentOptions', {}, undefined, options, {
      accountId: params.accountId,
      amount: params.amount,
      couponId: params.couponId,
    });
  }

  createCoupon(params: CreateCouponParams, options?: CallOptions): Promise<ApiResponse<Coupon>> {
    return this.#call('createCoupon', {}, params, options);
  }

  listAccountCoupons(accountId: string, options?: CallOptions): Promise<ApiResponse<CouponList>> {
    return this.#call('listAccountCoupons', { id: accountId }, undefined, options);
  }

  getInstallmentPlan(planId: string, options?: CallOptions): Promise<ApiResponse<InstallmentPlan>> {
    return this.#call('getInstallmentPlan', { id: planId }, undefined, options);
  }

  listInstallmentPlans(accountId: string, options?: CallOptions): Promise<ApiResponse<InstallmentPlanList>> {
    return this.#call('listInstallmentPlans', { id: accountId }, undefined, options);
  }

  getStatement(accountId: string, options?: CallOptions): Promise<ApiResponse<Statement>> {
    return this.#call('getStatement', { id: accountId }, undefined, options);
  }

  /** 202: today's billing run, in the background. */
  startBilling(options?: CallOptions): Promise<ApiResponse<BillingJob>> {
    return this.#call('startBilling', {}, undefined, options);
  }

  /** 202: a coupon for every account of the campaign's risk tiers, in the background; poll getJob. */
  startCouponCampaign(
    params: StartCouponCampaignParams,
    options?: CallOptions,
  ): Promise<ApiResponse<CouponCampaignJob>> {
    return this.#call('startCouponCampaign', {}, params, options);
  }

  /** Async, so argument errors (a bad id or key) reject like every other failure: callers handle one channel. */
  async #call<T>(
    operation: OperationId,
    params: Readonly<Record<string, string>>,
    body: unknown,
    options: MoneyCallOptions = {},
    query?: Readonly<Record<string, string | number | undefined>>,
  ): Promise<ApiResponse<T>> {
    const endpoint = ENDPOINTS[operation];
    // Fixed once, before the first attempt: every retry of this call sends the same key.
    const idempotencyKey = endpoint.idempotencyKey
      ? (options.idempotencyKey ?? globalThis.crypto.randomUUID())
      : undefined;
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new TypeError('idempotencyKey must be 1-255 printable ASCII characters');
    }
    return send<T>(this.#settings, {
      method: endpoint.method,
      path: fillPath(endpoint.path, params),
      ...(query ? { query } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      retry: endpoint.retry,
      timeoutMs: checkedInteger(options.timeoutMs, this.#timeoutMs, 1, MAX_TIMEOUT_MS, 'timeoutMs'),
      maxRetries: checkedInteger(options.maxRetries, this.#maxRetries, 0, MAX_RETRIES_LIMIT, 'maxRetries'),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
}
