/**
 * GET /v1/risk-settings (risk): the risk settings as stored (read afresh from the parameter store), what every
 * function applies within `appliedWithinSeconds`.
 */
import { config } from '../../shared/config.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { toRiskSettingsResource } from '../../shared/settings/risk-settings.js';
import { riskSettings } from '../../shared/settings/source.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'GET',
    path: '/v1/risk-settings',
    scopes: ['risk'],
    access: { table: 'none', riskSettings: 'read' },
    docs: {
      operationId: 'getRiskSettings',
      summary: 'The risk settings: review thresholds, velocity rule, sale switches',
      success: { status: 200, schema: 'RiskSettingsResource', description: 'The settings.' },
    },
  },
  async () => {
    const { settings, origin } = await riskSettings.fresh();
    const where = { origin, parameter: riskSettings.name, maxAgeSeconds: config.riskSettingsMaxAgeSeconds };
    return jsonResponse(200, toRiskSettingsResource(settings, where));
  },
);

export const handler = route.handler;
