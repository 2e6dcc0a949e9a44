/**
 * The credit profile: the assessment inputs the limit policy reads. Every field is bounded, so a typo or a
 * unit mistake (yuan instead of fen, days instead of months) is a 400, not a silently absurd limit. It sits
 * beside its repository; the pure limit policy imports it from here.
 */
import * as z from 'zod';
import { MAX_AMOUNT_MINOR } from '../money.js';

/** Counts above this are data errors, not borrowers. */
const MAX_COUNT = 10_000;
/** Ten years: older overdue records are not reported by bureaus. */
const MAX_OVERDUE_DAYS = 3_650;
/** A hundred years of tenure is the outer bound of a data error. */
const MAX_TENURE_MONTHS = 1_200;

const Count = z.number().int().min(0).max(MAX_COUNT);
const MinorUnits = z.number().int().min(0).max(MAX_AMOUNT_MINOR);

export const CreditProfile = z
  .strictObject({
    /** Bureau score, FICO-like range. */
    creditScore: z.number().int().min(300).max(850),
    /** Monthly income in minor units. */
    monthlyIncome: MinorUnits,
    incomeVerified: z.boolean(),
    onTimeRepayments: Count,
    overdueCount: Count,
    maxOverdueDays: z.number().int().min(0).max(MAX_OVERDUE_DAYS),
    lastOverdueAt: z.iso.datetime().optional(),
    /** Hard credit inquiries in the last 90 days. */
    recentInquiries: Count,
    tenureMonths: z.number().int().min(0).max(MAX_TENURE_MONTHS),
    /** Average monthly spend on the line, minor units. */
    monthlySpend: MinorUnits.optional(),
  })
  // A last-overdue date or overdue days without any overdue record is a contradictory record: reject it rather
  // than guess which field is wrong (the policy would otherwise score an overdue the count denies).
  .refine((p) => p.overdueCount > 0 || (p.maxOverdueDays === 0 && p.lastOverdueAt === undefined), {
    error: 'maxOverdueDays and lastOverdueAt need overdueCount > 0',
    path: ['overdueCount'],
  });

export type CreditProfile = z.infer<typeof CreditProfile>;
