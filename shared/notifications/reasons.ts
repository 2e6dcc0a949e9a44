/**
 * The reasons of a limit change in the customer's language. The limit policy journals each reason as a code and an
 * English message with its figures (shared/policy/limit-policy.ts); an `en` notification quotes the message, a
 * `zh-CN` one says the code's meaning in plain Chinese. The change's size is already in the text, so these words
 * carry no figures. A code not listed here (a new one the policy learns before this table does) falls back to the
 * English message: a customer always reads why, never a code.
 */
import type { Locale } from './model.js';
import { UNVERIFIED_INCOME_PERCENT } from '../policy/limit-policy.js';

export interface ReasonWords {
  code: string;
  message: string;
}

export const REASONS_ZH: Readonly<Record<string, string>> = {
  account_opened: '开户时的初始额度。',
  score_excellent: '您的信用分优秀。',
  score_good: '您的信用分良好。',
  score_fair: '您的信用分一般。',
  score_poor: '您的信用分偏低。',
  income_verified: '您的收入已核实。',
  income_unverified: `您的收入尚未核实，暂按 ${UNVERIFIED_INCOME_PERCENT}% 计算。`,
  repayment_history_good: '您一直按时还款，没有逾期。',
  overdue_recent: '近期有一笔还款逾期。',
  overdue_history: '您有过逾期还款记录。',
  credit_inquiries_high: '近 90 天内征信查询次数较多。',
  tenure_long: '您是我们的长期客户。',
  tenure_new: '您成为我们的客户时间还不长。',
  increase_capped: '单次评估的提额幅度有上限，之后的评估会继续提高。',
  increase_deferred: '额度刚刚提高过，下一次评估时才会再次提额。',
  decrease_risk: '我们发现了较高的风险信号，因此下调了额度。',
  risk_reduction: '我们发现了较高的风险信号，暂时下调了额度；风险解除后会逐步恢复。',
  limit_unchanged: '额度保持不变。',
  no_profile: '暂无信用档案，保持基础额度。',
  requested_limit_granted: '您申请的额度已批准。',
  requested_limit_partially_granted: '您申请的提额已部分批准，这是目前评估所能支持的最高额度。',
  requested_limit_declined: '您申请的提额暂未获批准。',
  promotion_applied: '促销活动期间，您获得了临时额度。',
  promotion_scheduled: '促销活动的临时额度已为您安排，活动开始时生效。',
  promotion_reduced: '促销活动的临时额度有所减少。',
  promotion_ended: '促销活动已结束，临时额度已收回。',
  category_quota_applied: '促销活动期间，您获得了指定品类的专享额度。',
  category_quota_scheduled: '指定品类的专享额度已为您安排，活动开始时生效。',
  category_quota_ended: '指定品类的专享额度已结束，未用部分已收回。',
};

/** One reason in `locale`'s words. */
export function reasonText(reason: ReasonWords, locale: Locale): string {
  if (locale === 'en') return reason.message;
  return REASONS_ZH[reason.code] ?? reason.message;
}
