/**
 * The risk settings as this execution environment applies them: read from the parameter store
 * (parameter-store.ts) through Powertools' cache, so the checkout path reads the store at most once per maxAge
 * (15 s) and otherwise answers from memory. It never fails a checkout:
 *   - the store cannot be read (throttled, down, not allowed, missing parameter, not JSON): the last good
 *     settings stay, an error is logged, and the store is not asked again for RETRY_AFTER_FAILURE_MS;
 *   - the document is not valid (schema, version): the same, with zod's issues in the log;
 *   - no good document yet (a cold start whose first read failed): the deployed defaults, the environment's
 *     REVIEW_THRESHOLD / VELOCITY_MAX / VELOCITY_WINDOW_SECONDS with every switch off.
 * Every document an environment starts applying is logged with who changed it and why.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { config } from '../config.js';
import { logger } from '../observability/logger.js';
import {
  localParameterStore,
  type ParameterReader,
  parameterReader,
  type ParameterWriter,
} from './parameter-store.js';
import {
  environmentDefaults,
  MAX_DOCUMENT_BYTES,
  type RiskSettings,
  type RiskSettingsChange,
  RiskSettingsDocument,
  documentOf,
  rulesOf,
} from './risk-settings.js';
import { assert } from '../assert.js';

/**
 * After a failed read, the store is left alone this long (the last good settings apply meanwhile): a throttled
 * SSM is not asked again by every request of every environment. Short against maxAge, so a cold start that fell
 * back to the defaults picks the real settings up soon.
 */
export const RETRY_AFTER_FAILURE_MS = 5_000;

export interface RiskSettingsSourceOptions {
  store: ParameterReader;
  /** The parameter's name. */
  name: string;
  /** What applies until a good document is read. */
  defaults: RiskSettings;
  maxAgeSeconds: number;
  retryAfterFailureMs?: number;
  nowMs?: () => number;
  log?: Pick<Logger, 'error' | 'info'>;
}

/** Where the settings in force came from. */
export type SettingsOrigin = 'parameter' | 'defaults';

export class RiskSettingsSource {
  readonly name: string;
  #lastGood: RiskSettings;
  #origin: SettingsOrigin = 'defaults';
  /** The last value the store gave (Powertools hands back the same object while it is cached). */
  #seen: unknown;
  #retryAtMs = 0;
  readonly #options: Required<RiskSettingsSourceOptions>;

  constructor(options: RiskSettingsSourceOptions) {
    this.#options = {
      retryAfterFailureMs: RETRY_AFTER_FAILURE_MS,
      nowMs: Date.now,
      log: logger,
      ...options,
    };
    this.name = options.name;
    // Not parsed here: the defaults come from the bounded configuration, and a first zod parse costs cold-start time.
    this.#lastGood = options.defaults;
  }

  /** The settings to apply now: cached, never throws. */
  async current(): Promise<RiskSettings> {
    if (this.#options.nowMs() < this.#retryAtMs) return this.#lastGood;
    return this.read(false);
  }

  /** The settings as the store holds them now (the cache bypassed), else the last good; never throws. */
  async fresh(): Promise<{ settings: RiskSettings; origin: SettingsOrigin }> {
    const settings = await this.read(true);
    return { settings, origin: this.#origin };
  }

  /**
   * Stores a change through `writer` as the next document (whole, validated, with who made it); every function
   * applies it within maxAge. The writer is passed in: only the function that writes imports one (writer.ts).
   */
  async save(
    change: RiskSettingsChange,
    changedBy: string,
    writer: ParameterWriter,
    now = new Date(),
  ): Promise<RiskSettings> {
    const document = documentOf(change, changedBy, now);
    const value = JSON.stringify(document);
    assert(
      Buffer.byteLength(value, 'utf8') <= MAX_DOCUMENT_BYTES,
      'the bounds of the settings keep a document within an SSM Standard parameter',
    );
    await writer.put(this.name, value);
    this.#options.log.info('risk settings changed', { parameter: this.name, settings: document });
    return document;
  }

  private async read(forceFetch: boolean): Promise<RiskSettings> {
    const { store, maxAgeSeconds } = this.#options;
    let raw: unknown;
    try {
      raw = await store.getJson(this.name, { maxAgeSeconds, forceFetch });
    } catch (error) {
      return this.keepLastGood('could not be read', { error });
    }
    if (raw === undefined) return this.keepLastGood('does not exist', {});
    if (raw === this.#seen) return this.#lastGood;
    this.#seen = raw;
    const parsed = RiskSettingsDocument.safeParse(raw, { jitless: true });
    if (!parsed.success) return this.keepLastGood('is not a valid document', { issues: parsed.error.issues });
    const changed =
      this.#origin !== 'parameter' || JSON.stringify(parsed.data) !== JSON.stringify(this.#lastGood);
    this.#lastGood = parsed.data;
    this.#origin = 'parameter';
    if (changed)
      this.#options.log.info('risk settings applied', { parameter: this.name, settings: parsed.data });
    return parsed.data;
  }

  private keepLastGood(problem: string, details: Record<string, unknown>): RiskSettings {
    this.#retryAtMs = this.#options.nowMs() + this.#options.retryAfterFailureMs;
    this.#options.log.error(`risk settings parameter ${problem}: keeping the last good settings`, {
      parameter: this.name,
      keeping: this.#origin,
      changedBy: this.#lastGood.changedBy,
      ...details,
    });
    return this.#lastGood;
  }
}

/** This execution environment's risk settings: the configured parameter, the environment's defaults. */
export const riskSettings = new RiskSettingsSource({
  store: parameterReader,
  name: config.riskSettingsParameter,
  defaults: environmentDefaults(config),
  maxAgeSeconds: config.riskSettingsMaxAgeSeconds,
});

/**
 * The rules the write paths decide new credit by (authorizations/service.ts `AuthorizeRules`): the risk
 * settings in force, and the environment's hold TTL.
 */
export async function currentRules(source: RiskSettingsSource = riskSettings) {
  return { holdTtlSeconds: config.holdTtlSeconds, ...rulesOf(await source.current()) };
}

/**
 * Whether the scheduled limit refresh is paused by the risk team (the nightly run contends with checkouts on the
 * same account items: docs/CAPACITY.md); logged when it is, so a skipped night is never silent.
 */
export async function scheduledRefreshPaused(source: RiskSettingsSource = riskSettings): Promise<boolean> {
  const settings = await source.current();
  if (settings.refreshPaused)
    logger.warn('scheduled limit refresh paused by the risk settings: no run started', {
      parameter: source.name,
      changedBy: settings.changedBy,
      reason: settings.reason,
    });
  return settings.refreshPaused;
}

/**
 * `npm start` and the tests create the parameter with the environment's defaults if it does not exist, as a
 * deploy creates it in SSM (infra/constructs/risk-settings.ts); an existing document is kept.
 */
export async function seedRiskSettings(
  store: ParameterReader & ParameterWriter = localParameterStore,
  name: string = config.riskSettingsParameter,
  defaults: RiskSettings = environmentDefaults(config),
): Promise<void> {
  if ((await store.getJson(name, { maxAgeSeconds: 0, forceFetch: true })) !== undefined) return;
  await store.put(name, JSON.stringify(defaults));
}
