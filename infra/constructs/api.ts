/**
 * The public API: an API Gateway REST API with the contract's routes (from functions/routes.ts), every method
 * behind the Lambda authorizer, stage and per-method throttling, access logs, a WAF web ACL, and gateway
 * responses in the contract's error shape.
 *
 * Per-client throttling: API keys here are our own (hashed in the table), not API Gateway usage-plan keys, so
 * the per-client limit is enforced where the client is known: the authorizer's cache keys on the client's
 * Authorization header, and the WAF rate rule below limits each source. Stage and route limits cap the total.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ROUTES } from '../../functions/routes.js';
import { AUTH_CACHE_TTL_MS } from '../../shared/clients/authenticate.js';

export interface CreditApiProps {
  /** The integration target of each route, by handler name (the authorize route's is its `live` alias). */
  targets: Record<string, IFunction>;
  authorizerFunction: IFunction;
  stageRateRps: number;
  stageBurst: number;
  authorizeRateRps: number;
  authorizeBurst: number;
}

/** Requests one source address may send per 5 minutes before WAF blocks it (a checkout backend sends many). */
const WAF_RATE_PER_5_MIN = 2_000_000;

const errorTemplate = (type: string, code: string, message: string) =>
  JSON.stringify({ error: { type, code, message } });

export class CreditApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: CreditApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'credit-authorization',
      description: 'Checkout authorization for the consumer credit line (contract v1)',
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'live',
        throttlingRateLimit: props.stageRateRps,
        throttlingBurstLimit: props.stageBurst,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        methodOptions: {
          '/v1/authorizations/POST': { throttlingRateLimit: props.authorizeRateRps, throttlingBurstLimit: props.authorizeBurst },
        },
      },
    });

    const authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizerFunction,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.millis(AUTH_CACHE_TTL_MS),
    });
    // Basic validation at the edge; the handlers validate bodies against the contract (zod) and answer in its shape.
    const validator = this.api.addRequestValidator('Validator', { validateRequestParameters: true, validateRequestBody: true });

    for (const route of ROUTES) {
      const target = props.targets[route.handler];
      if (!target) throw new Error(`no function for route ${route.method} ${route.path}`);
      const resource = this.api.root.resourceForPath(route.path);
      resource.addMethod(route.method, new LambdaIntegration(target), {
        authorizer,
        authorizationType: AuthorizationType.CUSTOM,
        requestValidator: validator,
      });
    }

    // The authorizer never denies (it passes authError to the handler), so UNAUTHORIZED only means "no header".
    const responses: Array<[string, ResponseType, number, string, string, string]> = [
      ['Unauthorized', ResponseType.UNAUTHORIZED, 401, 'authentication', 'missing_api_key', 'No API key was given: send Authorization: Bearer <apiKey>.'],
      ['AccessDenied', ResponseType.ACCESS_DENIED, 403, 'permission', 'insufficient_scope', "The API key's scopes do not allow this request."],
      ['Throttled', ResponseType.THROTTLED, 429, 'rate_limited', 'too_many_requests', 'Too many requests; retry later with backoff.'],
      ['WafBlocked', ResponseType.WAF_FILTERED, 429, 'rate_limited', 'too_many_requests', 'Too many requests; retry later with backoff.'],
      ['TooLarge', ResponseType.REQUEST_TOO_LARGE, 413, 'invalid_request', 'body_too_large', 'The request body exceeds 64 KiB.'],
      ['MediaType', ResponseType.UNSUPPORTED_MEDIA_TYPE, 415, 'invalid_request', 'unsupported_media_type', 'Send the body as Content-Type: application/json.'],
      ['NotFound', ResponseType.RESOURCE_NOT_FOUND, 404, 'not_found', 'route_not_found', 'No such endpoint.'],
      ['Default4xx', ResponseType.DEFAULT_4XX, 400, 'invalid_request', 'validation_failed', 'The request is not valid.'],
      ['Default5xx', ResponseType.DEFAULT_5XX, 503, 'internal', 'unavailable', 'The service is temporarily unavailable. Retry with the same Idempotency-Key.'],
    ];
    for (const [name, type, statusCode, errorType, code, message] of responses) {
      this.api.addGatewayResponse(name, {
        type,
        statusCode: String(statusCode),
        responseHeaders: { 'x-request-id': 'context.requestId' },
        templates: { 'application/json': errorTemplate(errorType, code, message) },
      });
    }

    const acl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'credit-api', sampledRequestsEnabled: true },
      rules: [
        {
          name: 'rate-per-source',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: WAF_RATE_PER_5_MIN } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'rate-per-source', sampledRequestsEnabled: true },
        },
        {
          name: 'known-bad-inputs',
          priority: 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'known-bad-inputs', sampledRequestsEnabled: true },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: acl.attrArn });
  }
}
