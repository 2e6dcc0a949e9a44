/**
 * One spec per route: method, path, scopes, body and query schemas, idempotency, what the function may do to the
 * table, and its documentation, in one object declared in the route's handler file (shared/http/route.ts
 * `httpRoute`). Everything that needs a route's facts reads that object: the handler factory (scopes, schemas,
 * idempotency), the local server (method, path, handler), the CDK stack (permissions, entry) and the OpenAPI
 * generator (docs, schemas). A new route is one handler file and one line in functions/http/index.ts.
 *
 * Types and pure helpers only: the OpenAPI generator and infra read specs without loading any handler code.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Scope } from '../clients/model.js';
import type * as Resources from '../openapi/resources.js';
import type { ErrorCode } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * What a route's function may do to the table (infra turns it into IAM actions). `read`: GetItem, BatchGetItem,
 * Query. `write`: also PutItem, UpdateItem, ConditionCheckItem — the per-item actions AWS authorizes each item of
 * a TransactWriteItems by. Deletes are named by partition: IAM's dynamodb:LeadingKeys limits them to it.
 * `none`: the function never touches the table (the risk settings routes).
 */
export type TableAccess = 'none' | 'read' | 'write';

/**
 * What a function may do to the risk settings parameter (shared/settings/): `read` gets its name and
 * ssm:GetParameter on it; `write` gets ssm:PutParameter on it and nothing else.
 */
export type SettingsAccess = 'read' | 'write';

export interface RouteAccess {
  readonly table: TableAccess;
  /** Reads the events table (shared/events/table.ts): gets its name and read actions on it and its index. */
  readonly events?: 'read';
  /** Partitions whose items the function may delete (DeleteItem, also inside a transaction). */
  readonly deletesFrom?: readonly string[];
  /** Starts refresh runs: gets the segment queue's URL and sqs:SendMessage. */
  readonly enqueuesRefresh?: boolean;
  /** Starts coupon campaigns: gets the campaign chunk queue's URL and sqs:SendMessage. */
  readonly enqueuesCouponCampaigns?: boolean;
  /** Hands out list cursors: gets the cursor key secret's ARN and may read that one secret. */
  readonly sealsCursors?: boolean;
  /** Reads (or writes) the risk settings parameter. */
  readonly riskSettings?: SettingsAccess;
}

/**
 * A response shape of shared/openapi/resources.ts, by its export's name. By name, not the schema itself: the
 * resources are for the OpenAPI document only, and a route module that imported them would construct every one
 * of them (some hundred zod schemas) at each cold start of its function, where none is ever used.
 */
export type ResourceName = {
  [K in keyof typeof Resources]: (typeof Resources)[K] extends z.core.$ZodType ? K : never;
}[keyof typeof Resources];

/** What the OpenAPI document says of a route beyond its schemas (params, auth and common errors are derived). */
export interface RouteDocs {
  /** Unique; also the method name of the TypeScript client (client/endpoints.ts), which a test checks. */
  readonly operationId: string;
  readonly summary: string;
  /** Extra prose after the scopes line. */
  readonly notes?: string;
  readonly success: { readonly status: number; readonly schema: ResourceName; readonly description: string };
  /** Route-specific error codes, beside the ones every route can answer. */
  readonly errors?: readonly ErrorCode[];
  /** Error bodies richer than `Error` (the declines that carry the authorization). */
  readonly errorBodies?: Partial<Record<number, ResourceName>>;
}

export interface RouteSpec<
  S extends z.core.$ZodType | undefined = z.core.$ZodType | undefined,
  Q extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
> {
  readonly method: HttpMethod;
  /** API Gateway resource path, with {param} placeholders. */
  readonly path: string;
  /** Scopes the handler accepts; `admin` may always call. */
  readonly scopes: readonly Scope[];
  readonly body?: S;
  readonly query?: Q;
  /** Money-moving POSTs require an Idempotency-Key and replay the first answer. */
  readonly idempotent?: boolean;
  /**
   * The 404 of a path parameter that cannot be an id. By default the one the route path names
   * (`/v1/jobs/{id}` -> `job_not_found`), else 400 `validation_failed` with the parameter as `param`.
   */
  readonly notFound?: ErrorCode;
  /** Served without an API key (documentation only). */
  readonly public?: boolean;
  readonly access: RouteAccess;
  readonly docs: RouteDocs;
}

export type LambdaHttpHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** A route: its spec, where its handler lives, and the handler itself. */
export interface Route<
  S extends z.core.$ZodType | undefined = z.core.$ZodType | undefined,
  Q extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
> extends RouteSpec<S, Q> {
  /** The handler module's name (`authorizations-create`): the function's construct id and log name. */
  readonly name: string;
  /** The handler's source file, relative to the repository root: the function's bundling entry. */
  readonly entry: string;
  readonly handler: LambdaHttpHandler;
}

/** `METHOD path`, the key the OpenAPI document and the tests use. */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** `file:///…/functions/http/accounts-get.ts` -> `accounts-get` (also for the `.js` a bundle or tsc emits). */
export function moduleName(moduleUrl: string): string {
  const file = new URL(moduleUrl).pathname.split('/').at(-1) ?? '';
  return file.replace(/\.(ts|js|mjs)$/, '');
}

/** The route of the handler module at `moduleUrl`: its spec, the name and entry its URL gives, and `handler`. */
export function routeOf<S extends z.core.$ZodType | undefined, Q extends z.core.$ZodObject | undefined>(
  moduleUrl: string,
  spec: RouteSpec<S, Q>,
  handler: LambdaHttpHandler,
): Route<S, Q> {
  const name = moduleName(moduleUrl);
  return { ...spec, name, entry: `functions/http/${name}.ts`, handler };
}
