/**
 * POST /v1/authorizations/{id}/increment (checkout): raises a live hold under the same rules as a reserve: the risk
 * settings in force (review thresholds, velocity rule, the pause of new holds).
 */
import { decideIncrement } from '../../shared/authorizations/model.js';
import { IncrementBody } from '../../shared/authorizations/schemas.js';
import { settle } from '../../shared/authorizations/service.js';
import { sendResult } from '../../shared/http/handler.js';
import { httpRoute } from '../../shared/http/route.js';
import { DECLINE_CODES } from '../../shared/http/errors.js';
import { currentRules } from '../../shared/settings/source.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/authorizations/{id}/increment',
    scopes: ['checkout'],
    body: IncrementBody,
    idempotent: true,
    access: { table: 'write', riskSettings: 'read' },
    docs: {
      operationId: 'increment',
      summary: 'Raise a live hold',
      notes: 'Under the same rules as a new reserve: declined holds_paused while new holds are paused.',
      success: { status: 200, schema: 'Authorization', description: 'The raised authorization.' },
      errors: ['authorization_not_found', 'invalid_state', 'authorization_expired', ...DECLINE_CODES],
      errorBodies: { 402: 'IncrementDeclined' },
    },
  },
  async ({ body, params, operation }) => {
    const rules = await currentRules();
    return sendResult(
      await settle(
        operation,
        {
          kind: 'increment',
          authorizationId: params['id'] ?? '',
          decide: (authorization, nowMs) => decideIncrement(authorization, body, nowMs, rules),
        },
        rules,
      ),
    );
  },
);

export const handler = route.handler;
