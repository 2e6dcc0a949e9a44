/**
 * The resources and request parameters of the checkout authorization API (shared/API.md), under the names the
 * client has always exported. Each is an alias over generated/openapi.ts, which `npm run client:types` derives
 * from the service's OpenAPI document, so no shape is restated here by hand; test/client/types.test.ts also pins
 * these to the service's own types and zod schemas at compile time.
 *
 * Money is always an integer count of minor units (fen for CNY); times are ISO 8601 UTC strings.
 */
import type { components, operations } from './generated/openapi.js';

type Schemas = components['schemas'];

/** The JSON body an operation takes. */
type RequestBody<Op extends keyof operations> = NonNullable<
  operations[Op]['requestBody']
>['content']['application/json'];

/**
 * The named properties of a resource the document describes as open (`additionalProperties`): the contract may
 * add fields, but a caller reading a field the contract does not name should be a compile error, not `unknown`.
 */
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

// ---- resources ----

export type Account = Schemas['Account'];
export type AccountStatus = Account['status'];
/** A category quota in force: credit usable only for holds with that `category`, drawn before general credit. */
export type CategoryQuotaBalance = Account['categoryQuotas'][string];

export type Authorization = Schemas['Authorization'];
export type AuthorizationStatus = Authorization['status'];
export type DeclineCode = NonNullable<Authorization['declineCode']>;

export type Client = Schemas['Client'];
export type Scope = Client['scopes'][number];
/** A client as listed and revoked: never its keys. `revokedAt` once it is revoked. */
export type ClientSummary = Schemas['ClientSummary'];
/** Every client, in id order (`hasMore`: more exist than one listing shows). */
export type ClientList = Schemas['ClientList'];
/** The client with its new key (shown only here) and when its earlier keys stop working. */
export type RotatedClient = Schemas['RotatedClient'];

export type Refund = Schemas['Refund'];
export type Repayment = Schemas['Repayment'];

export type JournalEntry = Schemas['JournalEntry'];
export type JournalEntryType = JournalEntry['type'];
export type Balances = JournalEntry['balances'];
export type Reason = Schemas['Reason'];
/**
 * A page of an account's journal. The journal never ends while the account can move, so `nextCursor` is always
 * there: keep it and poll again. `hasMore: false` means caught up with `settledThrough` (entries appear a short
 * settling lag after they happen, so that none is ever skipped).
 */
export type JournalPage = Schemas['JournalPage'];

/**
 * One page of a list; pass `nextCursor` as `cursor` for the next one (null on the last page). Generic over the
 * item, where the document names each list (JournalPage, ReviewPage, PromotionList); types.test.ts pins them.
 */
export interface Page<T> {
  object: 'list';
  data: T[];
  nextCursor: string | null;
}

/** The credit-assessment inputs the limit policy reads (PUT /v1/accounts/{id}/profile). */
export type CreditProfile = RequestBody<'setProfile'>;
export type CreditProfileResource = CreditProfile & Known<Schemas['CreditProfile']>;

/**
 * The risk settings: review thresholds, the velocity rule and the sale switches, changed at runtime (no deploy);
 * every function applies a change within `appliedWithinSeconds`.
 */
export type RiskSettings = Schemas['RiskSettings'];
/** A change to the risk settings: the whole document (every field required) and a reason. */
export type RiskSettingsChange = RequestBody<'setRiskSettings'>;

export type LimitRequestResult = Schemas['LimitRequestResult'];
export type Job = Schemas['Job'];

export type Promotion = RequestBody<'createPromotion'>;
/** A festival uplift: exactly one of upliftPercent and upliftAmount. */
export type UpliftPromotion = Extract<Promotion, { kind: 'uplift' }>;
export type CategoryQuotaPromotion = Extract<Promotion, { kind: 'category_quota' }>;
export type RiskTier = NonNullable<Promotion['eligibleTiers']>[number];
export type PromotionResource = Promotion & Known<Schemas['Promotion']>;

export type Budget = Schemas['Budget'];
export type CreateBudgetParams = RequestBody<'createBudget'>;
export type AdjustBudgetParams = RequestBody<'adjustBudget'>;

// ---- request parameters ----

export type CreateClientParams = RequestBody<'createClient'>;
/** `overlapSeconds`: how long the client's current keys keep working (default 3600, at most 604800). */
export type RotateClientParams = RequestBody<'rotateClient'>;
/** `profile` is written with the account, in the same transaction. */
export type CreateAccountParams = RequestBody<'createAccount'>;
export type CreateAuthorizationParams = RequestBody<'createAuthorization'>;
/** `amount` defaults to the held remainder; `final` (default true) releases whatever remains. */
export type CaptureParams = RequestBody<'capture'>;
/** `amount` defaults to the held remainder. */
export type ReleaseParams = RequestBody<'release'>;
export type IncrementParams = RequestBody<'increment'>;
export type RefundParams = RequestBody<'refund'>;
export type RepaymentParams = RequestBody<'repay'>;
export type StatusChangeParams = RequestBody<'freeze'>;
/** `limit` 1-100, default 50; `cursor` from the previous page's `nextCursor`. */
export type PageParams = NonNullable<operations['listJournal']['parameters']['query']>;
export type LimitRequestParams = RequestBody<'requestLimitIncrease'>;
/** `dryRun`: assess without writing limits. Default false. */
export type RefreshJobParams = RequestBody<'startLimitRefresh'>;

// ---- installments and coupons ----

export type InstallmentOption = Schemas['InstallmentOption'];
export type InstallmentOptions = Schemas['InstallmentOptions'];
export type InstallmentOptionsParams = NonNullable<operations['installmentOptions']['parameters']['query']>;
export type Coupon = Schemas['Coupon'];
export type CouponList = Schemas['CouponList'];
export type CreateCouponParams = RequestBody<'createCoupon'>;
export type InstallmentPlan = Schemas['InstallmentPlan'];
export type InstallmentPlanList = Schemas['InstallmentPlanList'];
export type Statement = Schemas['Statement'];
export type BillingJob = Schemas['BillingJob'];
export type CouponCampaignJob = Schemas['CouponCampaignJob'];
export type AnyJob = Schemas['AnyJob'];
export type StartCouponCampaignParams = RequestBody<'startCouponCampaign'>;
export type Event = Schemas['Event'];
export type EventType = Event['type'];
export type EventPage = Schemas['EventPage'];
export type EventListParams = operations['listEvents']['parameters']['query'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type CreatedWebhookEndpoint = Schemas['CreatedWebhookEndpoint'];
export type WebhookEndpointList = Schemas['WebhookEndpointList'];
export type CreateWebhookEndpointParams = RequestBody<'createWebhookEndpoint'>;
/** The customer's contact for notifications: the language, and an email to send them to as well. */
export type Contact = Schemas['Contact'];
export type ContactParams = RequestBody<'setContact'>;
export type Locale = Contact['locale'];
/** One entry of the customer's inbox (shown as a pop-up); `readAt` once read. */
export type Notification = Schemas['Notification'];
export type NotificationKind = Notification['kind'];
/** The inbox, newest first (at most the newest 50). */
export type NotificationList = Schemas['NotificationList'];
