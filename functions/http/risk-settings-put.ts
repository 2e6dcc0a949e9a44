/**
 * PUT /v1/risk-settings (risk): replaces the risk settings document, whole, with the caller as `changedBy`.
 * Validated before it is stored (a bad document is a 400 and changes nothing); every function applies it within
 * `appliedWithinSeconds`, without a deploy. In AWS each change is a new version of the SSM parameter.
 */
import { config } from '../../shared/config.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';
import { RiskSettingsChange, toRiskSettingsResource } from '../../shared/settings/risk-settings.js';
import { riskSettings } from '../../shared/settings/source.js';
import { parameterWriter } from '../../shared/settings/writer.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'PUT',
    path: '/v1/risk-settings',
    scopes: ['risk'],
    body: RiskSettingsChange,
    access: { table: 'none', riskSettings: 'write' },
    docs: {
      operationId: 'setRiskSettings',
      summary: 'Change the risk settings (whole document, with a reason)',
      notes:
        'Every field is required: a field left out would silently reset. Applied by every function within appliedWithinSeconds.',
      success: { status: 200, schema: 'RiskSettingsResource', description: 'The stored settings.' },
    },
  },
  async ({ body, principal }) => {
    const stored = await riskSettings.save(body, principal.clientId, parameterWriter);
    const where = {
      origin: 'parameter' as const,
      parameter: riskSettings.name,
      maxAgeSeconds: config.riskSettingsMaxAgeSeconds,
    };
    return jsonResponse(200, toRiskSettingsResource(stored, where));
  },
);

export const handler = route.handler;
