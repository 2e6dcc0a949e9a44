/** The coupon rule: which coupon applies to which purchase, and the answers when one does not. */
import { type Coupon, CreateCouponBody, checkCoupon, couponStatus } from '../../shared/coupons/model.js';

const coupon = (overrides: Partial<Coupon> = {}): Coupon => ({
  id: 'cpn_1',
  accountId: 'acct_1',
  kind: 'interest_free',
  counts: [12],
  minAmount: 10_000,
  category: 'electronics',
  validFrom: '2026-06-01T00:00:00.000Z',
  validUntil: '2026-06-19T00:00:00.000Z',
  status: 'issued',
  createdAt: '2026-06-01T00:00:00.000Z',
  updatedAt: '2026-06-01T00:00:00.000Z',
  ...overrides,
});
const use = {
  accountId: 'acct_1',
  amount: 500_000,
  count: 12,
  category: 'electronics',
  nowIso: '2026-06-18T10:00:00.000Z',
};

describe('checkCoupon', () => {
  it('waives the fee when every term matches', () => {
    expect(checkCoupon(coupon(), use)).toEqual({ ok: true, waiver: { kind: 'interest_free' } });
    expect(checkCoupon(coupon({ kind: 'fee_discount', discountBps: 5_000 }), use)).toEqual({
      ok: true,
      waiver: { kind: 'fee_discount', bps: 5_000 },
    });
  });

  it.each([
    ['another account', { accountId: 'acct_2' }, {}],
    ['before its window', {}, { nowIso: '2026-05-31T23:59:59.999Z' }],
    ['at the end of its window', {}, { nowIso: '2026-06-19T00:00:00.000Z' }],
    ['below its minimum', {}, { amount: 9_999 }],
    ['another category', {}, { category: 'groceries' }],
    ['no category', {}, { category: undefined }],
    ['another count', {}, { count: 6 }],
  ])('is not applicable on %s', (_what, c, u) => {
    expect(checkCoupon(coupon(c), { ...use, ...u })).toEqual({ ok: false, code: 'coupon_not_applicable' });
  });

  it('is unavailable once redeemed', () => {
    expect(checkCoupon(coupon({ status: 'redeemed' }), use)).toEqual({
      ok: false,
      code: 'coupon_unavailable',
    });
  });

  it('reads as expired after its window', () => {
    expect(couponStatus(coupon(), '2026-06-19T00:00:00.000Z')).toBe('expired');
    expect(couponStatus(coupon(), '2026-06-18T00:00:00.000Z')).toBe('issued');
  });
});

describe('POST /v1/coupons body', () => {
  const body = {
    accountId: 'acct_1',
    kind: 'interest_free',
    counts: [12],
    validFrom: '2026-06-01T00:00:00.000Z',
    validUntil: '2026-06-19T00:00:00.000Z',
  };
  it('accepts the contract shape and refuses contradictions', () => {
    expect(CreateCouponBody.safeParse(body).success).toBe(true);
    expect(CreateCouponBody.safeParse({ ...body, counts: [5] }).success).toBe(false);
    expect(CreateCouponBody.safeParse({ ...body, discountBps: 100 }).success).toBe(false);
    expect(CreateCouponBody.safeParse({ ...body, kind: 'fee_discount' }).success).toBe(false);
    expect(CreateCouponBody.safeParse({ ...body, validUntil: body.validFrom }).success).toBe(false);
    expect(CreateCouponBody.safeParse({ ...body, surprise: 1 }).success).toBe(false);
  });
});
