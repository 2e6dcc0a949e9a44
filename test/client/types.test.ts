/**
 * The client's types (client/types.ts: aliases over client/generated/openapi.ts, which is generated from the
 * OpenAPI document; client/errors.ts) against the service's own types and zod schemas. The checks are
 * type-level: `npm run typecheck` (tsc) fails when either side changes alone. The client itself imports nothing
 * from the service, so it can ship on its own; this file is where they meet.
 */
import type * as z from 'zod';
import type * as C from '../../client/index.js';
import type { AccountResource } from '../../shared/accounts/model.js';
import type {
  CreateAccountBody,
  PageQuery,
  RepaymentBody,
  StatusChangeBody,
} from '../../shared/accounts/schemas.js';
import type { AuthorizationResource } from '../../shared/authorizations/model.js';
import type {
  CaptureBody,
  CreateAuthorizationBody,
  IncrementBody,
  RefundBody,
  ReleaseBody,
} from '../../shared/authorizations/schemas.js';
import type { ClientView, Scope } from '../../shared/clients/model.js';
import type { CreateClientBody, RotateClientBody } from '../../shared/clients/schemas.js';
import type { DeclineCode, ERROR_CATALOGUE, ErrorCode } from '../../shared/http/errors.js';
import type { CampaignJob } from '../../shared/coupons/campaign.js';
import type { CreateCampaignBody } from '../../shared/coupons/model.js';
import type { Job } from '../../shared/jobs/repository.js';
import type { JournalEntryResource, JournalPageBody } from '../../shared/journal/pagination.js';
import type { LimitRequestBody, RefreshJobBody } from '../../shared/limits/schemas.js';
import type * as R from '../../shared/openapi/resources.js';
import type {
  ContactBody,
  NotificationResource,
  toContactResource,
} from '../../shared/notifications/model.js';
import type { CreditProfile } from '../../shared/profiles/model.js';
import type { Promotion } from '../../shared/promotions/model.js';
import type { RiskSettingsChange, toRiskSettingsResource } from '../../shared/settings/risk-settings.js';

/** Mutual assignability: each side accepts every value of the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Only A -> B: every value the client may send is one the service accepts. */
type Accepts<Service, Client> = [Client] extends [Service] ? true : false;
type Check<T extends true> = T;
/** `any` would pass every Same check: a generated alias that lost its source must fail instead. */
type NotAny<T> = 0 extends 1 & T ? false : true;

