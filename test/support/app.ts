/**
 * Starts the local service (the real handlers behind the local HTTP server) on a fresh table of the shared
 * DynamoDB Local, with the configuration a test file asks for. One app per test file: configuration is read
 * when the service modules load, and jest gives every test file its own module registry.
 */
import { randomBytes } from 'node:crypto';
import type { LambdaHandler } from '../../local/server.js';

const CONFIG_VARIABLES = [
  'REVIEW_THRESHOLD',
  'VELOCITY_MAX',
  'VELOCITY_WINDOW_SECONDS',
  'AUTH_HOLD_TTL_SECONDS',
  'EXPIRY_SWEEP_INTERVAL_SECONDS',
  'LIMIT_REFRESH_INTERVAL_SECONDS',
  'RISK_SETTINGS_MAX_AGE_SECONDS',
  'RISK_SETTINGS_PARAMETER',
  'PROMOTION_STAGING',
  'WEBHOOK_RETRY_BASE_MS',
  'WEBHOOK_DISABLE_AFTER_MS',
  'TABLE_STREAM',
  'BUDGET_MIN_SLICE_MINOR',
] as const;

/**
 * Where a test app differs from the deployed default unless the test asks: creating or ending a promotion starts
 * a refresh run in the background (PROMOTION_STAGING=on_change), which would race the runs a test starts and
 * counts itself. The tests of that staging ask for it (test/integration/promotion-staging.test.ts). And a budget's
 * slices hold at least 1,000.00 instead of 50,000.00 (BUDGET_MIN_SLICE_MINOR), so budgets of a few thousand spread
 * over several slices and the tests' holds drain slices and need rebalances.
 */
const TEST_DEFAULTS: Partial<Record<(typeof CONFIG_VARIABLES)[number], string>> = {
  PROMOTION_STAGING: 'scheduled',
  BUDGET_MIN_SLICE_MINOR: '100000',
  // DynamoDB Local's change stream slows every write down (shared/config.ts): on only where a test reads events.
  TABLE_STREAM: 'off',
};

export const ADMIN_KEY = 'test-admin-key';

export interface TestApp {
  url: string;
  tableName: string;
  close: () => Promise<void>;
}

/**
 * The clock GET /v1/accounts/{id}/journal reads its settled horizon from (shared/journal/horizon.ts):
 * - 'system' (the default): as deployed, entries show up JOURNAL_SETTLE_MS after they happen;
 * - 'settled': as if that lag had passed for everything written so far, for tests that read fresh entries;
 * - a function: the test moves the reader's clock itself (test/integration/journal-paging.test.ts).
 */
export type JournalClock = 'system' | 'settled' | (() => number);

export async function startTestApp(
  env: Partial<Record<(typeof CONFIG_VARIABLES)[number], string>> = {},
  options: { endpoint?: string; journalClock?: JournalClock } = {},
): Promise<TestApp> {
  if (!process.env['DYNAMODB_ENDPOINT'])
    throw new Error('DYNAMODB_ENDPOINT is not set: run through `npm test`');
  // The service may talk to DynamoDB through something else (the fault proxy); the test itself reads direct.
  if (options.endpoint) process.env['DYNAMODB_ENDPOINT'] = options.endpoint;
  const tableName = `t_${randomBytes(6).toString('hex')}`;
  process.env['TABLE_NAME'] = tableName;
  for (const name of CONFIG_VARIABLES) {
    const value = env[name] ?? TEST_DEFAULTS[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const handlers = await journalOverride(options.journalClock ?? 'system');
  const { startApp } = await import('../../local/app.js');
  await expectConfigurationFromHere(tableName);
  const app = await startApp({ port: 0, adminApiKey: ADMIN_KEY, handlers });
  return { url: app.url, tableName, close: app.close };
}

/**
 * The service reads its configuration once, when its modules first load. A test file that imports them before
 * this function set the environment (a static import of functions/routes.ts, of infra/, or of a handler) would
 * run the service on another table and settings, silently: say so instead.
 */
async function expectConfigurationFromHere(tableName: string): Promise<void> {
  const { config } = await import('../../shared/config.js');
  if (config.tableName !== tableName || config.dynamodbEndpoint !== process.env['DYNAMODB_ENDPOINT']) {
    throw new Error(
      'the service read its configuration before startTestApp: import functions/routes.ts, infra/ and handler ' +
        'modules dynamically, after startTestApp',
    );
  }
}

async function journalOverride(clock: JournalClock): Promise<Record<string, LambdaHandler>> {
  if (clock === 'system') return {};
  const { journalRoute } = await import('../../functions/http/accounts-journal.js');
  const { eventsRoute } = await import('../../functions/http/events-list.js');
  const { config } = await import('../../shared/config.js');
  const nowMs = clock === 'settled' ? () => Date.now() + config.journalSettleMs : clock;
  // The event list reads the same settled horizon.
  return { 'accounts-journal': journalRoute(nowMs).handler, 'events-list': eventsRoute(nowMs).handler };
}
