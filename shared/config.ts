/**
 * Runtime configuration: parsed once, at cold start, from the environment (zod), with every default in
 * this one place. Nothing else reads `process.env` for settings.
 *
 * The risk rules (REVIEW_THRESHOLD, VELOCITY_MAX, VELOCITY_WINDOW_SECONDS) are only the *defaults* of the risk
 * settings document, which the risk team changes at runtime without a deploy (shared/settings/): the document
 * the parameter store starts from, and what a function applies when it cannot read the store at cold start.
 */
import * as z from 'zod/mini';
import { parse } from './zod.js';
import { RISK_RULE_BOUNDS } from './settings/risk-settings.js';
import { knownTimeZone, parseQuietHours, type QuietHours } from './notifications/quiet-hours.js';

const intFromEnv = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/**
 * How long a function keeps the risk settings it read before reading them again (Powertools Parameters'
 * maxAge): a change reaches every function within this many seconds. 15 s: fast enough for a risk team in a
 * sale, slow enough that thousands of warm functions stay within SSM's throughput (docs/CAPACITY.md).
 */
const DEFAULT_RISK_SETTINGS_MAX_AGE_SECONDS = 15;
/**
 * The parameter's name: `/<stack name>/risk-settings`, as the stack names it (infra/constructs/risk-settings.ts),
 * for the stage `local`; a deployed function is given its stage's (a test keeps the two patterns equal).
 */
export const DEFAULT_RISK_SETTINGS_PARAMETER = '/CreditAuthorization-local/risk-settings';
/** An SSM parameter name of the hierarchical kind: `/a/b`, SSM's characters, no `.`/`..` segment. */
const ParameterName = z.string().check(
  z.maxLength(1_011),
  z.regex(/^(\/[A-Za-z0-9_.-]+)+$/),
  z.refine((name) => !name.split('/').some((part) => part === '.' || part === '..'), {
    error: 'no . or .. segment',
  }),
);

