/**
 * The stack's configuration: the `credit` object of cdk.json's context, parsed and bounded once with zod, so
 * a typo in a festival date fails `cdk synth` instead of scaling at the wrong hour.
 */
import * as z from 'zod';

const PositiveInt = z.number().int().positive();

export const StackConfig = z.strictObject({
  stackName: z.string().min(1).max(128),
  /** Where alarms are emailed; empty: alarms go to the SNS topic only (subscribe it elsewhere). */
  alarmEmail: z.union([z.literal(''), z.email()]),
  api: z.strictObject({
    /** Steady-state requests/s for the whole stage; the account's regional API Gateway quota must be raised to match. */
    stageRateRps: PositiveInt,
    stageBurst: PositiveInt,
    authorizeRateRps: PositiveInt,
    authorizeBurst: PositiveInt,
  }),
  table: z.strictObject({ warmReadUnitsPerSecond: PositiveInt, warmWriteUnitsPerSecond: PositiveInt }),
  authorize: z.strictObject({
    baselineProvisionedConcurrency: PositiveInt,
    maxProvisionedConcurrency: PositiveInt,
    utilizationTarget: z.number().min(0.1).max(0.9),
  }),
  festival: z
    .strictObject({
      name: z.string().min(1).max(64),
      /** When provisioned concurrency is raised (hours before the sale opens). */
      prewarmAt: z.iso.datetime(),
      /** When it is lowered again. */
      endsAt: z.iso.datetime(),
      minProvisionedConcurrency: PositiveInt,
      maxProvisionedConcurrency: PositiveInt,
    })
    .refine((f) => Date.parse(f.endsAt) > Date.parse(f.prewarmAt), { error: 'endsAt must be after prewarmAt' })
    .refine((f) => f.maxProvisionedConcurrency >= f.minProvisionedConcurrency, { error: 'max below min' }),
  alarms: z.strictObject({ serverErrorRatePercent: z.number().positive().max(100), authorizeP99Ms: PositiveInt, dlqDepth: PositiveInt }),
  service: z.strictObject({
    reviewThreshold: PositiveInt,
    velocityMax: PositiveInt,
    velocityWindowSeconds: PositiveInt,
    authHoldTtlSeconds: PositiveInt,
  }),
});

export type StackConfig = z.infer<typeof StackConfig>;

export function parseStackConfig(context: unknown): StackConfig {
  return StackConfig.parse(context);
}
