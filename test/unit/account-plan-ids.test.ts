/**
 * An account's plans are listed from the ids its item keeps (shared/installments/repository.ts): a read that
 * listed the plans before a capture added one must notice, so a repayment never allocates without that plan.
 */
import { missesPlans, planIdsOn, planKey } from '../../shared/installments/repository.js';

const planA = `plan_${'A'.repeat(22)}`;
const planB = `plan_${'B'.repeat(22)}`;
const key = (id: string) => {
  const k = planKey(id);
  if (!k) throw new Error(`not a plan id: ${id}`);
  return k;
};

describe('the plan ids on an account item', () => {
  it('reads the string set, and nothing from an account that never had a plan', () => {
    expect(planIdsOn({ planIds: new Set([planA, planB]) }).sort()).toEqual([planA, planB]);
    expect(planIdsOn({ id: 'acc' })).toEqual([]);
    expect(planIdsOn(undefined)).toEqual([]);
  });

  it('misses a plan the account lists but the read did not include, and only then', () => {
    const account = { planIds: new Set([planA, planB]) };
    expect(missesPlans(account, [key(planA)])).toBe(true);
    expect(missesPlans(account, [key(planB), key(planA)])).toBe(false);
    // Plans read from older pointers the set does not name are not missing.
    expect(missesPlans({ planIds: new Set([planA]) }, [key(planA), key(planB)])).toBe(false);
    expect(missesPlans({}, [])).toBe(false);
  });
});