const ConfigSchema = z.object({
  TABLE_NAME: z._default(z.string().check(z.minLength(3), z.maxLength(255)), 'credit-authorization'),
  /** The events table (shared/events/): the table's name with `-events` unless given. */
  EVENTS_TABLE_NAME: z.optional(z.string().check(z.minLength(3), z.maxLength(255))),
  BUDGETS_TABLE_NAME: z.optional(z.string().check(z.minLength(3), z.maxLength(255))),
  /**
   * Webhook retries (shared/events/delivery.ts): the first retry's delay; each next one doubles it, up to an hour.
   * Production keeps the default; a local run or a test shortens it.
   */
  WEBHOOK_RETRY_BASE_MS: intFromEnv(30_000, 1, 3_600_000),
  /** An endpoint that has failed every delivery for this long is disabled (and says so). Default 3 days. */
  WEBHOOK_DISABLE_AFTER_MS: intFromEnv(3 * 86_400_000, 1, 30 * 86_400_000),
  /** AWS: the EventBridge bus the stream mapper publishes every event to (infra/constructs/events.ts). */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /** AWS: the FIFO queue of webhook deliveries (one message per event and endpoint, grouped by endpoint and account). */
  WEBHOOK_QUEUE_URL: z.optional(z.url()),
  /**
   * Local only: whether the local table gets its change stream (the events come from it). On by default (`npm
   * start`, the bench). DynamoDB Local's stream makes every write of the whole process noticeably slower (~1.5x
   * over a test run), so the tests that do not read events turn it off (test/support/app.ts).
   */
  TABLE_STREAM: z._default(z.enum(['on', 'off']), 'on'),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** Default: amount (minor units) at or above which a new hold waits for manual review. */
  REVIEW_THRESHOLD: intFromEnv(
    5_000_000,
    RISK_RULE_BOUNDS.reviewThreshold.min,
    RISK_RULE_BOUNDS.reviewThreshold.max,
  ),
  /**
   * Default: at most this many approved holds per account within any VELOCITY_WINDOW_SECONDS (exact at the window's
   * edges: the account's velocity log, shared/accounts/repository.ts). 0 turns the rule off; at most 32
   * (VELOCITY_LOG_SLOTS).
   */
  VELOCITY_MAX: intFromEnv(20, RISK_RULE_BOUNDS.velocityMax.min, RISK_RULE_BOUNDS.velocityMax.max),
  VELOCITY_WINDOW_SECONDS: intFromEnv(
    60,
    RISK_RULE_BOUNDS.velocityWindowSeconds.min,
    RISK_RULE_BOUNDS.velocityWindowSeconds.max,
  ),
  /** The risk settings parameter (SSM Parameter Store in AWS; the local parameter store under the same name). */
  RISK_SETTINGS_PARAMETER: z._default(ParameterName, DEFAULT_RISK_SETTINGS_PARAMETER),
  /** Seconds a function keeps the settings it read; 0 (local only: refused in Lambda) reads on every use. */
  RISK_SETTINGS_MAX_AGE_SECONDS: intFromEnv(DEFAULT_RISK_SETTINGS_MAX_AGE_SECONDS, 0, 300),
  /**
   * Local only (refused inside Lambda): the folder the local parameter store keeps its parameters in (`npm start`
   * uses DATA_DIR/parameters). Unset: in memory, for this process only.
   */
  LOCAL_PARAMETER_DIR: z.optional(z.string().check(z.minLength(1), z.maxLength(1_024))),
  /** Another SSM endpoint than the Region's (the SDK's own variable; tests point it at a stand-in). */
  AWS_ENDPOINT_URL_SSM: z.optional(z.url()),
  AUTH_HOLD_TTL_SECONDS: intFromEnv(604_800, 1, 31 * 86_400),
  EXPIRY_SWEEP_INTERVAL_SECONDS: intFromEnv(60, 1, 86_400),
  /** At most 24 days: Node timers cannot wait longer than 2^31 - 1 ms. */
  LIMIT_REFRESH_INTERVAL_SECONDS: intFromEnv(86_400, 1, 24 * 86_400),
  /** Set in AWS: the SQS queue that fans refresh segments out to workers. Unset: segments run in-process. */
  REFRESH_QUEUE_URL: z.optional(z.url()),
  /** Set in AWS: the SQS queue that fans the nightly billing run's buckets out to workers. */
  BILLING_QUEUE_URL: z.optional(z.url()),
  /** Set in AWS: the SQS queue of coupon campaign chunks (one accounts bucket each). Unset: they run in-process. */
  COUPON_CAMPAIGN_QUEUE_URL: z.optional(z.url()),
  /**
   * `on_change` (the default): creating or ending a promotion starts a refresh run that stages it on every
   * eligible account at once (shared/limits/staging.ts). `scheduled`: only the scheduled refresh stages it.
   */
  PROMOTION_STAGING: z._default(z.enum(['on_change', 'scheduled']), 'on_change'),
  /** A customer may ask for a higher limit once per this many seconds. */
  LIMIT_REQUEST_COOLDOWN_SECONDS: intFromEnv(86_400, 0, 365 * 86_400),
  /**
   * GET /v1/accounts/{id}/journal serves only entries stamped at least this long ago: the settled horizon
   * (shared/journal/horizon.ts, which refuses at load any value not above the longest stamp-to-commit time).
   * Ten seconds: about twice that bound (4.5 s), and fresh enough for a repayment system that polls.
   */
  JOURNAL_SETTLE_MS: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(3_600_000))),
  /**
   * Local only (DynamoDB Local; refused anywhere else): multiplies every deadline of the request path (a DynamoDB
   * call's, a write's, each function's timeout as the local server enforces it) and the journal's default lag.
   * DynamoDB Local on a shared 2-core machine answers 100-1000x slower than DynamoDB and sometimes pauses for
   * seconds; the test suite runs at 3 so that no test depends on how fast the machine is (test/support/global-setup).
   * `npm start` runs at 1: the deployed deadlines.
   */
  LOCAL_TIME_SCALE: intFromEnv(1, 1, 10),
  /** Set in AWS on the listing functions: the Secrets Manager secret holding the cursor HMAC key. */
  CURSOR_KEY_SECRET_ARN: z.optional(
    z.string().check(z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/)),
  ),
  /** Local only (refused inside Lambda): the cursor HMAC key itself. `npm start` keeps one under DATA_DIR. */
  CURSOR_KEY: z.optional(z.string().check(z.minLength(32), z.maxLength(1_024))),
  /** Set by the Lambda runtime: tells a deployed function from the local server. */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
  /**
   * The CloudWatch namespace of the service's own metrics (shared/observability/emf.ts): one per stage, set on
   * every deployed function (infra/names.ts, `CreditAuthorization/<stage>`); locally, the local server's stage.
   */
  POWERTOOLS_METRICS_NAMESPACE: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9._#:/-]{1,255}$/)),
    'CreditAuthorization/local',
  ),
  /**
   * Installment fee table: the per-period fee rate in basis points of the purchase's principal, per offered count,
   * as `count:bps` pairs. Defaults (a flat monthly rate, as consumer-credit installment plans quote it): 3 months
   * 0.75%/month, 6 months 0.70%, 12 months 0.66%, 24 months 0.60%. At most 500 bps (5%) a period.
   */
  INSTALLMENT_FEE_BPS: z._default(
    z.string().check(z.regex(/^(3|6|12|24):\d{1,3}(,(3|6|12|24):\d{1,3}){0,3}$/)),
    '3:75,6:70,12:66,24:60',
  ),
  /** The smallest purchase (minor units) that may be split into installments: 100.00. */
  INSTALLMENT_MIN_AMOUNT: intFromEnv(10_000, 1, 1_000_000_000_000),
  /** An installment unpaid this many days after its due date becomes overdue. */
  GRACE_DAYS: intFromEnv(3, 0, 30),
  /** A statement's payment is due this many days after its statement date. */
  PAYMENT_DUE_DAYS: intFromEnv(10, 1, 27),
  /**
   * Seconds an execution environment answers from its copy of the budget registry (the budgets an authorize may
   * draw from) before it reads the registry again, off the request path: how late another process's new budget
   * reaches this one. A budget created in this process is known here at once.
   */
  BUDGET_REGISTRY_MAX_AGE_SECONDS: intFromEnv(10, 1, 300),
  /**
   * The least a budget's slice holds (minor units) when the budget is created: 50,000.00, a hundred holds of
   * 500.00, so what drains unevenly over the slices (each slice's last remainder, below a hold) stays about 1% of
   * the amount (docs/CAPACITY.md 5a). Budgets of 12,800,000.00 and more get all 256 slices.
   */
  BUDGET_MIN_SLICE_MINOR: intFromEnv(5_000_000, 1, 1_000_000_000_000),
  /**
   * DynamoDB Local only: the most transactions one process has in flight there (the rest wait in the process;
   * reads are not held back). `npm start` sets twice the machine's cores unless given (`localServerPool`).
   */
  DYNAMODB_LOCAL_MAX_TRANSACTIONS: intFromEnv(256, 1, 1_024),
  /**
   * Customer notifications (shared/notifications/): no email in these local hours (`<start>-<end>`, 0-23, wrapping
   * midnight; `off`: none). The inbox entry is made at once; the email waits until they end.
   */
  NOTIFY_QUIET_HOURS: z._default(z.string(), '22-8'),
  /** The customers' time zone: quiet hours and the near_limit "once a day" are read on its clock. */
  NOTIFY_TIME_ZONE: z._default(
    z.string().check(z.refine(knownTimeZone, { error: 'not a time zone this runtime knows' })),
    'Asia/Shanghai',
  ),
  /** The From of notification emails (in AWS, an identity SES has verified). */
  NOTIFY_MAIL_FROM: z._default(z.email(), 'notifications@credit-checkout.local'),
  /** AWS: `on` sends notification emails through SES from NOTIFY_MAIL_FROM (the stack sets it with a From). */
  NOTIFY_SES: z._default(z.enum(['on', 'off']), 'off'),
  /** Local only: the SMTP server notification emails go to (`npm start` runs a sink: local/mail-sink.ts). */
  SMTP_URL: z.optional(z.url({ protocol: /^smtps?$/ })),
});

