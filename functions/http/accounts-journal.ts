/** GET /v1/accounts/{id}/journal (servicing, risk): every movement, oldest first, with running balances. */
import { getAccount } from '../../shared/accounts/repository.js';
import { PageQuery } from '../../shared/accounts/schemas.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { decodeCursor, encodeCursor, withRunningBalances } from '../../shared/journal/pagination.js';
import { listJournal } from '../../shared/journal/repository.js';

export const handler = httpHandler({ scopes: ['servicing', 'risk'], query: PageQuery }, async ({ params, query }) => {
  const accountId = params['id'] ?? '';
  const { limit, cursor: rawCursor } = query;
  const cursor = rawCursor === undefined ? undefined : decodeCursor(rawCursor);
  if (rawCursor !== undefined && !cursor) throw new ApiError('validation_failed', 'cursor: not a cursor this API returned.', 'cursor');
  if (!cursor && !(await getAccount(accountId))) throw new ApiError('account_not_found');
  const page = await listJournal(accountId, limit, cursor?.sk);
  const { resources, end } = withRunningBalances(page.entries, cursor?.balances);
  return jsonResponse(200, {
    object: 'list',
    data: resources,
    nextCursor: page.lastSk ? encodeCursor({ sk: page.lastSk, balances: end }) : null,
  });
});
