/**
 * Peak readiness for the authorize path: the function is served through a `live` alias with provisioned
 * concurrency (no cold starts at checkout), target tracking on its utilization for the everyday curve, and
 * scheduled actions that raise the floor hours before each sales festival and lower it after.
 *
 * Why scheduled, not reactive: Lambda adds at most 1,000 execution environments per function every 10 s, and
 * target tracking reacts to minutes-old metrics. A flash sale's first second must already be provisioned.
 * Account quotas this relies on (raise them weeks ahead; docs/CAPACITY.md): Lambda concurrent executions per
 * Region (default 1,000) must exceed the festival's maxProvisionedConcurrency plus every other function's peak.
 *
 * Do not deploy inside a festival window: CloudFormation resets the alias's provisioned concurrency and the
 * scalable target's minimum to the baseline until the next scheduled action, and the last one has already run;
 * and a canary (./safe-deploys.ts) splits the pool between two versions at the worst time. Synthesizing inside
 * a window warns.
 */
import { Annotations } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Alias, type Version } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface FestivalWindow {
  /** Letters, digits and dashes: part of the scheduled actions' ids. */
  readonly name: string;
  /** ISO 8601 UTC: when the floor is raised (hours ahead: allocating thousands of environments takes minutes). */
  readonly prewarmAt: string;
  /** ISO 8601 UTC: when it returns to the everyday baseline. */
  readonly endsAt: string;
  readonly minProvisionedConcurrency: number;
  readonly maxProvisionedConcurrency: number;
}

export interface PeakReadinessProps {
  /** The function's current version: the alias points at it, and every deploy publishes a new one. */
  readonly version: Version;
  readonly baselineProvisionedConcurrency: number;
  readonly maxProvisionedConcurrency: number;
  /** LambdaProvisionedConcurrencyUtilization to hold, e.g. 0.7 leaves 30% for the next burst while scaling out. */
  readonly utilizationTarget: number;
  readonly festivals: readonly FestivalWindow[];
}

export const LIVE_ALIAS_NAME = 'live';

export class PeakReadiness extends Construct {
  /** What the API invokes for the authorize route (never $LATEST, which cannot have provisioned concurrency). */
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: PeakReadinessProps) {
    super(scope, id);
    this.alias = new Alias(this, 'Live', {
      aliasName: LIVE_ALIAS_NAME,
      version: props.version,
      provisionedConcurrentExecutions: props.baselineProvisionedConcurrency,
    });
    const scaling = this.alias.addAutoScaling({
      minCapacity: props.baselineProvisionedConcurrency,
      maxCapacity: props.maxProvisionedConcurrency,
    });
    scaling.scaleOnUtilization({ utilizationTarget: props.utilizationTarget });
    for (const festival of props.festivals) {
      const now = Date.now();
      if (Date.parse(festival.prewarmAt) <= now && now < Date.parse(festival.endsAt)) {
        Annotations.of(this).addWarningV2(
          'credit:festival-open',
          `festival '${festival.name}' is on until ${festival.endsAt}: a deploy now resets authorize's provisioned concurrency to the everyday baseline. Do not deploy inside a festival window.`,
        );
      }
      // A window that has ended protects nothing any more: say so, so next year's dates get entered.
      if (Date.parse(festival.endsAt) < now) {
        Annotations.of(this).addWarningV2(
          'credit:festival-past',
          `festival '${festival.name}' ended at ${festival.endsAt}: replace it with the next window in cdk.json (context.credit.festivals)`,
        );
      }
      scaling.scaleOnSchedule(`Prewarm-${festival.name}`, {
        schedule: Schedule.at(new Date(festival.prewarmAt)),
        minCapacity: festival.minProvisionedConcurrency,
        maxCapacity: festival.maxProvisionedConcurrency,
      });
      scaling.scaleOnSchedule(`After-${festival.name}`, {
        schedule: Schedule.at(new Date(festival.endsAt)),
        minCapacity: props.baselineProvisionedConcurrency,
        maxCapacity: props.maxProvisionedConcurrency,
      });
    }
  }
}