export interface Config {
  tableName: string;
  eventsTableName: string;
  /** The platform budgets' table (shared/budgets/table.ts); default `<TABLE_NAME>-budgets`. */
  budgetsTableName: string;
  tableStream: boolean;
  webhookRetryBaseMs: number;
  webhookDisableAfterMs: number;
  eventBusName: string | undefined;
  webhookQueueUrl: string | undefined;
  dynamodbEndpoint: string | undefined;
  region: string;
  reviewThresholdMinor: number;
  velocityMax: number;
  velocityWindowSeconds: number;
  holdTtlSeconds: number;
  expirySweepIntervalSeconds: number;
  limitRefreshIntervalSeconds: number;
  refreshQueueUrl: string | undefined;
  billingQueueUrl: string | undefined;
  couponCampaignQueueUrl: string | undefined;
  limitRequestCooldownSeconds: number;
  riskSettingsParameter: string;
  riskSettingsMaxAgeSeconds: number;
  localParameterDir: string | undefined;
  ssmEndpoint: string | undefined;
  /** Creating or ending a promotion stages it at once (PROMOTION_STAGING=on_change). */
  stagePromotionsOnChange: boolean;
  journalSettleMs: number;
  /** 1 in AWS; see LOCAL_TIME_SCALE. */
  localTimeScale: number;
  cursorKeySecretArn: string | undefined;
  cursorKey: string | undefined;
  inLambda: boolean;
  metricNamespace: string;
  /** Per-period fee rate (basis points) by installment count; only these counts are offered. */
  installmentFeeBps: Readonly<Record<number, number>>;
  installmentMinAmountMinor: number;
  graceDays: number;
  paymentDueDays: number;
  budgetRegistryMaxAgeSeconds: number;
  budgetMinSliceMinor: number;
  dynamodbLocalMaxTransactions: number;
  /** Undefined: no quiet hours (NOTIFY_QUIET_HOURS=off). */
  notifyQuietHours: QuietHours | undefined;
  notifyTimeZone: string;
  notifyMailFrom: string;
  smtpUrl: string | undefined;
  notifySes: boolean;
}

