/**
 * The IAM half of the parity test (test/integration/iam-parity.test.ts). DynamoDB Local (and the local parameter
 * store) ignore IAM, so a call a role does not allow passes every local test and fails in AWS. Here:
 *   - grantsByEntry: each function's statements, read from the synthesized template (its role's policies), keyed
 *     by the module the function runs; never a hand-kept list;
 *   - accessesOf: what AWS authorizes for one DynamoDB request: one action per request, and one per item inside a
 *     transaction (Put → PutItem, Update → UpdateItem, Delete → DeleteItem, ConditionCheck → ConditionCheckItem,
 *     Get → GetItem), on the table or on the index a Query/Scan names, with the partition keys it touches;
 *   - refusal: why the statements do not allow one access, or undefined when they do.
 * The evaluator knows what this stack writes (Allow/Deny, Action and Resource with wildcards, the
 * dynamodb:LeadingKeys condition); anything else in a statement throws, so the test learns it instead of guessing.
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { TABLE_KEYS } from '../../shared/storage/table.js';

/** Stands for the table's ARN (`Fn::GetAtt [table, Arn]` in the template; the test table's name in requests). */
export const TABLE_ARN = 'arn:aws:dynamodb:region:account:table/credit';
/** The events table's (shared/events/table.ts), as the same stand-in. */
export const EVENTS_TABLE_ARN = 'arn:aws:dynamodb:region:account:table/credit-events';
/** The budgets table's (shared/budgets/table.ts), as the same stand-in. */
export const BUDGETS_TABLE_ARN = 'arn:aws:dynamodb:region:account:table/credit-budgets';

export interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  /** ForAllValues:StringEquals on dynamodb:LeadingKeys: every partition key the request touches must be listed. */
  leadingKeys?: string[];
}

export interface Access {
  action: string;
  resource: string;
  /** The partition keys the request touches; undefined when not known from the request (a Query's key condition). */
  leadingKeys: string[] | undefined;
  /** Where in the request, for the failure message. */
  what: string;
}

type Json = any;

/** A function of the stack: the module it runs and its role (ServiceFunction exposes both). */
export interface DeployedFunction {
  entry: string;
  role: IConstruct;
}

/** Every statement of every deployed function's role, by the function's module. */
export function grantsByEntry(
  stack: Stack,
  template: Template,
  functions: DeployedFunction[],
  table: IConstruct,
  events: IConstruct,
  budgets: IConstruct,
): Map<string, Statement[]> {
  const tableIds: TableIds = {
    table: stack.getLogicalId(table.node.defaultChild as CfnElement),
    events: stack.getLogicalId(events.node.defaultChild as CfnElement),
    budgets: stack.getLogicalId(budgets.node.defaultChild as CfnElement),
  };
  const roles = template.findResources('AWS::IAM::Role') as Record<string, Json>;
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Json>);
  const grants = new Map<string, Statement[]>();
  for (const fn of functions) {
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
    const role = roles[roleId];
    if (!role) throw new Error(`no AWS::IAM::Role ${roleId} for ${fn.entry}`);
    if (role.Properties.ManagedPolicyArns?.length)
      throw new Error(`${fn.entry}: managed policies cannot be read from the template`);
    const documents = [
      ...(role.Properties.Policies ?? []).map((p: Json) => p.PolicyDocument),
      ...policies
        .filter((p) => (p.Properties.Roles ?? []).some((r: Json) => r.Ref === roleId))
        .map((p) => p.Properties.PolicyDocument),
    ];
    grants.set(
      fn.entry,
      documents.flatMap((d: Json) =>
        [d.Statement].flat().map((s: Json) => statementOf(s, tableIds, fn.entry)),
      ),
    );
  }
  return grants;
}

/** The logical ids of the three tables, whose ARNs a statement names by GetAtt. */
interface TableIds {
  table: string;
  events: string;
  budgets: string;
}

function statementOf(raw: Json, tableId: TableIds, entry: string): Statement {
  const unsupported = ['NotAction', 'NotResource', 'NotPrincipal'].filter((k) => k in raw);
  if (unsupported.length)
    throw new Error(`${entry}: the parity test cannot evaluate ${unsupported.join(', ')}`);
  const statement: Statement = {
    effect: raw.Effect,
    actions: [raw.Action].flat(),
    resources: [raw.Resource].flat().map((r: Json) => resolveArn(r, tableId)),
  };
  if (raw.Condition === undefined) return statement;
  const keys = raw.Condition['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'];
  const onlyLeadingKeys =
    Object.keys(raw.Condition).length === 1 &&
    Object.keys(raw.Condition['ForAllValues:StringEquals'] ?? {}).length === 1;
  if (!keys || !onlyLeadingKeys)
    throw new Error(
      `${entry}: the parity test cannot evaluate the condition ${JSON.stringify(raw.Condition)}`,
    );
  return { ...statement, leadingKeys: [keys].flat() };
}

