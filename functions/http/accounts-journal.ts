/**
 * GET /v1/accounts/{id}/journal (servicing, risk): every movement, oldest first, with running balances, up to the
 * settled horizon (shared/journal/horizon.ts). `journalHandler` takes the clock so the local server can read as if
 * the lag had passed (tests of fresh entries); Lambda runs `handler`, on the system clock.
 */
import { getAccount } from '../../shared/accounts/repository.js';
import { PageQuery } from '../../shared/accounts/schemas.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpHandler } from '../../shared/http/handler.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { settledHorizon } from '../../shared/journal/horizon.js';
import {
  JournalCursorPayload,
  START_POSITION,
  journalCursorScope,
  journalPage,
} from '../../shared/journal/pagination.js';
import { journalSortKey, listSettledJournal } from '../../shared/journal/repository.js';
import { listCursors } from '../../shared/pagination/cursors.js';

export function journalHandler(nowMs: () => number = Date.now) {
  return httpHandler({ scopes: ['servicing', 'risk'], query: PageQuery }, async ({ params, query }) => {
    // Before any read: the horizon must not move past an entry still in flight during the Query.
    const horizon = settledHorizon(nowMs());
    const accountId = params['id'] ?? '';
    const cursors = await listCursors(journalCursorScope(accountId));
    // A sealed cursor was made for this very account, so it proves the account exists.
    const from = cursors.open(query.cursor, JournalCursorPayload);
    if (!from && !(await getAccount(accountId))) throw new ApiError('account_not_found');
    const start = from ?? START_POSITION;
    const page = await listSettledJournal(accountId, { limit: query.limit, afterSk: start.sk, horizon });
    return jsonResponse(200, journalPage({ ...page, horizon }, start, journalSortKey, cursors.seal));
  });
}

export const handler = journalHandler();