/** `3:75,6:70` → {3: 75, 6: 70}; a rate above 500 bps a period (5%) or a repeated count is refused. */
export function parseFeeTable(text: string): Record<number, number> {
  const table: Record<number, number> = {};
  for (const pair of text.split(',')) {
    const [count, bps] = pair.split(':').map(Number) as [number, number];
    if (table[count] !== undefined) throw new Error(`INSTALLMENT_FEE_BPS names ${count} twice`);
    if (bps > 500) throw new Error(`INSTALLMENT_FEE_BPS: ${bps} bps a period is above 500`);
    table[count] = bps;
  }
  return table;
}

const DEFAULT_JOURNAL_SETTLE_MS = 10_000;

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (a shell `VAR= cmd` should not fail validation).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = parse(ConfigSchema, cleaned, { jitless: true });
  if (
    parsed.LOCAL_TIME_SCALE !== 1 &&
    (parsed.DYNAMODB_ENDPOINT === undefined || parsed.AWS_LAMBDA_FUNCTION_NAME)
  )
    throw new Error(
      'LOCAL_TIME_SCALE is for DynamoDB Local only: a deployed function keeps the real deadlines',
    );
  refuseLocalOnlyInLambda(parsed);
  return {
    tableName: parsed.TABLE_NAME,
    eventsTableName: parsed.EVENTS_TABLE_NAME ?? `${parsed.TABLE_NAME}-events`,
    budgetsTableName: parsed.BUDGETS_TABLE_NAME ?? `${parsed.TABLE_NAME}-budgets`,
    tableStream: parsed.TABLE_STREAM === 'on',
    webhookRetryBaseMs: parsed.WEBHOOK_RETRY_BASE_MS,
    webhookDisableAfterMs: parsed.WEBHOOK_DISABLE_AFTER_MS,
    eventBusName: parsed.EVENT_BUS_NAME,
    webhookQueueUrl: parsed.WEBHOOK_QUEUE_URL,
    dynamodbEndpoint: parsed.DYNAMODB_ENDPOINT,
    region: parsed.AWS_REGION,
    reviewThresholdMinor: parsed.REVIEW_THRESHOLD,
    velocityMax: parsed.VELOCITY_MAX,
    velocityWindowSeconds: parsed.VELOCITY_WINDOW_SECONDS,
    holdTtlSeconds: parsed.AUTH_HOLD_TTL_SECONDS,
    expirySweepIntervalSeconds: parsed.EXPIRY_SWEEP_INTERVAL_SECONDS,
    limitRefreshIntervalSeconds: parsed.LIMIT_REFRESH_INTERVAL_SECONDS,
    refreshQueueUrl: parsed.REFRESH_QUEUE_URL,
    billingQueueUrl: parsed.BILLING_QUEUE_URL,
    couponCampaignQueueUrl: parsed.COUPON_CAMPAIGN_QUEUE_URL,
    limitRequestCooldownSeconds: parsed.LIMIT_REQUEST_COOLDOWN_SECONDS,
    riskSettingsParameter: parsed.RISK_SETTINGS_PARAMETER,
    riskSettingsMaxAgeSeconds: parsed.RISK_SETTINGS_MAX_AGE_SECONDS,
    localParameterDir: parsed.LOCAL_PARAMETER_DIR,
    ssmEndpoint: parsed.AWS_ENDPOINT_URL_SSM,
    stagePromotionsOnChange: parsed.PROMOTION_STAGING === 'on_change',
    // Ten seconds by default: about twice the longest stamp-to-commit time (shared/journal/horizon.ts), scaled.
    journalSettleMs: parsed.JOURNAL_SETTLE_MS ?? DEFAULT_JOURNAL_SETTLE_MS * parsed.LOCAL_TIME_SCALE,
    localTimeScale: parsed.LOCAL_TIME_SCALE,
    cursorKeySecretArn: parsed.CURSOR_KEY_SECRET_ARN,
    cursorKey: parsed.CURSOR_KEY,
    inLambda: parsed.AWS_LAMBDA_FUNCTION_NAME !== undefined,
    metricNamespace: parsed.POWERTOOLS_METRICS_NAMESPACE,
    installmentFeeBps: parseFeeTable(parsed.INSTALLMENT_FEE_BPS),
    installmentMinAmountMinor: parsed.INSTALLMENT_MIN_AMOUNT,
    graceDays: parsed.GRACE_DAYS,
    paymentDueDays: parsed.PAYMENT_DUE_DAYS,
    budgetRegistryMaxAgeSeconds: parsed.BUDGET_REGISTRY_MAX_AGE_SECONDS,
    budgetMinSliceMinor: parsed.BUDGET_MIN_SLICE_MINOR,
    dynamodbLocalMaxTransactions: parsed.DYNAMODB_LOCAL_MAX_TRANSACTIONS,
    notifyQuietHours: parseQuietHours(parsed.NOTIFY_QUIET_HOURS),
    notifyTimeZone: parsed.NOTIFY_TIME_ZONE,
    notifyMailFrom: parsed.NOTIFY_MAIL_FROM,
    smtpUrl: parsed.SMTP_URL,
    notifySes: parsed.NOTIFY_SES === 'on',
  };
}

/**
 * A deployed function reads its risk settings from SSM and keeps them a while: no local parameter folder, and
 * no maxAge of 0 (one SSM call per request would exceed SSM's throughput at the peak).
 */
function refuseLocalOnlyInLambda(parsed: z.infer<typeof ConfigSchema>): void {
  if (parsed.AWS_LAMBDA_FUNCTION_NAME === undefined) return;
  if (parsed.LOCAL_PARAMETER_DIR !== undefined)
    throw new Error('LOCAL_PARAMETER_DIR is local only: a deployed function reads SSM Parameter Store');
  if (parsed.RISK_SETTINGS_MAX_AGE_SECONDS === 0)
    throw new Error('RISK_SETTINGS_MAX_AGE_SECONDS=0 is local only: a deployed function caches its settings');
}

/** The configuration of this execution environment (parsed on first use, then fixed). */
export const config: Config = parseConfig(process.env);
