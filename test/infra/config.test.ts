/**
 * The stack configuration (cdk.json context.credit, infra/config.ts): what cdk.json ships is valid, the
 * mistakes that would scale at the wrong hour or below the everyday floor fail synth instead, and each stage
 * gets the shared settings with its own overrides, under a name of its own.
 */
import { readFileSync } from 'node:fs';
import { clientLimits, mergeSettings, parseStackConfig, type StackConfig } from '../../infra/config.js';

/** cdk.json's `credit` object: the shared settings, written as one stage's, plus the stages. */
type Shipped = StackConfig & { stages: Record<string, Record<string, unknown>>; defaultStage: string };

const shipped = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: { credit: Shipped };
  }
).context.credit;
const withChanges = (change: (c: Shipped) => void): unknown => {
  const copy = structuredClone(shipped);
  change(copy);
  return copy;
};

describe('the stack configuration', () => {
  it('accepts what cdk.json ships, with the 618 window in it', () => {
    const config = parseStackConfig(shipped);
    expect(config.festivals.map((f) => f.name)).toContain('618');
  });

  it('deploys prod by default, as CreditAuthorization-prod, canary-shifting authorize', () => {
    const config = parseStackConfig(shipped);
    expect(config.stage).toBe('prod');
    expect(config.stackName).toBe('CreditAuthorization-prod');
    expect(config.deploy.authorizeTrafficShift).toBe('CANARY_10PERCENT_5MINUTES');
  });

  it('gives staging the shared settings with its own overrides merged in, under a stack name of its own', () => {
    const prod = parseStackConfig(shipped, 'prod');
    const staging = parseStackConfig(shipped, 'staging');
    expect(staging.stackName).toBe('CreditAuthorization-staging');
    // Overridden: capacity, festivals (none), the traffic shift.
    expect(staging.authorize.baselineProvisionedConcurrency).toBeLessThan(
      prod.authorize.baselineProvisionedConcurrency,
    );
    expect(staging.festivals).toEqual([]);
    expect(staging.api.stageRateRps).toBeLessThan(prod.api.stageRateRps);
    expect(staging.deploy.authorizeTrafficShift).toBe('ALL_AT_ONCE');
    // Not overridden: the same as prod, keys the override leaves out of an object included.
    expect(staging.alarms).toEqual(prod.alarms);
    expect(staging.service).toEqual(prod.service);
    expect(staging.api.clientSharePercent).toBe(prod.api.clientSharePercent);
  });

  it('refuses a stage cdk.json does not list (a typo must not deploy a copy with production capacity)', () => {
    expect(() => parseStackConfig(shipped, 'stagign')).toThrow(/unknown stage 'stagign'.*prod, staging/);
    expect(() => parseStackConfig(shipped, 'constructor')).toThrow(/unknown stage/);
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.stages['Bad_Name'] = {};
        }),
      ),
    ).toThrow();
  });

  it("validates a stage's overrides like the rest: an unknown key or a bad value fails", () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.stages['staging'] = { api: { stageRps: 1 } };
        }),
        'staging',
      ),
    ).toThrow();
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.stages['staging'] = { deploy: { authorizeTrafficShift: 'CANARY_50PERCENT' } };
        }),
        'staging',
      ),
    ).toThrow();
  });

  it('merges objects key by key and replaces values and lists', () => {
    expect(mergeSettings({ a: { x: 1, y: 2 }, l: [1, 2], v: 1 }, { a: { y: 3 }, l: [], v: 2 })).toEqual({
      a: { x: 1, y: 3 },
      l: [],
      v: 2,
    });
  });

  it("sizes one client's limits to its share of the stage and authorize rates", () => {
    const config = parseStackConfig(shipped);
    const limits = clientLimits(config.api);
    expect(limits.authorizeRps).toBe(Math.ceil(config.api.authorizeRateRps * 0.2));
    expect(limits.stageRps).toBe(Math.ceil(config.api.stageRateRps * 0.2));
    expect(limits.authorizeRps).toBeLessThan(config.api.authorizeRateRps);
    // One address must be able to carry at least one client's share.
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.api.perIpRateRps = limits.stageRps - 1;
        }),
      ),
    ).toThrow(/share/);
  });

  it('rejects a festival that ends before it starts', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.festivals[0]!.endsAt = c.festivals[0]!.prewarmAt;
        }),
      ),
    ).toThrow(/endsAt/);
  });

  it('rejects a festival whose floor is below the everyday baseline', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.festivals[0]!.minProvisionedConcurrency = c.authorize.baselineProvisionedConcurrency - 1;
        }),
      ),
    ).toThrow(/baseline/);
  });

  it('rejects overlapping festival windows', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.festivals.push({ ...c.festivals[0]!, name: 'overlap' });
        }),
      ),
    ).toThrow(/overlap/);
  });

  it('rejects dates that are not UTC ISO 8601', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.festivals[0]!.prewarmAt = '2027-06-17 20:00';
        }),
      ),
    ).toThrow();
  });

  it('rejects an authorize limit above the stage limit, and unknown keys', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.api.authorizeRateRps = c.api.stageRateRps + 1;
        }),
      ),
    ).toThrow(/stage rate/);
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          (c.api as Record<string, unknown>)['stageRps'] = 1;
        }),
      ),
    ).toThrow();
  });

  it('rejects warm throughput below what a new table serves anyway, and log retentions CloudWatch does not offer', () => {
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          c.table.warmWriteUnitsPerSecond = 1_000;
        }),
      ),
    ).toThrow();
    expect(() =>
      parseStackConfig(
        withChanges((c) => {
          (c as { logRetentionDays: number }).logRetentionDays = 31;
        }),
      ),
    ).toThrow();
  });
});
