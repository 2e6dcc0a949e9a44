/**
 * The public API: an API Gateway REST API with the contract's routes (from functions/routes.ts, never
 * hand-listed), every method behind the Lambda REQUEST authorizer, stage and per-method throttling, JSON access
 * logs, a WAF web ACL, and gateway responses in the contract's error shape (shared/http/errors.ts).
 *
 * Throttling, outermost first: WAF (./web-acl.ts) holds each client (API key) to its share of the stage and
 * authorize rates, every source address to a backstop, and requests without a usable key to one small shared
 * allowance; the stage and authorize-route limits cap everyone together below what the table and Lambda are
 * provisioned for; and per account, the velocity rule bounds holds per minute.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../functions/routes.js';
import { type ErrorCode, errorBody, ERROR_CATALOGUE, retryAfterSecondsOf } from '../../shared/http/errors.js';
import { ApiWebAcl } from './web-acl.js';

export interface CreditApiProps {
  readonly routes: readonly RouteDefinition[];
  /** The integration target of each route, by handler name (the authorize route's is its `live` alias). */
  readonly targets: Readonly<Record<string, IFunction>>;
  readonly authorizerFunction: IFunction;
  /** The API's name (and its WAF web ACL's): carries the stage (infra/names.ts). */
  readonly name: string;
  /** The API Gateway stage: the deployment stage's name (`prod`, `staging`). */
  readonly stageName: string;
  readonly stageRateRps: number;
  readonly stageBurst: number;
  /** The route that gets its own (tighter) limit and detailed metrics: POST /v1/authorizations. */
  readonly authorizeRoute: RouteDefinition;
  readonly authorizeRateRps: number;
  readonly authorizeBurst: number;
  /** WAF's limits, requests/s (./web-acl.ts). */
  readonly waf: {
    /** One API key, every route: its share of the stage rate. */
    readonly clientRps: number;
    /** One API key, the authorize route: its share of the authorize rate. */
    readonly clientAuthorizeRps: number;
    readonly perIpRps: number;
    readonly unrecognizedKeyRps: number;
  };
  /** The functions' own timeout: API Gateway waits one second longer, so a timeout is the function's answer. */
  readonly functionTimeoutSeconds: number;
  readonly accessLogRetention: RetentionDays;
}

/**
 * How long API Gateway reuses an authorizer answer per API key. Equal to AUTH_CACHE_TTL_MS, the local server's
 * cache in shared/clients/authenticate.ts (test/infra checks they agree; importing it here would load the AWS
 * SDK into every synth).
 */
export const AUTHORIZER_CACHE_TTL_SECONDS = 300;

/**
 * What API Gateway answers by itself, mapped to the contract's codes. The authorizer always allows (it passes
 * `authError` to the handler, which answers the exact 401), so UNAUTHORIZED only happens when the Authorization
 * header is absent (API Gateway then never calls the authorizer) and ACCESS_DENIED never in practice.
 */
