/**
 * The API's WAF web ACL: throttling per client, sized to a share of the API's capacity, and the backstops that
 * keep made-up keys from getting around it. WAF evaluates every request before API Gateway (and before the
 * key authorizer), so a blocked request costs neither an authorizer run nor a Lambda invocation.
 *
 * 1. `rate-per-ip` (backstop): one source address, every route and key together, at `perIpRateRps`. Made-up
 *    keys each look like a new client to the rules below and each cost an authorizer run (a DynamoDB read):
 *    this is what bounds how many one address can try.
 * 2. `rate-unrecognized-keys`: every request whose Authorization header is missing or not key-shaped (not
 *    `Bearer <32 to 512 printable characters>`, the form shared/clients/authenticate.ts looks up) counts in ONE
 *    bucket (aggregate key CONSTANT) at `unrecognizedKeyRateRps`. Such a request can only be answered 401, so
 *    junk shares a small allowance instead of each value getting a bucket of its own.
 * 3. `rate-per-client-authorize`: per key (the Authorization header), POST /v1/authorizations only, at the
 *    client's share of the authorize route's rate.
 * 4. `rate-per-client`: per key, every route, at the client's share of the stage rate.
 * 5. AWS's known-bad-inputs managed rules (Log4j-style payloads).
 *
 * A blocked request is answered by API Gateway's WAF_FILTERED gateway response: 429 `too_many_requests`.
 *
 * Why WAF and not API Gateway usage plans: a usage plan meters API Gateway API keys, and ours are our own
 * (random, stored as hashes, checked by the authorizer). To use one, POST /v1/clients would have to create a
 * gateway API key per client (apigateway:POST on the account's keys and usage plans from a request-path function,
 * under the control plane's low request quotas and the account's 10,000-key quota), revocation would have to
 * delete it, and the authorizer would have to return it as `usageIdentifierKey` (apiKeySourceType AUTHORIZER): a
 * second secret per client kept in step with the first. WAF keys on the header itself: nothing to create or
 * revoke, and a revoked key costs nothing once its authorizer answer is cached. What WAF cannot do is tell a real
 * key from a made-up one of the same shape: those each get a bucket of their own in rules 3 and 4 (harmless: a
 * bucket is only a count), and rules 1 and 2 bound what they cost. WAF limits are approximate (it estimates the
 * rate over its window and acts within about 30 s); API Gateway's stage and method throttles stay the exact caps.
 */
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** WAF counts rate-based rules over this window (60, 120, 300 or 600 s): the shortest cuts a runaway key off soonest. */
export const WAF_WINDOW_SECONDS = 60;
/** WAF's bounds on a rate-based rule's limit (requests per window). */
const WAF_MIN_LIMIT = 10;
const WAF_MAX_LIMIT = 2_000_000_000;

/** The header every client sends its key in; WAF matches header names case-insensitively. */
const KEY_HEADER = 'authorization';
const BEARER_PREFIX = 'Bearer ';
/**
 * What a key-shaped Authorization header is: authenticate.ts's grammar (`Bearer `, then printable ASCII, no
 * spaces, at most 512 characters), at least 32 characters long. Keys that POST /v1/clients issues (`sk_` and 43
 * base64url characters, shared/ids.ts) qualify, so must any bootstrap key (test/infra checks both).
 */
export const KEY_SHAPED = {
  regex: '^Bearer [\\x21-\\x7e]+$',
  minLength: BEARER_PREFIX.length + 32,
  maxLength: BEARER_PREFIX.length + 512,
} as const;

export interface ApiWebAclProps {
  /** The web ACL's name and metric name: carries the stage (infra/names.ts). */
  readonly name: string;
  /** The API Gateway stage it protects. */
  readonly stageArn: string;
  /** The authorize route, e.g. POST /v1/authorizations. */
  readonly authorizeRoute: { readonly method: string; readonly path: string };
  /** Requests/s one key may send to the whole API (its share of the stage rate). */
  readonly clientRps: number;
  /** Requests/s one key may send to the authorize route (its share of the authorize rate). */
  readonly clientAuthorizeRps: number;
  readonly perIpRps: number;
  readonly unrecognizedKeyRps: number;
}

