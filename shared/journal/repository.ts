/**
 * Storage of journal entries: key layout, the conditional Put that goes into each movement's transaction,
 * paged reads of the settled journal in time order (the HTTP journal), and whole reads for reconciliation.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BalanceDelta } from '../accounts/model.js';
import { randomId } from '../ids.js';
import { documentClient, tableName } from '../storage/dynamo-client.js';
import type { TransactItem } from '../storage/transactions.js';
import type { JournalEntry, JournalEntryType, JournalWindow, Reason } from './model.js';
import { assert } from '../assert.js';

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
  windows?: JournalWindow[];
  allocation?: JournalEntry['allocation'];
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
    ...(input.windows ? { windows: input.windows } : {}),
    ...(input.allocation ? { allocation: input.allocation } : {}),
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

/**
 * One page of an account's whole journal, oldest first, starting after the sort key `afterSk`: for reconciliation
 * only, which compares with the account item read after it. Readers that keep a cursor use listSettledJournal.
 */
async function listJournal(accountId: string, limit: number, afterSk?: string): Promise<JournalPage> {
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

export interface SettledPage {
  entries: JournalEntry[];
  /** More settled entries may follow the last one (the page was full); false: the reader has caught up. */
  hasMore: boolean;
}

/**
 * One page of an account's settled journal, oldest first: entries after the sort key `afterSk` (from the start
 * when null) and stamped before `horizon` (shared/journal/horizon.ts). Reads one more than asked, so a page that
 * ends exactly at the horizon says it is the last for now.
 */
export async function listSettledJournal(
  accountId: string,
  page: { limit: number; afterSk: string | null; horizon: Date },
): Promise<SettledPage> {
  // Every stamp at or after the horizon sorts after this key ('#' follows the timestamp in every sort key).
  const upperSk = `${JOURNAL_PREFIX}${page.horizon.toISOString()}`;
  if (page.afterSk !== null)
    assert(page.afterSk.startsWith(JOURNAL_PREFIX), `${page.afterSk} is not a journal position`);
  // A horizon behind the cursor (a lag raised since, or a clock stepped back): nothing new has settled yet.
  if (page.afterSk !== null && page.afterSk >= upperSk) return { entries: [], hasMore: false };
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': accountPk(accountId), ':from': JOURNAL_PREFIX, ':to': upperSk },
      Limit: page.limit + 1,
      ConsistentRead: true,
      ...(page.afterSk !== null ? { ExclusiveStartKey: { pk: accountPk(accountId), sk: page.afterSk } } : {}),
    }),
  );
  const items = result.Items ?? [];
  // More than asked, or cut short by the 1 MB page bound: more may follow.
  const hasMore = items.length > page.limit || result.LastEvaluatedKey !== undefined;
  return { entries: items.slice(0, page.limit).map(fromItem), hasMore };
}

/** Time first, then the entry's place within its transaction (a capture before the release it makes). */
export const journalSortKey = (entry: JournalEntry): string =>
  `${JOURNAL_PREFIX}${entry.createdAt}#${String(entry.sequence ?? 0).padStart(2, '0')}#${entry.id}`;

/** Pages of one account's journal a whole read follows at most (ten million entries at MAX_JOURNAL_PAGE). */
const MAX_JOURNAL_PAGES = 100_000;

/** Every entry of an account (reconciliation and tests), at most MAX_JOURNAL_PAGES pages of them. */
export async function listAllJournal(accountId: string): Promise<JournalEntry[]> {
  const all: JournalEntry[] = [];
  let afterSk: string | undefined;
  for (let page = 0; page < MAX_JOURNAL_PAGES; page += 1) {
    const result = await listJournal(accountId, MAX_JOURNAL_PAGE, afterSk);
    all.push(...result.entries);
    if (!result.lastSk) return all;
    afterSk = result.lastSk;
  }
  throw new Error(`journal of ${accountId} exceeds ${MAX_JOURNAL_PAGES} pages`);
}
