/**
 * The stack's configuration: the `credit` object of cdk.json's context, parsed and bounded once with zod, so
 * a typo in a festival date or a capacity figure fails `cdk synth` instead of scaling at the wrong hour.
 * Every number names its unit; the reasoning behind the values is in docs/CAPACITY.md.
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

export const StackConfig = z
  .strictObject({
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/),
    /** Where alarms are emailed; empty: alarms go to the SNS topic only (subscribe it elsewhere). */
    alarmEmail: z.union([z.literal(''), z.email()]),
    logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))),
    api: z.strictObject({
      stageName: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
      /** Steady-state requests/s for the whole stage; the account's regional API Gateway quota must be raised to match. */
      stageRateRps: PositiveInt,
      stageBurst: PositiveInt,
      /** POST /v1/authorizations alone: the designed peak, so overload answers 429 instead of cascading. */
      authorizeRateRps: PositiveInt,
      authorizeBurst: PositiveInt,
      /**
       * WAF's per-API-key ceiling (requests/s over its 5-minute window). It applies to every key alike, so it must
       * admit the biggest legitimate caller; it exists to cut off one runaway or leaked key, not to share capacity.
       */
      perClientRateRps: PositiveInt.max(6_000_000),
    }),
    table: z.strictObject({
      warmReadUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_READ_UNITS_PER_SECOND),
      warmWriteUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
      expiryIndexWarmWriteUnitsPerSecond: PositiveInt.min(DEFAULT_WARM_WRITE_UNITS_PER_SECOND),
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
    }),
    /** The functions' business settings (shared/config.ts reads them from the environment). */
    service: z.strictObject({
      reviewThreshold: PositiveInt,
      /** 0 turns the rule off; at most 32 (the account's velocity log, shared/accounts/model.ts). */
      velocityMax: z.number().int().min(0).max(32),
      velocityWindowSeconds: PositiveInt.max(86_400),
      authHoldTtlSeconds: PositiveInt.max(31 * 86_400),
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
  .refine((c) => c.api.perClientRateRps <= c.api.stageRateRps, {
    error: 'perClientRateRps exceeds the stage rate',
  });

export type StackConfig = z.infer<typeof StackConfig>;
export type FestivalConfig = StackConfig['festivals'][number];

function festivalsOverlap(festivals: ReadonlyArray<{ prewarmAt: string; endsAt: string }>): boolean {
  const sorted = [...festivals].sort((a, b) => Date.parse(a.prewarmAt) - Date.parse(b.prewarmAt));
  return sorted.slice(1).some((f, i) => Date.parse(f.prewarmAt) < Date.parse(sorted[i]?.endsAt ?? ''));
}

/** The context key under which cdk.json keeps this configuration. */
export const CONFIG_CONTEXT_KEY = 'credit';

export function parseStackConfig(context: unknown): StackConfig {
  return StackConfig.parse(context);
}
