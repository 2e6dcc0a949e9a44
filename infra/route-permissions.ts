/**
 * The IAM actions behind a function's table access. Each route declares its access in its own spec
 * (shared/http/route.ts `access`); jobs and the authorizer declare theirs in the stack. `none` functions get no
 * table action; `read` functions get GetItem / BatchGetItem / Query only; `write` functions also get PutItem /
 * UpdateItem / ConditionCheckItem, the per-item actions TransactWriteItems is authorized by. Expired data is
 * deleted by TTL, not by functions: a route that deletes names the partitions (`access.deletesFrom`), and IAM's
 * dynamodb:LeadingKeys holds it to them. test/integration/iam-parity runs every function against the
 * synthesized roles.
 */
import type { TableAccess } from '../shared/http/route-spec.js';

export type { TableAccess };

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'] as const;

export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  none: [],
  read: READ_ACTIONS,
  write: [...READ_ACTIONS, ...WRITE_ACTIONS],
};

/** Actions no read-only role may hold (the test asserts it on the synthesized template). */
export const TABLE_WRITE_ACTIONS: readonly string[] = [
  ...WRITE_ACTIONS,
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
