/**
 * The route list: one line per route, each naming the handler module whose `route` declares it (shared/http/
 * route.ts). The local server, the CDK stack, the OpenAPI generator and the tests all read functions/routes.ts,
 * which is built from this list.
 */
export { route as clientsCreate } from './clients-create.js';
export { route as clientsList } from './clients-list.js';
export { route as clientsRevoke } from './clients-revoke.js';
export { route as clientsRotate } from './clients-rotate.js';
export { route as accountsCreate } from './accounts-create.js';
export { route as accountsGet } from './accounts-get.js';
export { route as authorizationsCreate } from './authorizations-create.js';
export { route as authorizationsGet } from './authorizations-get.js';
export { route as authorizationsCapture } from './authorizations-capture.js';
export { route as authorizationsRelease } from './authorizations-release.js';
export { route as authorizationsIncrement } from './authorizations-increment.js';
export { route as authorizationsRefund } from './authorizations-refund.js';
export { route as accountsRepay } from './accounts-repay.js';
export { route as accountsFreeze } from './accounts-freeze.js';
export { route as accountsUnfreeze } from './accounts-unfreeze.js';
export { route as accountsJournal } from './accounts-journal.js';
export { route as reviewsList } from './reviews-list.js';
export { route as reviewsApprove } from './reviews-approve.js';
export { route as reviewsDecline } from './reviews-decline.js';
export { route as accountsProfile } from './accounts-profile.js';
export { route as accountsLimitRequest } from './accounts-limit-request.js';
export { route as jobsLimitRefresh } from './jobs-limit-refresh.js';
export { route as jobsGet } from './jobs-get.js';
export { route as promotionsCreate } from './promotions-create.js';
export { route as promotionsList } from './promotions-list.js';
export { route as promotionsEnd } from './promotions-end.js';
export { route as riskSettingsGet } from './risk-settings-get.js';
export { route as riskSettingsPut } from './risk-settings-put.js';
export { route as installmentOptions } from './installment-options.js';
export { route as couponsCreate } from './coupons-create.js';
export { route as accountsCoupons } from './accounts-coupons.js';
export { route as installmentPlansGet } from './installment-plans-get.js';
export { route as accountsInstallmentPlans } from './accounts-installment-plans.js';
export { route as accountsStatement } from './accounts-statement.js';
export { route as jobsBilling } from './jobs-billing.js';
export { route as budgetsCreate } from './budgets-create.js';
export { route as budgetsGet } from './budgets-get.js';
export { route as budgetsAdjust } from './budgets-adjust.js';
export { route as budgetsEnd } from './budgets-end.js';
export { route as couponCampaignsCreate } from './coupon-campaigns-create.js';
export { route as eventsList } from './events-list.js';
export { route as webhookEndpointsCreate } from './webhook-endpoints-create.js';
export { route as webhookEndpointsList } from './webhook-endpoints-list.js';
export { route as webhookEndpointsDelete } from './webhook-endpoints-delete.js';
export { route as accountsContact } from './accounts-contact.js';
export { route as accountsNotifications } from './accounts-notifications.js';
export { route as accountsNotificationsRead } from './accounts-notifications-read.js';
