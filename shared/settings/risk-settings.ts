/**
 * The risk settings document: the rules new credit is decided by and the switches the risk team pulls during a
 * sale, changed at runtime without a deploy (docs/CAPACITY.md forbids deploys inside a festival window). One
 * JSON document under one parameter name (SSM Parameter Store in AWS, the local parameter store locally; see
 * parameter-store.ts), validated here in full whoever wrote it: the API (PUT /v1/risk-settings) or an operator
 * with `aws ssm put-parameter`. Pure: schemas, the defaults and the rules a hold is decided by.
 *
 * | field                      | default (deployed)             | honoured by                                      |
 * | -------------------------- | ------------------------------ | ------------------------------------------------ |
 * | `reviewThreshold`          | REVIEW_THRESHOLD (5,000,000)   | a new hold at or above it waits for review;      |
 * |                            |                                | an increment reaching it is `risk_declined`      |
 * | `categoryReviewThresholds` | `{}`                           | the same, for holds of that category             |
 * | `velocityMax`              | VELOCITY_MAX (20)              | approved holds + increments per account within   |
 * |                            |                                | any window (0: off; at most 32)                  |
 * | `velocityWindowSeconds`    | VELOCITY_WINDOW_SECONDS (60)   | the window's length                              |
 * | `newHoldsPaused`           | `false`                        | every new hold is declined `holds_paused`, and   |
 * |                            |                                | every increment; settling holds goes on          |
 * | `refreshPaused`            | `false`                        | the scheduled limit refresh starts no run        |
 * | `changedBy`, `reason`      | `deployment`, the defaults     | audit: who changed it and why (required)         |
 */
import * as z from 'zod/mini';
import { described, parse } from '../zod.js';
import { VELOCITY_LOG_SLOTS } from '../accounts/model.js';
import { Category } from '../authorizations/schemas.js';
import type { Config } from '../config.js';

/**
 * Bounds of the risk rules, in the document and in their environment defaults alike (shared/config.ts). Velocity
 * windows up to a day. (This module loads no configuration: the OpenAPI generator imports it.)
 */
export const RISK_RULE_BOUNDS = {
  reviewThreshold: { min: 1, max: 1_000_000_000_000 },
  /** 0 turns the velocity rule off; at most the slots of an account's velocity log. */
  velocityMax: { min: 0, max: VELOCITY_LOG_SLOTS },
  velocityWindowSeconds: { min: 1, max: 86_400 },
} as const;

/** Bumped when a field's meaning changes; a document of another version is refused (and the last good kept). */
export const RISK_SETTINGS_SCHEMA_VERSION = 1;

/**
 * Category overrides at most: with the other bounds below, the largest document fits an SSM Standard parameter
 * (4 KB; MAX_DOCUMENT_BYTES). A test builds that largest document and measures it.
 */
export const MAX_CATEGORY_THRESHOLDS = 20;
export const MAX_REASON_CHARS = 300;
export const MAX_CHANGED_BY_CHARS = 128;
/** SSM Parameter Store's limit for a Standard parameter's value. */
export const MAX_DOCUMENT_BYTES = 4_096;

const { reviewThreshold, velocityMax, velocityWindowSeconds } = RISK_RULE_BOUNDS;
const Threshold = z.int().check(z.minimum(reviewThreshold.min), z.maximum(reviewThreshold.max));

/** The rules and switches: a change sets all of them, the stored document adds who and when. */
const RiskSettingsFields = {
  schemaVersion: z.literal(RISK_SETTINGS_SCHEMA_VERSION),
  reviewThreshold: described(Threshold, {
    description: 'Minor units: a new hold at or above it waits for manual review.',
  }),
  categoryReviewThresholds: described(
    z.record(Category, Threshold).check(
      z.refine((t) => Object.keys(t).length <= MAX_CATEGORY_THRESHOLDS, {
        error: `at most ${MAX_CATEGORY_THRESHOLDS} categories`,
      }),
    ),
    { description: 'Per hold category, instead of reviewThreshold (e.g. lower for electronics).' },
  ),
  velocityMax: described(z.int().check(z.minimum(velocityMax.min), z.maximum(velocityMax.max)), {
    description:
      'At most this many approved holds and increments per account within any window; 0: no limit.',
  }),
  velocityWindowSeconds: z
    .int()
    .check(z.minimum(velocityWindowSeconds.min), z.maximum(velocityWindowSeconds.max)),
  newHoldsPaused: described(z.boolean(), {
    description: 'Declines every new hold and increment (402 holds_paused); settling holds goes on.',
  }),
  refreshPaused: described(z.boolean(), { description: 'The scheduled limit refresh starts no run.' }),
  reason: described(z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_REASON_CHARS)), {
    description: 'Why: kept for audit.',
  }),
};

