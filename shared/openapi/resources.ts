/**
 * Response shapes of the contract, as zod schemas for the OpenAPI document only: handlers build responses from
 * typed domain objects, these describe them (and test/openapi checks real responses against them). Request
 * schemas are the handlers' own, imported where they live. Named components use zod's own `.meta({ id })`,
 * so nothing here needs `extendZodWithOpenApi` (which would patch zod for every module of the process).
 *
 * Objects are open (no additionalProperties: false): the contract may add response fields, and a generated
 * client must not break when it does.
 */
import * as z from 'zod';
import { MAX_LISTED_CLIENTS, Scope } from '../clients/model.js';
import { DECLINE_CODES, type DeclineCode, ERROR_CATALOGUE } from '../http/errors.js';
import { RISK_SETTINGS_SCHEMA_VERSION } from '../settings/risk-settings.js';
import { EVENT_TYPES } from '../events/model.js';
import { INBOX_PAGE_SIZE, LOCALES, NOTIFICATION_KINDS } from '../notifications/model.js';

const Money = z.number().int().meta({ description: 'Integer minor units (fen for CNY).' });
const Count = z.number().int().min(0);
const Timestamp = z.string().meta({ description: 'ISO 8601 UTC.' });

/** The error types of the catalogue, so the document can never list a type the service does not send. */
const ERROR_TYPES = [...new Set(Object.values(ERROR_CATALOGUE).map((entry) => entry.type))] as [
  string,
  ...string[],
];

const DECLINES = DECLINE_CODES as [DeclineCode, ...DeclineCode[]];

export const ErrorDetail = z
  .object({
    type: z.enum(ERROR_TYPES),
    code: z
      .string()
      .meta({ description: 'Stable machine-readable code (API.md "Errors"); new codes may be added.' }),
    message: z.string().meta({ description: 'For humans; may change.' }),
    param: z
      .string()
      .optional()
      .meta({ description: 'The request field at fault (validation_failed, unknown_field).' }),
  })
  .meta({ id: 'ErrorDetail' });

export const ErrorResponse = z
  .object({ error: ErrorDetail })
  .meta({ id: 'Error', description: 'Every non-2xx body.' });

