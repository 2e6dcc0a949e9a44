/** What a test reads of the table itself, beside the API. */

/**
 * Every item of the table and of its budgets table (shared/budgets/table.ts), in key order (consistent scans, every
 * page): "nothing changed" means this is equal before and after.
 */
export async function tableSnapshot(tableName: string): Promise<Array<Record<string, unknown>>> {
  const { budgetsTableOf } = await import('../../shared/budgets/table.js');
  const items = [...(await scanAll(tableName)), ...(await scanAll(budgetsTableOf(tableName)))];
  const key = (item: Record<string, unknown>) => `${String(item['pk'])}\u0000${String(item['sk'])}`;
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function scanAll(tableName: string): Promise<Array<Record<string, unknown>>> {
  const { documentClient } = await import('../../shared/storage/dynamo-client.js');
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
