/**
 * The stack's configuration: the `credit` object of cdk.json's context, parsed and bounded once with zod, so
 * a typo in a festival date or a capacity figure fails `cdk synth` instead of scaling at the wrong hour.
 * Every number names its unit; the reasoning behind the values is in docs/CAPACITY.md.
 *
 * Stages. One account can hold several copies of the service (`prod`, `staging`...): `credit.stages` lists
 * them, each with the settings it overrides (objects merge key by key, lists and values replace), and
 * `-c stage=<name>` picks one (`credit.defaultStage` otherwise). The stage is in the stack's name, and so in
 * every physical name CloudFormation generates, and in every name the stack sets itself (API, dashboard, WAF,
 * secrets, metric namespace): two stages never share a resource or a metric. A stage cdk.json does not list is
 * refused, so a typo never deploys a copy with the production capacity (and its bill).
 */
import * as z from 'zod';

const PositiveInt = z.number().int().positive();

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What a new on-demand table/GSI serves instantly anyway: warm throughput below this is meaningless. */
const DEFAULT_WARM_READ_UNITS_PER_SECOND = 12_000;
const DEFAULT_WARM_WRITE_UNITS_PER_SECOND = 4_000;

/** Lambda caps provisioned concurrency by the account's concurrency quota; this is a typo guard, not a quota. */
const MAX_PROVISIONED_CONCURRENCY = 100_000;

/**
 * A stage's name: lower-case letters and digits, short. It goes into the stack name (and so into every
 * generated physical name, which CloudFormation truncates), the API Gateway stage and the metric namespace.
 */
export const STAGE_NAME = /^[a-z][a-z0-9]{0,15}$/;

/**
 * How CodeDeploy shifts the authorize alias to a new version (CDK's LambdaDeploymentConfig names): a canary
 * sends 10% of calls to the new version for the minutes named, then all; linear adds 10% per step; all at once
 * shifts at once (still through CodeDeploy, still rolled back on an alarm while it runs).
 */
export const TRAFFIC_SHIFTS = [
  'CANARY_10PERCENT_5MINUTES',
  'CANARY_10PERCENT_10MINUTES',
  'CANARY_10PERCENT_15MINUTES',
  'CANARY_10PERCENT_30MINUTES',
  'LINEAR_10PERCENT_EVERY_1MINUTE',
  'LINEAR_10PERCENT_EVERY_2MINUTES',
  'LINEAR_10PERCENT_EVERY_3MINUTES',
  'LINEAR_10PERCENT_EVERY_10MINUTES',
  'ALL_AT_ONCE',
] as const;
export type TrafficShift = (typeof TRAFFIC_SHIFTS)[number];

const Festival = z
  .strictObject({
    /** Also the id of its scheduled scaling actions: letters, digits and dashes. */
    name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    /** When provisioned concurrency is raised (hours before the sale opens: allocation takes minutes). */
    prewarmAt: z.iso.datetime(),
    /** When it is lowered again. */
    endsAt: z.iso.datetime(),
    minProvisionedConcurrency: PositiveInt.max(MAX_PROVISIONED_CONCURRENCY),
    maxProvisionedConcurrency: PositiveInt.max(MAX_PROVISIONED_CONCURRENCY),
  })
  .refine((f) => Date.parse(f.endsAt) > Date.parse(f.prewarmAt), { error: 'endsAt must be after prewarmAt' })
  .refine((f) => f.maxProvisionedConcurrency >= f.minProvisionedConcurrency, {
    error: 'maxProvisionedConcurrency is below minProvisionedConcurrency',
  });

