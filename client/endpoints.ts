/**
 * Every endpoint the client calls, as data: method, path template, whether it sends an Idempotency-Key, and
 * how it may be retried (see retry-policy.ts). Keys are the OpenAPI operationIds (shared/openapi/document.ts)
 * and the client's method names; test/client/endpoints.test.ts checks this table against the route manifest
 * and the OpenAPI document, so a new route without a client method fails a test.
 */
import type { RetryMode } from './retry-policy.js';

export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** With {param} placeholders, as in the route manifest. */
  path: string;
  /** Money-moving POST: sends an Idempotency-Key (the caller's or a fresh UUID), the same on every retry. */
  idempotencyKey: boolean;
  retry: RetryMode;
}

export const ENDPOINTS = {
  createClient: { method: 'POST', path: '/v1/clients', idempotencyKey: false, retry: 'unprocessed_only' },
  listClients: { method: 'GET', path: '/v1/clients', idempotencyKey: false, retry: 'always' },
  // Revoking a revoked client answers it unchanged: safe to repeat after a lost answer.
  revokeClient: { method: 'DELETE', path: '/v1/clients/{id}', idempotencyKey: false, retry: 'always' },
  // A repeat would make a second key (and retire the first one it made): not repeated on an ambiguous failure.
  rotateClient: {
    method: 'POST',
    path: '/v1/clients/{id}/rotate',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  createAccount: { method: 'POST', path: '/v1/accounts', idempotencyKey: false, retry: 'unprocessed_only' },
  getAccount: { method: 'GET', path: '/v1/accounts/{id}', idempotencyKey: false, retry: 'always' },
  createAuthorization: { method: 'POST', path: '/v1/authorizations', idempotencyKey: true, retry: 'always' },
  getAuthorization: {
    method: 'GET',
    path: '/v1/authorizations/{id}',
    idempotencyKey: false,
    retry: 'always',
  },
  capture: { method: 'POST', path: '/v1/authorizations/{id}/capture', idempotencyKey: true, retry: 'always' },
  release: { method: 'POST', path: '/v1/authorizations/{id}/release', idempotencyKey: true, retry: 'always' },
  increment: {
    method: 'POST',
    path: '/v1/authorizations/{id}/increment',
    idempotencyKey: true,
    retry: 'always',
  },
  refund: { method: 'POST', path: '/v1/authorizations/{id}/refunds', idempotencyKey: true, retry: 'always' },
  repay: { method: 'POST', path: '/v1/accounts/{id}/repayments', idempotencyKey: true, retry: 'always' },
  // Setting a status twice leaves the same status: safe to repeat after a lost answer.
  freeze: { method: 'POST', path: '/v1/accounts/{id}/freeze', idempotencyKey: false, retry: 'always' },
  unfreeze: { method: 'POST', path: '/v1/accounts/{id}/unfreeze', idempotencyKey: false, retry: 'always' },
  listJournal: { method: 'GET', path: '/v1/accounts/{id}/journal', idempotencyKey: false, retry: 'always' },
  listReviews: { method: 'GET', path: '/v1/reviews', idempotencyKey: false, retry: 'always' },
  // A second decision on a decided review answers 409 invalid_state: not repeated on an ambiguous failure.
  approveReview: {
    method: 'POST',
    path: '/v1/reviews/{authorizationId}/approve',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  declineReview: {
    method: 'POST',
    path: '/v1/reviews/{authorizationId}/decline',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  setProfile: { method: 'PUT', path: '/v1/accounts/{id}/profile', idempotencyKey: false, retry: 'always' },
  // One request per cooldown: a blind repeat would be answered 429 and hide the decision.
  requestLimitIncrease: {
    method: 'POST',
    path: '/v1/accounts/{id}/limit-requests',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  startLimitRefresh: {
    method: 'POST',
    path: '/v1/jobs/limit-refresh',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  getJob: { method: 'GET', path: '/v1/jobs/{id}', idempotencyKey: false, retry: 'always' },
  createPromotion: {
    method: 'POST',
    path: '/v1/promotions',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  listPromotions: { method: 'GET', path: '/v1/promotions', idempotencyKey: false, retry: 'always' },
  getRiskSettings: { method: 'GET', path: '/v1/risk-settings', idempotencyKey: false, retry: 'always' },
  // Setting the same document twice leaves the same settings: safe to repeat after a lost answer.
  setRiskSettings: { method: 'PUT', path: '/v1/risk-settings', idempotencyKey: false, retry: 'always' },
  endPromotion: {
    method: 'POST',
    path: '/v1/promotions/{id}/end',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  installmentOptions: {
    method: 'GET',
    path: '/v1/installment-options',
    idempotencyKey: false,
    retry: 'always',
  },
  // Each call issues a new coupon: not repeated on an ambiguous failure.
  createCoupon: { method: 'POST', path: '/v1/coupons', idempotencyKey: false, retry: 'unprocessed_only' },
  listAccountCoupons: {
    method: 'GET',
    path: '/v1/accounts/{id}/coupons',
    idempotencyKey: false,
    retry: 'always',
  },
  getInstallmentPlan: {
    method: 'GET',
    path: '/v1/installment-plans/{id}',
    idempotencyKey: false,
    retry: 'always',
  },
  listInstallmentPlans: {
    method: 'GET',
    path: '/v1/accounts/{id}/installment-plans',
    idempotencyKey: false,
    retry: 'always',
  },
  getStatement: {
    method: 'GET',
    path: '/v1/accounts/{id}/statement',
    idempotencyKey: false,
    retry: 'always',
  },
  startBilling: {
    method: 'POST',
    path: '/v1/jobs/billing',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  createBudget: { method: 'POST', path: '/v1/budgets', idempotencyKey: false, retry: 'unprocessed_only' },
  getBudget: { method: 'GET', path: '/v1/budgets/{id}', idempotencyKey: false, retry: 'always' },
  // Setting the same amount twice leaves the same budget: safe to repeat after a lost answer.
  adjustBudget: { method: 'POST', path: '/v1/budgets/{id}/adjust', idempotencyKey: false, retry: 'always' },
  // Ending is idempotent: an ended budget is answered as it is.
  endBudget: { method: 'POST', path: '/v1/budgets/{id}/end', idempotencyKey: false, retry: 'always' },
  // Starting the same campaign again issues nothing twice: safe to repeat.
  startCouponCampaign: {
    method: 'POST',
    path: '/v1/coupon-campaigns',
    idempotencyKey: false,
    retry: 'always',
  },
  listEvents: { method: 'GET', path: '/v1/events', idempotencyKey: false, retry: 'always' },
  // Each call makes a new endpoint (and secret): not repeated on an ambiguous failure.
  createWebhookEndpoint: {
    method: 'POST',
    path: '/v1/webhook-endpoints',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  listWebhookEndpoints: {
    method: 'GET',
    path: '/v1/webhook-endpoints',
    idempotencyKey: false,
    retry: 'always',
  },
  // A repeat after a lost answer finds nothing and answers 404: not repeated on an ambiguous failure.
  deleteWebhookEndpoint: {
    method: 'DELETE',
    path: '/v1/webhook-endpoints/{id}',
    idempotencyKey: false,
    retry: 'unprocessed_only',
  },
  // Replaces the whole contact: the same request again leaves the same contact.
  setContact: { method: 'PUT', path: '/v1/accounts/{id}/contact', idempotencyKey: false, retry: 'always' },
  listNotifications: {
    method: 'GET',
    path: '/v1/accounts/{id}/notifications',
    idempotencyKey: false,
    retry: 'always',
  },
  // Reading a read notification keeps its first readAt: safe to repeat after a lost answer.
  readNotification: {
    method: 'POST',
    path: '/v1/accounts/{id}/notifications/{notificationId}/read',
    idempotencyKey: false,
    retry: 'always',
  },
} as const satisfies Record<string, EndpointSpec>;

export type OperationId = keyof typeof ENDPOINTS;

/** The path with its placeholders filled (each value URL-encoded); throws on a missing or empty value. */
export function fillPath(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
    return encodeURIComponent(value);
  });
}