const GATEWAY_RESPONSES: ReadonlyArray<readonly [string, ResponseType, ErrorCode]> = [
  ['Unauthorized', ResponseType.UNAUTHORIZED, 'missing_api_key'],
  ['AccessDenied', ResponseType.ACCESS_DENIED, 'insufficient_scope'],
  // A REST API answers an unknown path or method with "Missing Authentication Token" (403).
  ['UnknownRoute', ResponseType.MISSING_AUTHENTICATION_TOKEN, 'route_not_found'],
  ['ResourceNotFound', ResponseType.RESOURCE_NOT_FOUND, 'route_not_found'],
  ['Throttled', ResponseType.THROTTLED, 'too_many_requests'],
  ['QuotaExceeded', ResponseType.QUOTA_EXCEEDED, 'too_many_requests'],
  // WAF blocks are its rate rules (per client, per address, unrecognized keys), bar a known-bad input.
  ['WafFiltered', ResponseType.WAF_FILTERED, 'too_many_requests'],
  ['TooLarge', ResponseType.REQUEST_TOO_LARGE, 'body_too_large'],
  ['MediaType', ResponseType.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type'],
  ['AuthorizerFailure', ResponseType.AUTHORIZER_FAILURE, 'unavailable'],
  // The authorizer threw (DynamoDB unavailable or its deadline passed) or timed out: API Gateway caches none
  // of that, so the same key works again as soon as DynamoDB answers.
  ['AuthorizerError', ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 'unavailable'],
  ['IntegrationFailure', ResponseType.INTEGRATION_FAILURE, 'unavailable'],
  ['IntegrationTimeout', ResponseType.INTEGRATION_TIMEOUT, 'unavailable'],
  ['Default4xx', ResponseType.DEFAULT_4XX, 'validation_failed'],
  ['Default5xx', ResponseType.DEFAULT_5XX, 'internal_error'],
];

/**
 * Retry-After of the gateway responses that know better than the catalogue's default (every 429 and 503 carries
 * one): WAF notices a key's rate has dropped below its limit only some time later, usually within 30 seconds
 * (AWS WAF's rate-based rule caveats), so an earlier retry would be blocked again.
 */
const GATEWAY_RETRY_AFTER_SECONDS: Readonly<Record<string, number>> = { WafFiltered: 30 };

/** The Retry-After of gateway response `name` answering `code`; undefined for codes that carry none. */
function gatewayRetryAfterSeconds(name: string, code: ErrorCode): number | undefined {
  const byDefault = retryAfterSecondsOf(code);
  return byDefault === undefined ? undefined : (GATEWAY_RETRY_AFTER_SECONDS[name] ?? byDefault);
}

/** `POST /v1/authorizations` → the key API Gateway's method settings use (`/v1/authorizations/POST`). */
const methodSettingsKey = (route: RouteDefinition) => `${route.path}/${route.method}`;

export class CreditApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: CreditApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = this.restApi(props, accessLogs);
    this.addRoutes(props);
    this.addGatewayResponses();
    new ApiWebAcl(this, 'Waf', {
      name: props.name,
      stageArn: this.api.deploymentStage.stageArn,
      authorizeRoute: props.authorizeRoute,
      clientRps: props.waf.clientRps,
      clientAuthorizeRps: props.waf.clientAuthorizeRps,
      perIpRps: props.waf.perIpRps,
      unrecognizedKeyRps: props.waf.unrecognizedKeyRps,
    });
    this.suppressFindings();
  }

  /** The stage: throttling (the authorize route apart), tracing, per-method metrics and access logs. */
  private restApi(props: CreditApiProps, accessLogs: LogGroup): RestApi {
    return new RestApi(this, 'Api', {
      restApiName: props.name,
      description: 'Checkout authorization for the consumer credit line (contract v1)',
      // Callers are backends in the same Region; edge-optimized would add a CloudFront hop to every checkout.
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // API Gateway needs an account-level role to write execution and access logs. Retained: it is shared by
      // every API of the account and Region.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.stageRateRps,
        throttlingBurstLimit: props.stageBurst,
        tracingEnabled: true,
        // Per-method metrics: the authorize p99 alarm needs the Resource/Method dimensions.
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Never log bodies or headers: they carry API keys and customers' amounts.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            time: AccessLogField.contextRequestTime(),
            ip: AccessLogField.contextIdentitySourceIp(),
            method: AccessLogField.contextHttpMethod(),
            resource: AccessLogField.contextResourcePath(),
            path: AccessLogField.contextPath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            latencyMs: AccessLogField.contextResponseLatency(),
            integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
            authorizerLatencyMs: AccessLogField.contextAuthorizerLatency(),
            clientId: AccessLogField.contextAuthorizer('clientId'),
            errorType: AccessLogField.contextErrorResponseType(),
            error: AccessLogField.contextErrorMessage(),
            waf: AccessLogField.contextWafResponseCode(),
            traceId: AccessLogField.contextXrayTraceId(),
          }),
        ),
        methodOptions: {
          [methodSettingsKey(props.authorizeRoute)]: {
            throttlingRateLimit: props.authorizeRateRps,
            throttlingBurstLimit: props.authorizeBurst,
          },
        },
      },
    });
  }

  /** Every route to its function, behind the cached API key authorizer. */
  private addRoutes(props: CreditApiProps): void {
    const authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizerFunction,
      // The cache key: one authorizer call per API key per TTL, whatever the request rate.
      identitySources: [IdentitySource.header('Authorization')],
      // A revoked key keeps working at most this long; a new key works at once (nothing cached before it existed).
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
    });

    const integrationTimeout = Duration.seconds(props.functionTimeoutSeconds + 1);
    for (const route of props.routes) {
      const target = props.targets[route.name];
      if (!target) throw new Error(`no function for route ${route.method} ${route.path} (${route.name})`);
      this.api.root.resourceForPath(route.path).addMethod(
        route.method,
        // Every method, `public` (documentation) routes included, is behind the authorizer in AWS: a deployed
        // stage has no anonymous surface. allowTestInvoke: false keeps each function's resource policy to the stage.
        new LambdaIntegration(target, { allowTestInvoke: false, timeout: integrationTimeout }),
        { authorizer, authorizationType: AuthorizationType.CUSTOM },
      );
    }
  }

  /** API Gateway's own answers (unknown route, throttled, authorizer failure) in the contract's error shape. */
  private addGatewayResponses(): void {
    for (const [name, type, code] of GATEWAY_RESPONSES) {
      const retryAfterSeconds = gatewayRetryAfterSeconds(name, code);
      this.api.addGatewayResponse(name, {
        type,
        statusCode: String(ERROR_CATALOGUE[code].status),
        // Every response carries x-request-id (API.md): API Gateway's own request id here. Static header values
        // are quoted: API Gateway reads an unquoted one as a mapping expression.
        responseHeaders: {
          'x-request-id': 'context.requestId',
          'content-type': "'application/json'",
          ...(retryAfterSeconds === undefined ? {} : { 'retry-after': `'${retryAfterSeconds}'` }),
        },
        templates: { 'application/json': JSON.stringify(errorBody(code)) },
      });
    }
  }

  /** cdk-nag findings this design answers on purpose, each with its reason. */
  private suppressFindings(): void {
    NagSuppressions.addResourceSuppressions(
      this.api,
      [
        {
          id: 'AwsSolutions-APIG2',
          reason:
            'Requests are validated by each handler (zod) because the contract requires exact answers an API Gateway ' +
            'validator cannot give: unknown_field and validation_failed with `param`, missing_idempotency_key, ' +
            'currency_mismatch. A gateway validator would answer the same mistake with a different 400.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Callers are machine clients (checkout, servicing, risk systems) holding API keys; the REQUEST authorizer ' +
            'checks the key hash against the table. There are no end users to sign in through Cognito.',
        },
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'Only the account-level API Gateway logging role: AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS ' +
            'documents for it, and its log groups are created by API Gateway at run time, so they cannot be named here.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
          ],
        },
      ],
      true,
    );
  }
}
