/**
 * Peak readiness for the authorize path: the function is served through a `live` alias with provisioned
 * concurrency (no cold starts at checkout), target tracking on its utilization for the everyday curve, and
 * scheduled actions that raise the floor hours before a sales festival (Lambda scales a function by at most
 * 1,000 concurrent executions per 10 s, so a flash sale's first second must already be provisioned) and
 * lower it after.
 */
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Alias, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface PeakReadinessProps {
  fn: LambdaFunction;
  baselineProvisionedConcurrency: number;
  maxProvisionedConcurrency: number;
  utilizationTarget: number;
  festival: { name: string; prewarmAt: string; endsAt: string; minProvisionedConcurrency: number; maxProvisionedConcurrency: number };
}

export class PeakReadiness extends Construct {
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: PeakReadinessProps) {
    super(scope, id);
    this.alias = new Alias(this, 'Live', {
      aliasName: 'live',
      version: props.fn.currentVersion,
      provisionedConcurrentExecutions: props.baselineProvisionedConcurrency,
    });
    const scaling = this.alias.addAutoScaling({
      minCapacity: props.baselineProvisionedConcurrency,
      maxCapacity: props.maxProvisionedConcurrency,
    });
    scaling.scaleOnUtilization({ utilizationTarget: props.utilizationTarget });
    const f = props.festival;
    scaling.scaleOnSchedule(`Prewarm${f.name}`, {
      schedule: Schedule.at(new Date(f.prewarmAt)),
      minCapacity: f.minProvisionedConcurrency,
      maxCapacity: f.maxProvisionedConcurrency,
    });
    scaling.scaleOnSchedule(`After${f.name}`, {
      schedule: Schedule.at(new Date(f.endsAt)),
      minCapacity: props.baselineProvisionedConcurrency,
      maxCapacity: props.maxProvisionedConcurrency,
    });
  }
}
