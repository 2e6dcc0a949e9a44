/**
 * What each function may do to the table: least privilege per handler, keyed by the handler names of
 * functions/routes.ts. `read` handlers get GetItem / BatchGetItem / Query only; `write` handlers also get
 * PutItem / UpdateItem / ConditionCheckItem, the per-item actions TransactWriteItems is authorized by.
 * Expired data is deleted by TTL, not by handlers: the one delete is ending a promotion, which moves its end-index
 * copy (ROUTE_TABLE_DELETES). The API construct refuses to synthesize a route without an entry, test/infra
 * checks every route of the manifest has one, and test/integration/iam-parity runs every function against the
 * synthesized roles.
 */
import { PROMOTIONS_BY_END_PARTITION } from '../shared/storage/table.js';

export type TableAccess = 'read' | 'write';

export const ROUTE_TABLE_ACCESS: Readonly<Record<string, TableAccess>> = {
  'clients-create': 'write',
  'accounts-create': 'write',
  'accounts-get': 'read',
  'authorizations-create': 'write',
  'authorizations-get': 'read',
  'authorizations-capture': 'write',
  'authorizations-release': 'write',
  'authorizations-increment': 'write',
  'authorizations-refund': 'write',
  'accounts-repay': 'write',
  'accounts-freeze': 'write',
  'accounts-unfreeze': 'write',
  'accounts-journal': 'read',
  'reviews-list': 'read',
  'reviews-approve': 'write',
  'reviews-decline': 'write',
  'accounts-profile': 'write',
  'accounts-limit-request': 'write',
  'jobs-limit-refresh': 'write',
  'jobs-get': 'read',
  'promotions-create': 'write',
  'promotions-list': 'read',
  'promotions-end': 'write',
};

/**
 * The partitions whose items a route may delete (DeleteItem, limited by IAM's dynamodb:LeadingKeys): AWS authorizes
 * a Delete inside TransactWriteItems as DeleteItem, so a route that moves an item needs it. Only ending a promotion
 * deletes, and only its end-index copy; no role may delete an account, a hold, a journal entry or a request record.
 */
export const ROUTE_TABLE_DELETES: Readonly<Record<string, readonly string[]>> = {
  'promotions-end': [PROMOTIONS_BY_END_PARTITION],
};

/**
 * Routes that hand out list cursors: they get the cursor key secret's ARN and may read that secret (and only they:
 * the checkout path carries no Secrets Manager code or permission).
 */
export const ROUTES_THAT_SEAL_CURSORS: ReadonlySet<string> = new Set([
  'accounts-journal',
  'reviews-list',
  'promotions-list',
]);

/** Routes whose handlers start refresh runs: they enqueue segments, so they get the queue URL and SendMessage. */
export const ROUTES_THAT_ENQUEUE_REFRESH: ReadonlySet<string> = new Set(['jobs-limit-refresh']);

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;

export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: READ_ACTIONS,
  write: [...READ_ACTIONS, ...WRITE_ACTIONS],
};

/** Actions no read-only role may hold (the test asserts it on the synthesized template). */
export const TABLE_WRITE_ACTIONS: readonly string[] = [
  ...WRITE_ACTIONS,
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

export function tableAccessOf(handler: string): TableAccess {
  const access = ROUTE_TABLE_ACCESS[handler];
  if (!access)
    throw new Error(`infra/route-permissions.ts has no table access for route handler '${handler}'`);
  return access;
}
