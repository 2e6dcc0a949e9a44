/**
 * The stack configuration (cdk.json context.credit, infra/config.ts): what cdk.json ships is valid, and the
 * mistakes that would scale at the wrong hour or below the everyday floor fail synth instead.
 */
import { readFileSync } from 'node:fs';
import { parseStackConfig, type StackConfig } from '../../infra/config.js';

const shipped = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: { credit: StackConfig };
  }
).context.credit;
const withChanges = (change: (c: StackConfig) => void): unknown => {
  const copy = structuredClone(shipped);
  change(copy);
  return copy;
};

describe('the stack configuration', () => {
  it('accepts what cdk.json ships, with the 618 window in it', () => {
    const config = parseStackConfig(shipped);
    expect(config.festivals.map((f) => f.name)).toContain('618');
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
