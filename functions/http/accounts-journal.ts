/**
 * GET /v1/accounts/{id}/journal (servicing, risk): every movement, oldest first, with running balances, up to the
 * settled horizon (shared/journal/horizon.ts). `journalRoute` takes the clock so the local server can read as if
 * the lag had passed (tests of fresh entries); Lambda runs `handler`, on the system clock.
 */
import { getAccount } from '../../shared/accounts/repository.js';
import { PageQuery } from '../../shared/accounts/schemas.js';
import { ApiError } from '../../shared/http/errors.js';
import { httpRoute, type RouteSpec } from '../../shared/http/route.js';
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

const spec: RouteSpec<undefined, typeof PageQuery> = {
  method: 'GET',
  path: '/v1/accounts/{id}/journal',
  scopes: ['servicing', 'risk'],
  query: PageQuery,
  access: { table: 'read', sealsCursors: true },
  docs: {
    operationId: 'listJournal',
    summary: "An account's journal, oldest first",
    notes:
      'Serves entries once they have settled (JOURNAL_SETTLE_MS after they happen, ten seconds by default), so a cursor never skips one.',
    success: {
      status: 200,
      schema: 'JournalPage',
      description: 'One page of entries with running balances.',
    },
    errors: ['account_not_found'],
  },
};

/** The route on the clock `nowMs` (Lambda: the system clock). */
export function journalRoute(nowMs: () => number = Date.now) {
  return httpRoute(import.meta.url, spec, async ({ params, query }) => {
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

export const route = journalRoute();
export const handler = route.handler;
