/**
 * POST /v1/coupon-campaigns (admin): issues a coupon with the same terms to every account of the named risk
 * tiers, by a job (progress at GET /v1/jobs/{id}). Answers 202 once the run's chunks are handed to its workers
 * (the campaign queue in AWS, this process locally: shared/coupons/campaign.ts `dispatchCampaign`).
 * Starting the same campaign again issues nothing twice; the same id with other terms or tiers is a 409.
 */
import { dispatchCampaign, startCampaign } from '../../shared/coupons/campaign.js';
import { CreateCampaignBody } from '../../shared/coupons/model.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute } from '../../shared/http/route.js';

export const route = httpRoute(
  import.meta.url,
  {
    method: 'POST',
    path: '/v1/coupon-campaigns',
    scopes: ['admin'],
    body: CreateCampaignBody,
    access: { table: 'write', enqueuesCouponCampaigns: true },
    docs: {
      operationId: 'startCouponCampaign',
      summary: 'Issue a coupon to every account of some risk tiers',
      notes:
        'Each account gets one coupon whose id is derived from the campaign and the account, so starting the ' +
        'campaign again (after a failure, or to reach accounts opened since) issues nothing twice. A run under ' +
        'way is answered as it is.',
      success: { status: 202, schema: 'CouponCampaignJob', description: 'The started (or running) run.' },
      errors: ['campaign_conflict'],
    },
  },
  async ({ body }) => {
    const started = await startCampaign(body, new Date().toISOString());
    if (started.outcome === 'conflict') throw new ApiError('campaign_conflict');
    if (started.outcome === 'started') await dispatchCampaign(started.job.campaignId, started.run);
    return jsonResponse(202, started.job);
  },
);

export const handler = route.handler;
