/**
 * The physical names the stack sets itself, each carrying the stage, so that two stages (`prod`, `staging`) can
 * share one account. Everything else is left unnamed: CloudFormation then generates a name that starts with the
 * stack name (`CreditAuthorization-<stage>-...`), which carries the stage too, and a name it generates never
 * collides with a retained resource (log groups, the table) of an earlier copy that was torn down.
 */
import { Aws, Fn } from 'aws-cdk-lib';

/** What the service calls itself in names that are not the stack's (API, dashboard, WAF web ACL). */
const SERVICE = 'credit-authorization';

/** The service's own CloudWatch metrics (EMF and metric filters) are in one namespace per stage. */
const METRIC_NAMESPACE_PREFIX = 'CreditAuthorization';

export interface StageNames {
  /** The REST API (and so the ApiName dimension of its metrics). */
  readonly api: string;
  readonly dashboard: string;
  /** The WAF web ACL (and its metric name, the WebACL dimension of its metrics). */
  readonly webAcl: string;
  /** Namespace of the service's own metrics (TransactionConflicts, ExpiryFailures...). */
  readonly metricNamespace: string;
  /** The EventBridge bus every event is published to (infra/constructs/events.ts): subscribers name it. */
  readonly eventBus: string;
}

export function stageNames(stage: string): StageNames {
  return {
    api: `${SERVICE}-${stage}`,
    dashboard: `${SERVICE}-${stage}`,
    webAcl: `${SERVICE}-${stage}`,
    metricNamespace: `${METRIC_NAMESPACE_PREFIX}/${stage}`,
    eventBus: `${SERVICE}-${stage}-events`,
  };
}

/**
 * A Secrets Manager secret's name: `<stack name>/<purpose>-<8 hex digits of the stack's id>`. The stack name
 * carries the stage; the stack id makes it unique per copy of the stack, because a deleted secret's name stays
 * taken for its 7 to 30 day recovery window and a fixed name would fail the next deploy of a torn-down stage.
 */
export function secretName(purpose: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return Fn.join('', [Aws.STACK_NAME, `/${purpose}-`, Fn.select(0, Fn.split('-', stackUuid))]);
}
