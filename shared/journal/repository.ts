/**
 * Storage of journal entries: key layout, the conditional Put that goes into each movement's transaction,
 * and cursor-paged reads in time order.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BalanceDelta } from '../accounts/model.js';
import { randomId } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import type { TransactItem } from '../storage/transactions.js';
import type { JournalEntry, JournalEntryType, Reason } from './model.js';

const JOURNAL_PREFIX = 'JOURNAL#';
/** Page size bounds: a page is one Query; 100 entries stay far under the 1 MB Query limit. */
export const MAX_JOURNAL_PAGE = 100;

const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;

export function newJournalEntry(input: {
  accountId: string;
  type: JournalEntryType;
  amount: number;
  delta: BalanceDelta;
  nowIso: string;
  authorizationId?: string;
  reasons?: Reason[];
  policyVersion?: string;
  sequence?: number;
}): JournalEntry {
  return {
    id: randomId('je'),
    accountId: input.accountId,
    type: input.type,
    amount: input.amount,
    delta: input.delta,
    createdAt: input.nowIso,
    ...(input.authorizationId ? { authorizationId: input.authorizationId } : {}),
    ...(input.reasons ? { reasons: input.reasons } : {}),
    ...(input.policyVersion ? { policyVersion: input.policyVersion } : {}),
    ...(input.sequence ? { sequence: input.sequence } : {}),
  };
}

export function journalPut(entry: JournalEntry): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { pk: accountPk(entry.accountId), sk: journalSortKey(entry), itemType: 'journal', ...entry },
      // Entries are immutable: never overwrite one.
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function fromItem(item: Record<string, unknown>): JournalEntry {
  const { pk: _pk, sk: _sk, itemType: _itemType, ...entry } = item;
  return entry as unknown as JournalEntry;
}

export interface JournalPage {
  entries: JournalEntry[];
  /** The sort key of the last entry when more may follow, else null. */
  lastSk: string | null;
}

/** One page of an account's journal, oldest first, starting after the sort key `afterSk`. */
export async function listJournal(accountId: string, limit: number, afterSk?: string): Promise<JournalPage> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': accountPk(accountId), ':prefix': JOURNAL_PREFIX },
      Limit: limit,
      ConsistentRead: true,
      ...(afterSk ? { ExclusiveStartKey: { pk: accountPk(accountId), sk: afterSk } } : {}),
    }),
  );
  const lastSk = result.LastEvaluatedKey?.['sk'];
  return { entries: (result.Items ?? []).map(fromItem), lastSk: typeof lastSk === 'string' ? lastSk : null };
}

/** Time first, then the entry's place within its transaction (a capture before the release it makes). */
export const journalSortKey = (entry: JournalEntry): string =>
  `${JOURNAL_PREFIX}${entry.createdAt}#${String(entry.sequence ?? 0).padStart(2, '0')}#${entry.id}`;

/** Every entry of an account (reconciliation and tests). Bounded by MAX_PAGES as a guard against runaway loops. */
export async function listAllJournal(accountId: string): Promise<JournalEntry[]> {
  const MAX_PAGES = 100_000;
  const all: JournalEntry[] = [];
  let afterSk: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await listJournal(accountId, MAX_JOURNAL_PAGE, afterSk);
    all.push(...result.entries);
    if (!result.lastSk) return all;
    afterSk = result.lastSk;
  }
  throw new Error(`journal of ${accountId} exceeds ${MAX_PAGES} pages`);
}
