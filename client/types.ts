/**
 * The resources and request parameters of the checkout authorization API (shared/API.md), as plain types.
 * The client imports nothing from the service, so it can ship on its own; test/client/types.test.ts pins these
 * to the service's own types and zod schemas at compile time, so they cannot drift silently.
 *
 * Money is always an integer count of minor units (fen for CNY); times are ISO 8601 UTC strings.
 */

export type Scope = 'checkout' | 'servicing' | 'risk' | 'admin';

export type AccountStatus = 'active' | 'frozen' | 'closed';

export interface Account {
  id: string;
  object: 'account';
  currency: string;
  status: AccountStatus;
  creditLimit: number;
  promoLimit: number;
  totalLimit: number;
  reserved: number;
  outstanding: number;
  /** totalLimit - reserved - outstanding; negative after a limit decrease. */
  available: number;
  riskTier: string;
  limitUpdatedAt: string;
  /** Category quotas in force: credit usable only for holds with that `category`, drawn before general credit. */
  categoryQuotas: Record<string, CategoryQuotaBalance>;
  createdAt: string;
}

export interface CategoryQuotaBalance {
  promotionId: string;
  /** Still drawable, minor units. */
  remaining: number;
  /** Drawn by holds (held or captured), minor units; part of promoLimit. */
  used: number;
  /** Draws stop at this instant. */
  endsAt: string;
}

export type AuthorizationStatus =
  | 'authorized'
  | 'pending_review'
  | 'partially_captured'
  | 'captured'
  | 'released'
  | 'expired'
  | 'declined';

export type DeclineCode = 'insufficient_credit' | 'account_frozen' | 'account_closed' | 'velocity_exceeded' | 'risk_declined';

export interface Authorization {
  id: string;
  object: 'authorization';
  accountId: string;
  orderId: string;
  currency: string;
  amount: number;
  capturedAmount: number;
  releasedAmount: number;
  refundedAmount: number;
  status: AuthorizationStatus;
  declineCode?: DeclineCode;
  category?: string;
  metadata?: Record<string, string>;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface Client {
  id: string;
  object: 'client';
  name: string;
  scopes: Scope[];
  /** Shown only in the response that created the client. */
  apiKey: string;
  createdAt: string;
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  authorizationId: string;
  createdAt: string;
  /** The authorization after the refund. */
  authorization: Authorization;
}

export interface Repayment {
  id: string;
  object: 'repayment';
  amount: number;
  currency: string;
  createdAt: string;
  /** The account after the repayment. */
  account: Account;
}

export interface Reason {
  code: string;
  message: string;
}

export interface Balances {
  totalLimit: number;
  reserved: number;
  outstanding: number;
  available: number;
}

export type JournalEntryType =
  | 'reserve'
  | 'increment'
  | 'capture'
  | 'release'
  | 'expire'
  | 'refund'
  | 'repayment'
  | 'review_decline'
  | 'limit_change'
  | 'freeze'
  | 'unfreeze';

export interface JournalEntry {
  id: string;
  object: 'journal_entry';
  accountId: string;
  type: JournalEntryType;
  amount: number;
  /** The signed change this entry made. */
  delta: Balances;
  /** The account's figures after this entry. */
  balances: Balances;
  authorizationId?: string;
  reasons?: Reason[];
  policyVersion?: string;
  sequence?: number;
  createdAt: string;
}

/** One page of a list; pass `nextCursor` as `cursor` for the next one (null on the last page). */
export interface Page<T> {
  object: 'list';
  data: T[];
  nextCursor: string | null;
}

/**
 * A page of an account's journal. The journal never ends while the account can move, so `nextCursor` is always
 * there: keep it and poll again. `hasMore: false` means caught up with `settledThrough` (entries appear a short
 * settling lag after they happen, so that none is ever skipped).
 */
export interface JournalPage {
  object: 'list';
  data: JournalEntry[];
  nextCursor: string;
  hasMore: boolean;
  settledThrough: string;
}

/** The credit-assessment inputs the limit policy reads. */
export interface CreditProfile {
  /** Bureau score, 300-850. */
  creditScore: number;
  /** Minor units per month. */
  monthlyIncome: number;
  incomeVerified: boolean;
  onTimeRepayments: number;
  overdueCount: number;
  maxOverdueDays: number;
  lastOverdueAt?: string;
  /** Hard credit inquiries in the last 90 days. */
  recentInquiries: number;
  tenureMonths: number;
  /** Average monthly spend on the line, minor units. */
  monthlySpend?: number;
}

export interface CreditProfileResource extends CreditProfile {
  object: 'credit_profile';
  accountId: string;
  updatedAt: string;
}

export interface LimitRequestResult {
  object: 'limit_request';
  decision: 'approved' | 'declined' | 'partially_approved';
  creditLimit: number;
  reasons: Reason[];
}

export interface Job {
  id: string;
  object: 'job';
  type: 'limit_refresh';
  status: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  asOf: string;
  refreshKey: string;
  segmentsTotal: number;
  segmentsDone: number;
  /** Accounts touched: each is in exactly one of changed, unchanged, skipped and failed. */
  processed: number;
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  summary: { rise: number; fall: number; unchanged: number; totalIncrease: number; totalDecrease: number };
  createdAt: string;
  finishedAt?: string;
  failureReason?: string;
}

export type RiskTier = 'A' | 'B' | 'C' | 'D' | 'E';

interface PromotionWindow {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  /** Absent: every tier is eligible. */
  eligibleTiers?: RiskTier[];
}

/** A festival uplift: exactly one of upliftPercent and upliftAmount. */
export interface UpliftPromotion extends PromotionWindow {
  kind: 'uplift';
  upliftPercent?: number;
  upliftAmount?: number;
  maxUpliftAmount?: number;
}

export interface CategoryQuotaPromotion extends PromotionWindow {
  kind: 'category_quota';
  category: string;
  quotaAmount: number;
}

export type Promotion = UpliftPromotion | CategoryQuotaPromotion;
export type PromotionResource = Promotion & { object: 'promotion' };

// ---- request parameters ----

export interface CreateClientParams {
  name: string;
  scopes: Scope[];
}

export interface CreateAccountParams {
  id: string;
  currency: string;
  creditLimit: number;
  /** Written with the account, in the same transaction. */
  profile?: CreditProfile;
}

export interface CreateAuthorizationParams {
  accountId: string;
  amount: number;
  currency: string;
  orderId: string;
  category?: string;
  metadata?: Record<string, string>;
}

export interface CaptureParams {
  /** Default: the held remainder. */
  amount?: number;
  /** Default true: a final capture releases whatever remains. */
  final?: boolean;
}

export interface ReleaseParams {
  /** Default: the held remainder. */
  amount?: number;
}

export interface IncrementParams {
  amount: number;
}

export interface RefundParams {
  amount: number;
}

export interface RepaymentParams {
  amount: number;
  currency: string;
}

export interface StatusChangeParams {
  reason: string;
}

export interface PageParams {
  /** 1-100, default 50. */
  limit?: number;
  cursor?: string;
}

export interface LimitRequestParams {
  requestedLimit?: number;
}

export interface RefreshJobParams {
  /** Assess without writing limits. Default false. */
  dryRun?: boolean;
}