/** The pseudo parameters an ARN is built from, as TABLE_ARN and parameterArn spell them. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'region',
  'AWS::AccountId': 'account',
};

/** The ARN of an SSM parameter, as a template statement names it once resolved (`name` starts with `/`). */
export const parameterArn = (name: string): string => `arn:aws:ssm:region:account:parameter${name}`;

/**
 * A template ARN as a string: the table's GetAtt becomes TABLE_ARN, pseudo parameters their stand-ins; what is
 * not the table stays recognisably other.
 */
function resolveArn(value: Json, tableId: TableIds): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::GetAtt']?.[0] === tableId.table && value['Fn::GetAtt'][1] === 'Arn') return TABLE_ARN;
  if (value?.['Fn::GetAtt']?.[0] === tableId.events && value['Fn::GetAtt'][1] === 'Arn')
    return EVENTS_TABLE_ARN;
  if (value?.['Fn::GetAtt']?.[0] === tableId.budgets && value['Fn::GetAtt'][1] === 'Arn')
    return BUDGETS_TABLE_ARN;
  if (typeof value?.Ref === 'string' && value.Ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[value.Ref]!;
  if (value?.['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'] as [string, Json[]];
    return parts.map((p) => resolveArn(p, tableId)).join(separator);
  }
  return `unresolved:${JSON.stringify(value)}`;
}

/** The partition key of a key or item, whether the document client has marshalled it yet or not. */
function partitionKeyOf(keyOrItem: Json): string {
  const value = keyOrItem?.[TABLE_KEYS.partitionKey];
  return typeof value === 'string' ? value : String(value?.S);
}

const TRANSACT_WRITE_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** What AWS authorizes for one request: `operation` is the API name (TransactWriteItems), `arnOf` maps table names. */
export function accessesOf(operation: string, input: Json, arnOf: (tableName: string) => string): Access[] {
  const item = (action: string, tableName: string, keyOrItem: Json, what: string): Access => ({
    action,
    resource: arnOf(tableName),
    leadingKeys: [partitionKeyOf(keyOrItem)],
    what,
  });
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [item(`dynamodb:${operation}`, input.TableName, input.Key, operation)];
    case 'PutItem':
      return [item('dynamodb:PutItem', input.TableName, input.Item, operation)];
    case 'Query':
    case 'Scan': {
      const resource = arnOf(input.TableName) + (input.IndexName ? `/index/${input.IndexName}` : '');
      return [{ action: `dynamodb:${operation}`, resource, leadingKeys: undefined, what: operation }];
    }
    case 'BatchGetItem':
      return Object.entries(input.RequestItems as Record<string, { Keys: Json[] }>).map(
        ([table, { Keys }]) => ({
          action: 'dynamodb:BatchGetItem',
          resource: arnOf(table),
          leadingKeys: Keys.map(partitionKeyOf),
          what: operation,
        }),
      );
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems as Record<string, Json[]>).map(([table, requests]) => ({
        action: 'dynamodb:BatchWriteItem',
        resource: arnOf(table),
        leadingKeys: requests.map((r) => partitionKeyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
        what: operation,
      }));
    case 'TransactGetItems':
      return (input.TransactItems as Json[]).map((t, i) =>
        item('dynamodb:GetItem', t.Get.TableName, t.Get.Key, `${operation} item ${i} (Get)`),
      );
    case 'TransactWriteItems':
      return (input.TransactItems as Json[]).map((t, i) => {
        const [kind, request] = Object.entries(t)[0] as [string, Json];
        const action = TRANSACT_WRITE_ACTIONS[kind];
        if (!action) throw new Error(`unknown TransactWriteItems item kind ${kind}`);
        return item(
          action,
          request.TableName,
          request.Item ?? request.Key,
          `${operation} item ${i} (${kind})`,
        );
      });
    default:
      return [
        {
          action: `dynamodb:${operation}`,
          resource: input.TableName ? arnOf(input.TableName) : '*',
          leadingKeys: undefined,
          what: operation,
        },
      ];
  }
}

/** IAM's wildcards: `*` any run of characters, `?` one. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** True or false, or 'unknown' when the statement's condition needs keys the request does not show. */
function applies(s: Statement, a: Access): boolean | 'unknown' {
  if (!s.actions.some((p) => globMatches(p, a.action, true))) return false;
  if (!s.resources.some((p) => globMatches(p, a.resource, false))) return false;
  if (s.leadingKeys === undefined) return true;
  if (a.leadingKeys === undefined) return 'unknown';
  return a.leadingKeys.every((k) => s.leadingKeys!.includes(k));
}

/** Why `statements` do not allow `access` (an explicit or possible Deny, or no Allow); undefined when they do. */
export function refusal(statements: Statement[], access: Access): string | undefined {
  if (statements.some((s) => s.effect === 'Deny' && applies(s, access) !== false))
    return 'denied by a Deny statement';
  if (statements.some((s) => s.effect === 'Allow' && applies(s, access) === true)) return undefined;
  const keys = access.leadingKeys === undefined ? '' : ` (partition ${access.leadingKeys.join(', ')})`;
  return `${access.action} on ${access.resource}${keys} is not granted`;
}
