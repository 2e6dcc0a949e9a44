/**
 * Response shapes of the contract, as zod schemas for the OpenAPI document only (handlers build responses from
 * typed domain objects; these describe them). Request schemas are the handlers' own, imported where they live.
 */
import * as z from 'zod';

const Money = z.number().int().meta({ description: 'Integer minor units (fen for CNY).' });
const Timestamp = z.string().meta({ description: 'ISO 8601 UTC.' });

export const ErrorResponse = z
  .object({
    error: z.object({
      type: z.string(),
      code: z.string().meta({ description: 'Stable machine-readable code (API.md "Errors").' }),
      message: z.string(),
      param: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const Account = z
  .object({
    id: z.string(), object: z.literal('account'), currency: z.string(), status: z.enum(['active', 'frozen', 'closed']),
    creditLimit: Money, promoLimit: Money, totalLimit: Money, reserved: Money, outstanding: Money,
    available: Money.meta({ description: 'totalLimit - reserved - outstanding; negative after a limit decrease.' }),
    riskTier: z.string(), limitUpdatedAt: Timestamp, createdAt: Timestamp,
  })
  .meta({ id: 'Account' });

export const Authorization = z
  .object({
    id: z.string(), object: z.literal('authorization'), accountId: z.string(), orderId: z.string(), currency: z.string(),
    amount: Money, capturedAmount: Money, releasedAmount: Money, refundedAmount: Money,
    status: z.enum(['authorized', 'pending_review', 'partially_captured', 'captured', 'released', 'expired', 'declined']),
    declineCode: z.string().optional(), category: z.string().optional(), metadata: z.record(z.string(), z.string()).optional(),
    expiresAt: Timestamp, createdAt: Timestamp, updatedAt: Timestamp,
  })
  .meta({ id: 'Authorization' });

export const Declined = z
  .object({ error: ErrorResponse.shape.error, authorization: Authorization })
  .meta({ id: 'Declined', description: 'A declined authorization is still created: GET finds it.' });

export const Client = z
  .object({ id: z.string(), object: z.literal('client'), name: z.string(), scopes: z.array(z.string()), apiKey: z.string(), createdAt: Timestamp })
  .meta({ id: 'Client', description: 'apiKey is shown only in this response.' });

export const Refund = z
  .object({ id: z.string(), object: z.literal('refund'), amount: Money, currency: z.string(), authorizationId: z.string(), createdAt: Timestamp, authorization: Authorization })
  .meta({ id: 'Refund' });

export const Repayment = z
  .object({ id: z.string(), object: z.literal('repayment'), amount: Money, currency: z.string(), createdAt: Timestamp, account: Account })
  .meta({ id: 'Repayment' });

const Balances = z.object({ totalLimit: Money, reserved: Money, outstanding: Money, available: Money });
const Reason = z.object({ code: z.string(), message: z.string() });

export const JournalEntry = z
  .object({
    id: z.string(), object: z.literal('journal_entry'), accountId: z.string(),
    type: z.enum(['reserve', 'increment', 'capture', 'release', 'expire', 'refund', 'repayment', 'review_decline', 'limit_change', 'freeze', 'unfreeze']),
    amount: Money, delta: Balances, balances: Balances, authorizationId: z.string().optional(), reasons: z.array(Reason).optional(),
    policyVersion: z.string().optional(), createdAt: Timestamp,
  })
  .meta({ id: 'JournalEntry' });

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ object: z.literal('list'), data: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

export const CreditProfileResource = z.looseObject({ object: z.literal('credit_profile'), accountId: z.string(), updatedAt: Timestamp }).meta({ id: 'CreditProfile' });

export const LimitRequestResult = z
  .object({ object: z.literal('limit_request'), decision: z.enum(['approved', 'declined', 'partially_approved']), creditLimit: Money, reasons: z.array(Reason) })
  .meta({ id: 'LimitRequestResult' });

export const Job = z
  .object({
    id: z.string(), object: z.literal('job'), type: z.literal('limit_refresh'), status: z.enum(['running', 'succeeded', 'failed']),
    dryRun: z.boolean(), processed: z.number().int(), changed: z.number().int(), failed: z.number().int(),
    summary: z.object({ rise: z.number().int(), fall: z.number().int(), unchanged: z.number().int(), totalIncrease: Money, totalDecrease: Money }),
    createdAt: Timestamp, finishedAt: Timestamp.optional(),
  })
  .meta({ id: 'Job' });

export const PromotionResource = z.looseObject({ object: z.literal('promotion'), id: z.string(), kind: z.enum(['uplift', 'category_quota']) }).meta({ id: 'Promotion' });