/** What one stage deploys: cdk.json's `credit` with the stage's overrides merged in. */
const StageSettings = z
  .strictObject({
    /** Where alarms are emailed; empty: alarms go to the SNS topic only (subscribe it elsewhere). */
    alarmEmail: z.union([z.literal(''), z.email()]),
    /**
     * The From of customer notification emails, an identity SES has verified in the stack's Region; empty: no
     * email in AWS (the inbox only).
     */
    notificationsMailFrom: z.union([z.literal(''), z.email()]),
    logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))),
    api: z.strictObject({
      /** Steady-state requests/s for the whole stage; the account's regional API Gateway quota must be raised to match. */
      stageRateRps: PositiveInt,
      stageBurst: PositiveInt,
      /** POST /v1/authorizations alone: the designed peak, so overload answers 429 instead of cascading. */
      authorizeRateRps: PositiveInt,
      authorizeBurst: PositiveInt,
      /**
       * The share (%) of the stage rate, and of the authorize rate, that one client (one API key) may use: WAF
       * blocks a key above it (infra/constructs/web-acl.ts), so no caller can take the whole authorize capacity.
       */
      clientSharePercent: z.number().int().min(1).max(100),
      /**
       * One source address, every route and key together (requests/s): the backstop that also bounds how many
       * made-up keys one address can try. At least one client's share of the stage: a client behind a single
       * NAT address must still reach its own limit.
       */
      perIpRateRps: PositiveInt,
      /**
       * Requests without a key-shaped Authorization header (missing, not `Bearer <token>`, too short), counted
       * together in one WAF bucket: they can only be answered 401, so they share a small allowance.
       */
      unrecognizedKeyRateRps: PositiveInt,
    }),
    table: z.strictObject({
      warmReadUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_READ_UNITS_PER_SECOND),
      warmWriteUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
      expiryIndexWarmWriteUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
      /** The budgets table's (docs/CAPACITY.md 5a): every hold a budget covers writes one of its slices. */
      budgetsWarmWriteUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
    }),
    authorize: z.strictObject({
      /** Provisioned concurrency outside festivals (and the floor target tracking never scales below). */
      baselineProvisionedConcurrency: PositiveInt.max(MAX_PROVISIONED_CONCURRENCY),
      maxProvisionedConcurrency: PositiveInt.max(MAX_PROVISIONED_CONCURRENCY),
      /** LambdaProvisionedConcurrencyUtilization that target tracking holds. */
      utilizationTarget: z.number().min(0.1).max(0.9),
    }),
    festivals: z.array(Festival).max(20),
    jobs: z.strictObject({
      /** Hour (UTC) of the nightly limit refresh: 18 UTC is 02:00 in China, the quietest checkout hour. */
      limitRefreshHourUtc: z.number().int().min(0).max(23),
      /** Refresh segments processed at once: bounds the refresh's share of table throughput and account concurrency. */
      refreshWorkerMaxConcurrency: z.number().int().min(2).max(1_000),
    }),
    alarms: z.strictObject({
      serverErrorRatePercent: z.number().positive().max(100),
      authorizeP99Ms: PositiveInt,
      dlqDepth: PositiveInt,
      lambdaErrorsPerMinute: PositiveInt,
      lambdaThrottlesPerMinute: PositiveInt,
      dynamoThrottleEventsPerMinute: PositiveInt,
      dynamoSystemErrorsPerMinute: PositiveInt,
      transactionConflictsPerMinute: PositiveInt,
      /** Share of POST /v1/authorizations declined over 5 minutes (%) that pages: a systematic decline, not a customer's. */
      declineRatePercent: z.number().positive().max(100),
      /** Fewer authorizations than this in those 5 minutes never page, whatever their decline rate (a quiet night). */
      declineRateMinAuthorizations: PositiveInt,
    }),
    /** The functions' business settings (shared/config.ts reads them from the environment). */
    service: z.strictObject({
      reviewThreshold: PositiveInt,
      /** 0 turns the rule off; at most 32 (the account's velocity log, shared/accounts/model.ts). */
      velocityMax: z.number().int().min(0).max(32),
      velocityWindowSeconds: PositiveInt.max(86_400),
      authHoldTtlSeconds: PositiveInt.max(31 * 86_400),
    }),
    deploy: z.strictObject({
      /** How a new authorize version takes traffic (infra/constructs/safe-deploys.ts). */
      authorizeTrafficShift: z.enum(TRAFFIC_SHIFTS),
    }),
  })
  .refine((c) => c.authorize.maxProvisionedConcurrency >= c.authorize.baselineProvisionedConcurrency, {
    error: 'authorize.maxProvisionedConcurrency is below the baseline',
  })
  .refine(
    (c) =>
      c.festivals.every((f) => f.minProvisionedConcurrency >= c.authorize.baselineProvisionedConcurrency),
    {
      error: 'a festival raises provisioned concurrency: its minimum cannot be below the baseline',
    },
  )
  .refine((c) => new Set(c.festivals.map((f) => f.name)).size === c.festivals.length, {
    error: 'festival names must be unique',
  })
  .refine((c) => !festivalsOverlap(c.festivals), {
    error: 'festival windows overlap: the end of one would lower capacity inside the next',
  })
  .refine((c) => c.api.authorizeRateRps <= c.api.stageRateRps, {
    error: 'authorizeRateRps exceeds the stage rate',
  })
  .refine((c) => c.api.perIpRateRps <= c.api.stageRateRps, {
    error: 'perIpRateRps exceeds the stage rate',
  })
  .refine((c) => c.api.perIpRateRps >= clientLimits(c.api).stageRps, {
    error: "perIpRateRps is below one client's share of the stage rate",
  });

