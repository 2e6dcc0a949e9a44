/**
 * Runs one TransactWriteItems and turns a cancellation into data: which item failed which condition, and the
 * item's image at that moment (ReturnValuesOnConditionCheckFailure: ALL_OLD), so callers explain a failure
 * without reading again. Other errors are thrown: they are unexpected.
 */
import {
  type AttributeValue,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { assert } from '../assert.js';
import { countTransactionConflict } from '../observability/emf.js';
import { defaultStorage, type Storage } from './dynamo-client.js';
import { TRANSACT_WRITE_MAX_ITEMS } from './dynamodb-limits.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

export type TransactionOutcome = { committed: true } | { committed: false; reasons: CancellationReason[] };

/** Reason codes that say "try again", not "your condition is false". */
const TRANSIENT_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

export function isTransient(reasons: CancellationReason[]): boolean {
  return reasons.some((r) => TRANSIENT_REASONS.has(r.code));
}

/**
 * A TransactWriteItems that DynamoDB cancelled, named by the operation that sent it, with each item's reason
 * code in item order. Thrown when the reasons are not ones the operation explains (a bug, or a table in a shape
 * the code does not know): the HTTP shell answers 500 without internals. It is also the cause a
 * RetriesExhaustedError keeps when the last attempt was cancelled for a transient reason (a conflict, a
 * throttle). It keeps the codes only, never the items' images: errors are logged, and images hold customer data.
 */
export class TransactionCancelledError extends Error {
  readonly reasons: readonly string[];
  constructor(
    readonly operation: string,
    reasons: readonly CancellationReason[],
  ) {
    const codes = reasons.map((r) => r.code);
    super(`${operation} cancelled: ${codes.join(',')}`);
    this.name = 'TransactionCancelledError';
    this.reasons = codes;
  }
}

export function conditionFailed(reasons: CancellationReason[], index: number): boolean {
  return reasons[index]?.code === 'ConditionalCheckFailed';
}

/** The document client's marshalling options (storage/dynamo-client.ts). */
const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/**
 * One item as DynamoDB's own API takes it: its values marshalled here, once, as the document client would. The
 * transaction is then sent as a TransactWriteItemsCommand through the same client (same middleware, deadline and
 * retries): the document client's extra middleware (marshalling every input member by walking the command's
 * shape) was about a tenth of an authorize's SDK CPU, on the hottest call of the service.
 */
function toAttributeValues(item: TransactItem): TransactWriteItem {
  const [kind, request] = Object.entries(item)[0] as [keyof TransactWriteItem, Record<string, unknown>];
  const wire: Record<string, unknown> = { ...request };
  for (const member of ['Item', 'Key', 'ExpressionAttributeValues'] as const) {
    const value = request[member];
    if (value !== undefined) wire[member] = marshall(value as Record<string, unknown>, MARSHALL_OPTIONS);
  }
  return { [kind]: wire } as TransactWriteItem;
}

/**
 * @param clientRequestToken makes an SDK-level retry of the very same transaction (e.g. after a lost
 * response) a no-op that reports success, for 10 minutes. At most 36 characters.
 * @param storage the client to send it with (the items name their own tables).
 */
export async function transactWrite(
  items: TransactItem[],
  clientRequestToken?: string,
  storage: Pick<Storage, 'documentClient'> = defaultStorage,
): Promise<TransactionOutcome> {
  assert(items.length > 0, 'a transaction writes at least one item');
  assert(
    items.length <= TRANSACT_WRITE_MAX_ITEMS,
    `a transaction writes at most ${TRANSACT_WRITE_MAX_ITEMS} items`,
  );
  try {
    await storage.documentClient.send(
      new TransactWriteItemsCommand({
        TransactItems: items.map(toAttributeValues),
        ...(clientRequestToken ? { ClientRequestToken: clientRequestToken } : {}),
      }),
    );
    return { committed: true };
  } catch (error) {
    if (
      error instanceof TransactionCanceledException ||
      (error as { name?: string }).name === 'TransactionCanceledException'
    ) {
      const raw = (error as TransactionCanceledException).CancellationReasons ?? [];
      // The TransactionConflicts metric (alarmed on, infra/constructs/observability.ts): one per cancelled transaction.
      if (raw.some((r) => r.Code === 'TransactionConflict')) countTransactionConflict();
      return {
        committed: false,
        reasons: raw.map((r) => ({
          code: r.Code ?? 'Unknown',
          ...(r.Item ? { item: unmarshall(r.Item as Record<string, AttributeValue>) } : {}),
        })),
      };
    }
    throw error;
  }
}
