/**
 * POST /v1/authorizations (checkout): reserve credit for an order, in one DynamoDB round trip, under the risk
 * settings in force (cached in memory: no store read on most requests). Declared without the X-Ray SDK, to keep the
 * checkout's cold start in budget (shared/http/untraced-route.ts).
 */
import { CreateAuthorizationBody } from '../../shared/authorizations/schemas.js';
import { authorize } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { untracedHttpRoute } from '../../shared/http/untraced-route.js';
import { DECLINE_CODES } from '../../shared/http/errors.js';
import { config } from '../../shared/config.js';
import { currentRules, riskSettings } from '../../shared/settings/source.js';
import { budgetRegistry } from '../../shared/budgets/registry.js';

// Inside Lambda, the risk settings are read while the function initializes (provisioned concurrency does so
// before any traffic), so the first checkout of an environment does not wait for SSM. It never throws: a failed
// read leaves the deployed defaults until the next read (shared/settings/source.ts).
// Likewise the budget registry (the budgets a hold may draw from), refreshed off the request path afterwards. The
// two reads (SSM, DynamoDB) are independent: they run side by side, so the init waits for the slower one only.
if (config.inLambda) await Promise.all([riskSettings.current(), budgetRegistry.load()]);

export const route = untracedHttpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations',
    scopes: ['checkout'],
    body: CreateAuthorizationBody,
    idempotent: true,
    access: { table: 'write', riskSettings: 'read' },
    docs: {
      operationId: 'createAuthorization',
      summary: 'Reserve credit (create a hold)',
      success: {
        status: 201,
        schema: 'Authorization',
        description:
          "Authorized, or pending_review at or above the risk settings' review threshold (its category's, if set).",
      },
      errors: ['currency_mismatch', 'account_not_found', ...DECLINE_CODES],
      errorBodies: { 402: 'Declined' },
    },
  },
  async ({ body, operation }) => sendResult(await authorize(operation, body, await currentRules())),
);

export const handler = route.handler;
