/**
 * The credit profile: the assessment inputs the limit policy reads. Every field is bounded, so a typo or a
 * unit mistake (yuan instead of fen, days instead of months) is a 400, not a silently absurd limit.
 */
import * as z from 'zod';
import { MAX_AMOUNT_MINOR } from '../money.js';

/** Counts above this are data errors, not borrowers. */
const MAX_COUNT = 10_000;

export const CreditProfile = z.strictObject({
  /** Bureau score, FICO-like range. */
  creditScore: z.number().int().min(300).max(850),
  /** Monthly income in minor units. */
  monthlyIncome: z.number().int().min(0).max(MAX_AMOUNT_MINOR),
  incomeVerified: z.boolean(),
  onTimeRepayments: z.number().int().min(0).max(MAX_COUNT),
  overdueCount: z.number().int().min(0).max(MAX_COUNT),
  maxOverdueDays: z.number().int().min(0).max(3_650),
  lastOverdueAt: z.iso.datetime().optional(),
  /** Hard credit inquiries in the last 90 days. */
  recentInquiries: z.number().int().min(0).max(MAX_COUNT),
  tenureMonths: z.number().int().min(0).max(1_200),
  /** Average monthly spend on the line, minor units. */
  monthlySpend: z.number().int().min(0).max(MAX_AMOUNT_MINOR).optional(),
});

export type CreditProfile = z.infer<typeof CreditProfile>;