/** The context object: the shared settings, the stages and what each overrides. */
const ConfigContext = z.looseObject({
  /** The stack is named `<stackNamePrefix>-<stage>`. */
  stackNamePrefix: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/),
  defaultStage: z.string().regex(STAGE_NAME),
  /** Every stage that may be deployed, with the settings it overrides ({} for none). */
  stages: z.record(z.string().regex(STAGE_NAME), z.record(z.string(), z.unknown())),
});

export type StackConfig = z.infer<typeof StageSettings> & {
  /** The stage deployed: in the stack name, the API Gateway stage and every name the stack sets. */
  readonly stage: string;
  /** `<stackNamePrefix>-<stage>`. */
  readonly stackName: string;
};
export type FestivalConfig = StackConfig['festivals'][number];

/** Requests/s one client may send: its share of the stage rate and of the authorize rate, rounded up. */
export function clientLimits(api: {
  stageRateRps: number;
  authorizeRateRps: number;
  clientSharePercent: number;
}): { stageRps: number; authorizeRps: number } {
  const share = (rps: number) => Math.ceil((rps * api.clientSharePercent) / 100);
  return { stageRps: share(api.stageRateRps), authorizeRps: share(api.authorizeRateRps) };
}

function festivalsOverlap(festivals: ReadonlyArray<{ prewarmAt: string; endsAt: string }>): boolean {
  const sorted = [...festivals].sort((a, b) => Date.parse(a.prewarmAt) - Date.parse(b.prewarmAt));
  return sorted.slice(1).some((f, i) => Date.parse(f.prewarmAt) < Date.parse(sorted[i]?.endsAt ?? ''));
}

/** The context key under which cdk.json keeps this configuration. */
export const CONFIG_CONTEXT_KEY = 'credit';
/** The context key that picks the stage: `npx cdk deploy -c stage=staging`. */
export const STAGE_CONTEXT_KEY = 'stage';

/** The settings of `stage` (the context's defaultStage when not given), validated. */
export function parseStackConfig(context: unknown, stage?: string): StackConfig {
  const { stackNamePrefix, defaultStage, stages, ...shared } = ConfigContext.parse(context);
  const chosen = stage ?? defaultStage;
  const overrides = Object.hasOwn(stages, chosen) ? stages[chosen] : undefined;
  if (!overrides)
    throw new Error(
      `unknown stage '${chosen}': cdk.json context.credit.stages lists ${Object.keys(stages).join(', ')}`,
    );
  const settings = StageSettings.parse(mergeSettings(shared, overrides));
  return { ...settings, stage: chosen, stackName: `${stackNamePrefix}-${chosen}` };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `overrides` over `base`: objects merge key by key, anything else (values, lists) replaces. */
export function mergeSettings(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeSettings(current, value) : value;
  }
  return merged;
}