type Statement = CfnWebACL.StatementProperty;
const NONE = [{ priority: 0, type: 'NONE' }];
// SingleHeader is untyped JSON in CDK: its key is written as CloudFormation spells it.
const keyHeader = { singleHeader: { Name: KEY_HEADER } };

/** The statements that together say "the Authorization header is key-shaped". */
function keyShapedStatements(): Statement[] {
  const size = (comparisonOperator: string, size: number): Statement => ({
    sizeConstraintStatement: { fieldToMatch: keyHeader, comparisonOperator, size, textTransformations: NONE },
  });
  return [
    {
      regexMatchStatement: {
        fieldToMatch: keyHeader,
        regexString: KEY_SHAPED.regex,
        textTransformations: NONE,
      },
    },
    size('GE', KEY_SHAPED.minLength),
    size('LE', KEY_SHAPED.maxLength),
  ];
}

/** The authorize route: its method, and its path at the end of the URI (after the stage or a base path). */
function authorizeRouteStatements(route: ApiWebAclProps['authorizeRoute']): Statement[] {
  const escapedPath = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    {
      byteMatchStatement: {
        fieldToMatch: { method: {} },
        positionalConstraint: 'EXACTLY',
        searchString: route.method,
        textTransformations: NONE,
      },
    },
    {
      regexMatchStatement: {
        fieldToMatch: { uriPath: {} },
        regexString: `${escapedPath}/?$`,
        textTransformations: NONE,
      },
    },
  ];
}

/** A rate-based rule's limit: requests/s over WAF's window, checked against what WAF accepts. */
export function wafLimit(rps: number): number {
  const limit = Math.ceil(rps * WAF_WINDOW_SECONDS);
  if (limit < WAF_MIN_LIMIT || limit > WAF_MAX_LIMIT)
    throw new Error(`a WAF rate limit of ${rps} requests/s is outside what WAF accepts`);
  return limit;
}

export class ApiWebAcl extends Construct {
  readonly acl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const rateRule = (name: string, priority: number, statement: CfnWebACL.RateBasedStatementProperty) => ({
      name,
      priority,
      action: { block: {} },
      statement: { rateBasedStatement: { evaluationWindowSec: WAF_WINDOW_SECONDS, ...statement } },
      visibilityConfig: visibility(name),
    });
    const perKey = {
      aggregateKeyType: 'CUSTOM_KEYS',
      customKeys: [{ header: { name: KEY_HEADER, textTransformations: NONE } }],
    };
    const keyShaped = keyShapedStatements();

    this.acl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        rateRule('rate-per-ip', 0, { aggregateKeyType: 'IP', limit: wafLimit(props.perIpRps) }),
        rateRule('rate-unrecognized-keys', 1, {
          aggregateKeyType: 'CONSTANT',
          limit: wafLimit(props.unrecognizedKeyRps),
          scopeDownStatement: { notStatement: { statement: { andStatement: { statements: keyShaped } } } },
        }),
        rateRule('rate-per-client-authorize', 2, {
          ...perKey,
          limit: wafLimit(props.clientAuthorizeRps),
          scopeDownStatement: {
            andStatement: { statements: [...keyShaped, ...authorizeRouteStatements(props.authorizeRoute)] },
          },
        }),
        rateRule('rate-per-client', 3, {
          ...perKey,
          limit: wafLimit(props.clientRps),
          scopeDownStatement: { andStatement: { statements: keyShaped } },
        }),
        {
          name: 'known-bad-inputs',
          priority: 4,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
          },
          visibilityConfig: visibility('known-bad-inputs'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.acl.attrArn,
    });
  }
}