/** What a change sets: every rule and switch, always whole (a field left out would silently reset). */
export const RiskSettingsChange = described(z.strictObject(RiskSettingsFields), { id: 'RiskSettingsChange' });
export type RiskSettingsChange = z.infer<typeof RiskSettingsChange>;

/** The stored document: the change and who made it (the API client, or the operator writing SSM directly). */
export const RiskSettingsDocument = z.strictObject({
  ...RiskSettingsFields,
  changedBy: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_CHANGED_BY_CHARS)),
  /** Absent in the defaults a deploy writes (the template stays the same from one synth to the next). */
  changedAt: z.optional(z.iso.datetime()),
});
export type RiskSettings = z.infer<typeof RiskSettingsDocument>;

/** Who wrote the deployed defaults. */
export const DEFAULTS_CHANGED_BY = 'deployment';

/** The rule values of the defaults: from cdk.json (the stack) or the environment (a function). */
export interface RiskRuleDefaults {
  reviewThreshold: number;
  velocityMax: number;
  velocityWindowSeconds: number;
}

/** The document a deploy (and `npm start`) starts from, and what a function applies until it reads one. */
export function defaultRiskSettings(rules: RiskRuleDefaults): RiskSettings {
  return {
    schemaVersion: RISK_SETTINGS_SCHEMA_VERSION,
    reviewThreshold: rules.reviewThreshold,
    categoryReviewThresholds: {},
    velocityMax: rules.velocityMax,
    velocityWindowSeconds: rules.velocityWindowSeconds,
    newHoldsPaused: false,
    refreshPaused: false,
    changedBy: DEFAULTS_CHANGED_BY,
    reason: 'the defaults of this deployment (REVIEW_THRESHOLD, VELOCITY_MAX, VELOCITY_WINDOW_SECONDS)',
  };
}

/** This environment's defaults (shared/config.ts). */
export const environmentDefaults = (
  c: Pick<Config, 'reviewThresholdMinor' | 'velocityMax' | 'velocityWindowSeconds'>,
): RiskSettings =>
  defaultRiskSettings({
    reviewThreshold: c.reviewThresholdMinor,
    velocityMax: c.velocityMax,
    velocityWindowSeconds: c.velocityWindowSeconds,
  });

/** A change as stored: whole, with who made it and when. */
export function documentOf(change: RiskSettingsChange, changedBy: string, now: Date): RiskSettings {
  return parse(RiskSettingsDocument, { ...change, changedBy, changedAt: now.toISOString() });
}

/** The settings' part of the rules the write paths take (the rest, the hold TTL, is the environment's). */
export function rulesOf(settings: RiskSettings): {
  reviewThresholdMinor: number;
  categoryReviewThresholds: Readonly<Record<string, number>>;
  velocityMax: number;
  velocityWindowSeconds: number;
  newHoldsPaused: boolean;
} {
  return {
    reviewThresholdMinor: settings.reviewThreshold,
    categoryReviewThresholds: settings.categoryReviewThresholds,
    velocityMax: settings.velocityMax,
    velocityWindowSeconds: settings.velocityWindowSeconds,
    newHoldsPaused: settings.newHoldsPaused,
  };
}

/**
 * GET and PUT /v1/risk-settings: the settings, where they came from (and the parameter whose history keeps every
 * version), and how soon every function applies them.
 */
export function toRiskSettingsResource(
  settings: RiskSettings,
  where: { origin: 'parameter' | 'defaults'; parameter: string; maxAgeSeconds: number },
) {
  return {
    object: 'risk_settings' as const,
    ...settings,
    origin: where.origin,
    parameter: where.parameter,
    appliedWithinSeconds: where.maxAgeSeconds,
  };
}