type Checks = [
  Check<NotAny<C.Account>>,
  Check<NotAny<C.Authorization>>,
  Check<NotAny<C.CaptureParams>>,
  Check<NotAny<C.ErrorType>>,
  Check<NotAny<C.PageParams>>,
  // Resources: what the service builds, and what the OpenAPI document describes.
  Check<Same<C.Account, AccountResource>>,
  Check<Same<C.Account, z.infer<typeof R.Account>>>,
  Check<Same<C.Authorization, AuthorizationResource>>,
  Check<Same<C.Authorization, z.infer<typeof R.Authorization>>>,
  Check<Same<C.Job, Job>>,
  Check<Same<C.JournalEntry['type'], JournalEntryResource['type']>>,
  Check<Same<C.JournalEntry, JournalEntryResource>>,
  Check<Same<C.JournalEntry, z.infer<typeof R.JournalEntry>>>,
  Check<Same<C.JournalPage, z.infer<typeof R.JournalPage>>>,
  Check<Same<C.JournalPage, JournalPageBody>>,
  Check<Same<C.LimitRequestResult, z.infer<typeof R.LimitRequestResult>>>,
  Check<Same<C.Refund, z.infer<typeof R.Refund>>>,
  Check<Same<C.Repayment, z.infer<typeof R.Repayment>>>,
  Check<Same<C.Client, z.infer<typeof R.Client>>>,
  Check<Same<C.Job, z.infer<typeof R.Job>>>,
  Check<Same<C.CouponCampaignJob, CampaignJob>>,
  Check<Same<C.CouponCampaignJob, z.infer<typeof R.CouponCampaignJob>>>,
  Check<Same<C.AnyJob, z.infer<typeof R.AnyJob>>>,
  Check<Same<C.RiskSettings, z.infer<typeof R.RiskSettingsResource>>>,
  Check<Same<C.RiskSettings, ReturnType<typeof toRiskSettingsResource>>>,
  Check<Same<C.Scope, Scope>>,
  Check<Same<C.Page<C.JournalEntry>, z.infer<ReturnType<typeof R.listOf<typeof R.JournalEntry>>>>>,
  Check<Same<C.Page<C.Authorization>, z.infer<ReturnType<typeof R.listOf<typeof R.Authorization>>>>>,
  Check<
    Same<
      C.CreditProfileResource,
      CreditProfile & { object: 'credit_profile'; accountId: string; updatedAt: string }
    >
  >,
  Check<Same<C.PromotionResource, Promotion & { object: 'promotion' }>>,
  Check<Same<C.ClientSummary, ClientView & { object: 'client' }>>,
  Check<Same<C.ClientList, z.infer<typeof R.ClientList>>>,
  Check<Same<C.RotatedClient, z.infer<typeof R.RotatedClient>>>,
  // The document describes these two as open objects; the client still names only their known fields.
  Check<Same<keyof C.CreditProfileResource, keyof CreditProfile | 'object' | 'accountId' | 'updatedAt'>>,
  Check<Same<keyof C.PromotionResource, keyof Promotion | 'object'>>,
  // Errors: every code the service can send has a name in the client.
  Check<Same<C.ErrorCode, ErrorCode>>,
  Check<Same<C.DeclineCode, DeclineCode>>,
  Check<Same<C.ErrorType, (typeof ERROR_CATALOGUE)[ErrorCode]['type']>>,
  // Requests: the client's parameters are exactly what the handlers' schemas accept.
  Check<Same<C.CreateAuthorizationParams, z.input<typeof CreateAuthorizationBody>>>,
  Check<Same<C.CaptureParams, z.input<typeof CaptureBody>>>,
  Check<Same<C.ReleaseParams, z.input<typeof ReleaseBody>>>,
  Check<Same<C.IncrementParams, z.input<typeof IncrementBody>>>,
  Check<Same<C.RefundParams, z.input<typeof RefundBody>>>,
  Check<Same<C.RepaymentParams, z.input<typeof RepaymentBody>>>,
  Check<Same<C.StatusChangeParams, z.input<typeof StatusChangeBody>>>,
  Check<Same<C.CreateAccountParams, z.input<typeof CreateAccountBody>>>,
  Check<Same<C.CreateClientParams, z.input<typeof CreateClientBody>>>,
  Check<Same<C.RotateClientParams, z.input<typeof RotateClientBody>>>,
  Check<Same<C.LimitRequestParams, z.input<typeof LimitRequestBody>>>,
  Check<Same<C.RefreshJobParams, z.input<typeof RefreshJobBody>>>,
  Check<Same<C.StartCouponCampaignParams, z.input<typeof CreateCampaignBody>>>,
  Check<Same<C.CreditProfile, CreditProfile>>,
  Check<Same<C.Promotion, Promotion>>,
  Check<Same<C.RiskSettingsChange, z.input<typeof RiskSettingsChange>>>,
  Check<Accepts<z.input<typeof PageQuery>, C.PageParams>>,
  // Customer notifications: the contact and the inbox as the service builds and the document describes them.
  Check<Same<C.Contact, ReturnType<typeof toContactResource>>>,
  Check<Same<C.Contact, z.infer<typeof R.Contact>>>,
  Check<Same<C.ContactParams, z.input<typeof ContactBody>>>,
  Check<Same<C.Notification, NotificationResource>>,
  Check<Same<C.Notification, z.infer<typeof R.Notification>>>,
  Check<Same<C.NotificationList, z.infer<typeof R.NotificationList>>>,
];

describe('client types', () => {
  it('are pinned to the service types at compile time (npm run typecheck)', () => {
    // Nothing to run: a mismatch is a tsc error in the Checks tuple above.
    const checks: Checks | undefined = undefined;
    expect(checks).toBeUndefined();
  });
});
