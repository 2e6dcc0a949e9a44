/**
 * What each function may do to the table: least privilege per handler. `read` handlers get GetItem /
 * BatchGetItem / Query only; `write` handlers also PutItem / UpdateItem / ConditionCheckItem (what
 * TransactWriteItems needs per item). A test checks every route in functions/routes.ts has an entry.
 */
export type TableAccess = 'read' | 'write';

export const ROUTE_TABLE_ACCESS: Record<string, TableAccess> = {
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

/** Routes whose handlers start refresh runs (they enqueue segments). */
export const ROUTES_THAT_ENQUEUE_REFRESH = new Set(['jobs-limit-refresh']);

export const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
  write: [
    'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable',
    'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem',
  ],
};