export const Account = z
  .object({
    id: z.string(),
    object: z.literal('account'),
    currency: z.string(),
    status: z.enum(['active', 'frozen', 'closed']),
    creditLimit: Money,
    promoLimit: Money,
    totalLimit: Money,
    reserved: Money,
    outstanding: Money,
    available: Money.meta({
      description: 'totalLimit - reserved - outstanding; negative after a limit decrease.',
    }),
    riskTier: z.string(),
    limitUpdatedAt: Timestamp,
    categoryQuotas: z
      .record(
        z.string(),
        z.strictObject({
          promotionId: z.string(),
          remaining: Money.meta({ description: 'Still drawable by holds with this category.' }),
          used: Money.meta({ description: 'Drawn by holds (held or captured); part of promoLimit.' }),
          endsAt: Timestamp,
        }),
      )
      .meta({
        description:
          'Category quotas in force, by category: drawn before general credit by holds with that category.',
      }),
    promotions: z
      .array(
        z.strictObject({
          id: z.string(),
          kind: z.enum(['uplift', 'category_quota']),
          amount: Money.meta({ description: 'The uplift this account gets, or the quota granted.' }),
          category: z.string().optional(),
          startsAt: Timestamp,
          endsAt: Timestamp,
          status: z.enum(['scheduled', 'active', 'ended']),
        }),
      )
      .meta({
        description:
          'Promotions staged on the account, with their status now; totalLimit, promoLimit and available ' +
          'include an uplift in force now.',
      }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Account' });

export const AUTHORIZATION_STATUSES = [
  'authorized',
  'pending_review',
  'partially_captured',
  'captured',
  'released',
  'expired',
  'declined',
] as const;

export const Authorization = z
  .object({
    id: z.string(),
    object: z.literal('authorization'),
    accountId: z.string(),
    orderId: z.string(),
    currency: z.string(),
    amount: Money,
    capturedAmount: Money,
    releasedAmount: Money,
    refundedAmount: Money,
    status: z
      .enum(AUTHORIZATION_STATUSES)
      .meta({ description: 'The held remainder is amount - capturedAmount - releasedAmount.' }),
    declineCode: z.enum(DECLINES).optional(),
    category: z.string().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    installmentPlanId: z
      .string()
      .optional()
      .meta({ description: 'The installment plan its capture made (capture with `installments`).' }),
    expiresAt: Timestamp,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Authorization' });

/** POST /v1/authorizations: the decline is a created resource, so its 402 always carries it. */
export const Declined = z.object({ error: ErrorDetail, authorization: Authorization }).meta({
  id: 'Declined',
  description: 'A declined authorization is still created (status declined, declineCode): GET finds it.',
});

/** POST .../increment: the hold is unchanged; it is absent when the hold itself may not grow (risk_declined). */
export const IncrementDeclined = z
  .object({ error: ErrorDetail, authorization: Authorization.optional() })
  .meta({
    id: 'IncrementDeclined',
    description: 'The hold as it stays (unchanged) when the account cannot cover the increment.',
  });

export const Client = z
  .object({
    id: z.string(),
    object: z.literal('client'),
    name: z.string(),
    scopes: z.array(Scope),
    apiKey: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Client', description: 'apiKey is shown only in this response.' });

const clientFields = {
  id: z.string(),
  object: z.literal('client'),
  name: z.string(),
  scopes: z.array(Scope),
  createdAt: Timestamp,
};

/** A client as listed and revoked: never a key, never a key's hash. */
export const ClientSummary = z
  .object({
    ...clientFields,
    revokedAt: Timestamp.optional().meta({
      description:
        'When the client was revoked: every key of it stopped working then. Absent while it is not.',
    }),
  })
  .meta({ id: 'ClientSummary', description: 'An API client, without its keys.' });

export const ClientList = z
  .object({
    object: z.literal('list'),
    data: z.array(ClientSummary),
    hasMore: z.boolean().meta({
      description: `More clients exist than the listing shows (at most ${MAX_LISTED_CLIENTS}, in id order).`,
    }),
  })
  .meta({ id: 'ClientList' });

export const RotatedClient = z
  .object({
    ...clientFields,
    apiKey: z.string().meta({ description: 'The new key, shown only in this response.' }),
    previousKeyExpiresAt: Timestamp.meta({
      description: 'When the keys the client had before stop working (the end of the overlap).',
    }),
  })
  .meta({ id: 'RotatedClient', description: 'The client with its new key; apiKey is shown only here.' });

export const Refund = z
  .object({
    id: z.string(),
    object: z.literal('refund'),
    amount: Money,
    currency: z.string(),
    authorizationId: z.string(),
    createdAt: Timestamp,
    authorization: Authorization,
  })
  .meta({ id: 'Refund' });

const AllocationLine = z
  .object({
    planId: z.string().optional(),
    sequence: z.number().int().optional(),
    principal: Money,
    fee: Money,
  })
  .meta({
    id: 'AllocationLine',
    description: 'What a repayment paid of one installment, or (no planId) of one-off purchases.',
  });

export const Repayment = z
  .object({
    id: z.string(),
    object: z.literal('repayment'),
    amount: Money,
    currency: z.string(),
    createdAt: Timestamp,
    account: Account,
    allocation: z.array(AllocationLine).meta({
      description:
        'Overdue amounts first (fee, then principal, oldest first), then the current statement, then future ' +
        'principal (early repayment: no future fees).',
    }),
  })
  .meta({ id: 'Repayment' });

const Balances = z.object({ totalLimit: Money, reserved: Money, outstanding: Money, available: Money });
const Reason = z.object({ code: z.string(), message: z.string() }).meta({ id: 'Reason' });

export const JournalEntry = z
  .object({
    id: z.string(),
    object: z.literal('journal_entry'),
    accountId: z.string(),
    type: z.enum([
      'reserve',
      'increment',
      'capture',
      'release',
      'expire',
      'refund',
      'repayment',
      'review_decline',
      'limit_change',
      'freeze',
      'unfreeze',
      'installment_overdue',
    ]),
    amount: Money,
    delta: Balances.meta({ description: 'Signed change this entry made.' }),
    balances: Balances.meta({ description: "The account's figures after this entry." }),
    authorizationId: z.string().optional(),
    reasons: z.array(Reason).optional(),
    allocation: z.array(AllocationLine).optional(),
    policyVersion: z.string().optional(),
    sequence: Count.optional().meta({
      description: 'Place within its transaction when one write journals several movements.',
    }),
    windows: z
      .array(z.strictObject({ startsAt: Timestamp, endsAt: Timestamp, promoDeltaMinor: z.number().int() }))
      .optional()
      .meta({
        description:
          'On a staging limit_change: promotion windows, each moving totalLimit and available by promoDeltaMinor ' +
          'on [startsAt, endsAt) with no entry of its own (the latest staging applies).',
      }),
    createdAt: Timestamp,
  })
  .meta({ id: 'JournalEntry' });

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      object: z.literal('list'),
      data: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    })
    .meta({ id });

/** The journal never ends while the account can move: the reader keeps the cursor and polls (horizon.ts). */
export const JournalPage = z
  .object({
    object: z.literal('list'),
    data: z.array(JournalEntry),
    nextCursor: z.string().meta({
      description:
        'Always present: pass as `cursor` to continue after this page, now or on a later poll. Entries never appear behind it.',
    }),
    hasMore: z.boolean().meta({
      description: 'More settled entries follow now. false: caught up; poll again later with nextCursor.',
    }),
    settledThrough: Timestamp.meta({
      description:
        'The journal before this instant is final (entries show up a short settling lag after they happen). ' +
        'Once hasMore is false, every entry stamped before it has been listed.',
    }),
  })
  .meta({ id: 'JournalPage' });

export const CreditProfileResource = z
  .looseObject({ object: z.literal('credit_profile'), accountId: z.string(), updatedAt: Timestamp })
  .meta({ id: 'CreditProfile', description: 'The stored profile: the fields of the request, plus these.' });

export const LimitRequestResult = z
  .object({
    object: z.literal('limit_request'),
    decision: z.enum(['approved', 'declined', 'partially_approved']),
    creditLimit: Money,
    reasons: z.array(Reason),
  })
  .meta({ id: 'LimitRequestResult' });

export const Job = z
  .object({
    id: z.string(),
    object: z.literal('job'),
    type: z.literal('limit_refresh'),
    status: z.enum(['running', 'succeeded', 'failed']),
    dryRun: z.boolean(),
    asOf: Timestamp.meta({ description: 'The instant every segment assesses at.' }),
    refreshKey: z.string().meta({
      description:
        'Day, policy version and promotions in force: a rerun with the same key writes nothing twice.',
    }),
    segmentsTotal: Count,
    segmentsDone: Count,
    processed: Count.meta({
      description:
        'Accounts the run touched; each is counted in exactly one of changed, unchanged, skipped and failed.',
    }),
    changed: Count.meta({ description: 'Accounts whose limits the run wrote.' }),
    unchanged: Count.meta({
      description:
        'Nothing to write: the policy keeps the account where it is, or this run (or an earlier one with the same refreshKey) already wrote it.',
    }),
    skipped: Count.meta({
      description:
        'A change not written, without an error: a dry run, limits moved by every rewrite (a racing checkout or request), a refused write, or an account gone. The next run assesses them again.',
    }),
    failed: Count.meta({
      description: 'Accounts whose write failed with an error; the next run assesses them again.',
    }),
    summary: z
      .object({ rise: Count, fall: Count, unchanged: Count, totalIncrease: Money, totalDecrease: Money })
      .meta({
        description:
          "How the policy moves each account's total limit (what a dry run reports); accounts already written count as unchanged.",
      }),
    createdAt: Timestamp,
    finishedAt: Timestamp.optional(),
    failureReason: z.string().optional().meta({ description: 'Why a failed run failed.' }),
  })
  .meta({ id: 'Job' });

export const PromotionResource = z
  .looseObject({ object: z.literal('promotion'), id: z.string(), kind: z.enum(['uplift', 'category_quota']) })
  .meta({ id: 'Promotion', description: 'The promotion as created (see the request body), plus object.' });

export const PromotionList = listOf(PromotionResource, 'PromotionList');
export const ReviewPage = listOf(Authorization, 'ReviewPage');

export const RiskSettingsResource = z
  .object({
    object: z.literal('risk_settings'),
    schemaVersion: z.literal(RISK_SETTINGS_SCHEMA_VERSION),
    reviewThreshold: Money.meta({ description: 'A new hold at or above it waits for manual review.' }),
    categoryReviewThresholds: z
      .record(z.string(), Money)
      .meta({ description: 'Per hold category, instead of reviewThreshold.' }),
    velocityMax: Count,
    velocityWindowSeconds: Count,
    newHoldsPaused: z
      .boolean()
      .meta({ description: 'Every new hold and increment is declined holds_paused.' }),
    refreshPaused: z.boolean().meta({ description: 'The scheduled limit refresh starts no run.' }),
    reason: z.string(),
    changedBy: z.string().meta({
      description: 'The API client that made the change (`deployment` for the deployed defaults).',
    }),
    changedAt: Timestamp.optional(),
    origin: z.enum(['parameter', 'defaults']).meta({
      description:
        'parameter: the latest valid document read from the parameter store. defaults: no valid document could be read (the logs say why), so these are the deployed defaults, which a function falls back to until it reads one.',
    }),
    parameter: z.string().meta({
      description:
        'The parameter holding the document (SSM Parameter Store in AWS): its history keeps every version.',
    }),
    appliedWithinSeconds: Count.meta({
      description: 'Every function applies the stored document within this many seconds of a change.',
    }),
  })
  .meta({ id: 'RiskSettings' });
const DateOnly = z.string().meta({ description: 'A date, YYYY-MM-DD (UTC).' });

export const InstallmentOption = z
  .object({
    count: z.number().int(),
    feeRateBps: z.number().int().meta({ description: 'Fee per period, in basis points of the principal.' }),
    totalFee: Money.meta({ description: 'The fees charged over the plan, after any coupon.' }),
    feeWaived: z.boolean().meta({ description: 'A coupon took all or part of the fee off.' }),
    schedule: z.array(
      z.object({ sequence: z.number().int(), dueDate: DateOnly, principal: Money, fee: Money }),
    ),
  })
  .meta({ id: 'InstallmentOption' });

export const InstallmentOptions = z
  .object({ object: z.literal('list'), data: z.array(InstallmentOption) })
  .meta({ id: 'InstallmentOptions', description: 'One option per offered count; principals sum to amount.' });

export const Coupon = z
  .object({
    id: z.string(),
    object: z.literal('coupon'),
    accountId: z.string(),
    kind: z.enum(['interest_free', 'fee_discount']),
    counts: z.array(z.number().int()),
    discountBps: z.number().int().optional(),
    minAmount: Money.optional(),
    category: z.string().optional(),
    validFrom: Timestamp,
    validUntil: Timestamp,
    status: z.enum(['issued', 'redeemed', 'expired']),
    campaignId: z.string().optional(),
    planId: z.string().optional().meta({ description: 'The installment plan that redeemed it.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Coupon' });

export const CouponList = z
  .object({ object: z.literal('list'), data: z.array(Coupon) })
  .meta({ id: 'CouponList' });

export const InstallmentPlan = z
  .object({
    id: z.string(),
    object: z.literal('installment_plan'),
    accountId: z.string(),
    authorizationId: z.string(),
    currency: z.string(),
    principal: Money,
    count: z.number().int(),
    feeRateBps: z.number().int(),
    totalFee: Money,
    feeWaived: z.boolean(),
    couponId: z.string().optional(),
    installments: z.array(
      z.object({
        sequence: z.number().int(),
        dueDate: DateOnly,
        principal: Money,
        fee: Money,
        paidPrincipal: Money,
        paidFee: Money,
        status: z.enum(['scheduled', 'due', 'paid', 'overdue']),
      }),
    ),
    createdAt: Timestamp,
  })
  .meta({ id: 'InstallmentPlan' });

export const InstallmentPlanList = z
  .object({ object: z.literal('list'), data: z.array(InstallmentPlan) })
  .meta({ id: 'InstallmentPlanList' });

export const Statement = z
  .object({
    object: z.literal('statement'),
    accountId: z.string(),
    currency: z.string(),
    statementDate: DateOnly,
    dueDate: DateOnly,
    items: z.array(
      z.object({
        kind: z.enum(['installment', 'purchases']),
        planId: z.string().optional(),
        sequence: z.number().int().optional(),
        dueDate: DateOnly,
        principal: Money,
        fee: Money,
        status: z.enum(['due', 'overdue']),
      }),
    ),
    totalDue: Money,
    minimumDue: Money,
    overdueAmount: Money,
  })
  .meta({ id: 'Statement' });

export const BillingJob = z
  .object({
    id: z.string(),
    object: z.literal('job'),
    type: z.literal('billing'),
    status: z.enum(['running']),
  })
  .meta({ id: 'BillingJob', description: 'A billing run: every account billed as of the start.' });

export const Budget = z
  .object({
    id: z.string(),
    object: z.literal('budget'),
    name: z.string(),
    currency: z.string(),
    amount: Money,
    drawn: Money.meta({ description: 'Drawn by holds in force and captured ones; never above amount.' }),
    remaining: Money.meta({ description: 'amount - drawn, exactly.' }),
    startsAt: Timestamp,
    endsAt: Timestamp,
    category: z.string().optional(),
    status: z.enum(['scheduled', 'active', 'ended']),
  })
  .meta({ id: 'Budget' });

export const CouponCampaignJob = z
  .object({
    id: z.string(),
    object: z.literal('job'),
    type: z.literal('coupon_campaign'),
    status: z.enum(['running', 'succeeded', 'failed']),
    campaignId: z.string(),
    riskTiers: z.array(z.enum(['A', 'B', 'C', 'D', 'E'])),
    terms: Coupon.pick({
      kind: true,
      counts: true,
      discountBps: true,
      minAmount: true,
      category: true,
      validFrom: true,
      validUntil: true,
    }),
    processed: Count.meta({
      description:
        'Accounts looked at; each is counted in exactly one of issued, alreadyIssued, notEligible and failed.',
    }),
    issued: Count.meta({ description: 'Coupons this run issued.' }),
    alreadyIssued: Count.meta({
      description: 'Coupons an earlier run of the campaign issued: a re-run issues nothing twice.',
    }),
    notEligible: Count.meta({ description: "Accounts outside the campaign's risk tiers." }),
    failed: Count.meta({ description: 'Accounts whose coupon could not be issued; a re-run issues it.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp.meta({
      description:
        'When the run last started or added progress; a run without progress for 10 minutes is restarted by starting the campaign again.',
    }),
    finishedAt: Timestamp.optional(),
  })
  .meta({
    id: 'CouponCampaignJob',
    description: 'A coupon campaign: one coupon for every account of its risk tiers.',
  });

export const AnyJob = z.union([Job, CouponCampaignJob]).meta({ id: 'AnyJob' });

const EventType = z.enum(EVENT_TYPES);

export const Event = z
  .object({
    id: z.string().meta({
      description:
        'evt_…: derived from the change it reports, so a redelivery (or a second read of the stream) carries the same id.',
    }),
    object: z.literal('event'),
    type: EventType,
    createdAt: Timestamp.meta({ description: 'When the change was made.' }),
    accountId: z.string(),
    data: z.record(z.string(), z.unknown()).meta({
      description:
        'The resource as the API shows it: an authorization for authorization.*, the journal entry (without running ' +
        'balances) for account.limit_changed (its reasons), account.frozen/unfrozen, repayment.received and ' +
        'installment.overdue, the account (as of that write) for account.near_limit.',
    }),
  })
  .meta({ id: 'Event' });

export const EventPage = z
  .object({
    object: z.literal('list'),
    data: z.array(Event),
    nextCursor: z.string().meta({
      description:
        'Always present: pass as `after` to continue after this page, now or on a later poll. Events never appear behind it.',
    }),
    hasMore: z.boolean().meta({ description: 'More events have been recorded after this page already.' }),
  })
  .meta({ id: 'EventPage' });

const webhookEndpointFields = {
  id: z.string(),
  object: z.literal('webhook_endpoint'),
  url: z.string(),
  events: z.array(z.string()).meta({ description: 'Subscribed event types, or ["*"].' }),
  description: z.string().optional(),
  status: z.enum(['enabled', 'disabled']),
  disabledAt: Timestamp.optional().meta({
    description: 'When deliveries stopped (an endpoint failing for days).',
  }),
  disabledReason: z.string().optional(),
  createdAt: Timestamp,
};

export const WebhookEndpoint = z.object(webhookEndpointFields).meta({ id: 'WebhookEndpoint' });

export const CreatedWebhookEndpoint = z
  .object({
    ...webhookEndpointFields,
    secret: z.string().meta({
      description:
        'whsec_<base64>: verifies the webhook-signature of every delivery. Shown only in this response.',
    }),
  })
  .meta({ id: 'CreatedWebhookEndpoint' });

export const WebhookEndpointList = z
  .object({ object: z.literal('list'), data: z.array(WebhookEndpoint) })
  .meta({ id: 'WebhookEndpointList' });

export const Contact = z
  .object({
    object: z.literal('contact'),
    accountId: z.string(),
    email: z.string().optional().meta({ description: 'Absent: notifications are not emailed.' }),
    locale: z.enum(LOCALES),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Contact' });

export const Notification = z
  .object({
    id: z.string().meta({
      description:
        'ntf_…: one per event and kind (a redelivered event makes none twice); ids sort by the time of the change.',
    }),
    object: z.literal('notification'),
    kind: z.enum(NOTIFICATION_KINDS),
    title: z.string(),
    body: z.string().meta({ description: 'Plain words; a limit change says why (its reasons).' }),
    locale: z
      .enum(LOCALES)
      .meta({ description: "The contact's locale when it was made (zh-CN without one)." }),
    createdAt: Timestamp.meta({ description: 'When the change it reports was made.' }),
    readAt: Timestamp.optional().meta({ description: 'When it was first marked read.' }),
  })
  .meta({ id: 'Notification' });

export const NotificationList = z
  .object({
    object: z.literal('list'),
    data: z.array(Notification).meta({ description: `Newest first; at most the newest ${INBOX_PAGE_SIZE}.` }),
  })
  .meta({ id: 'NotificationList' });
