/**
 * GET /v1/events (admin, risk, servicing): an account's events in the order they happened, up to the settled
 * horizon (shared/events/repository.ts), so a cursor never skips one and nothing listed ever disappears.
 * `eventsRoute` takes the clock as the journal's route does (tests read fresh events as if the lag had passed).
 */
import * as z from 'zod';
import { getAccount } from '../../shared/accounts/repository.js';
import { EVENT_TYPES } from '../../shared/events/model.js';
import { listEvents } from '../../shared/events/repository.js';
import { ApiError } from '../../shared/http/errors.js';
import { jsonResponse } from '../../shared/http/middleware.js';
import { httpRoute, type RouteSpec } from '../../shared/http/route.js';
import { settledHorizon } from '../../shared/journal/horizon.js';
import { listCursors } from '../../shared/pagination/cursors.js';

const EventsQuery = z.strictObject({
  accountId: z.string().min(1).max(128),
  type: z.enum(EVENT_TYPES).optional(),
  after: z.string().min(1).max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const EventsCursor = z.strictObject({ at: z.string().nullable() });

const spec: RouteSpec<undefined, typeof EventsQuery> = {
  method: 'GET',
  path: '/v1/events',
  scopes: ['admin', 'risk', 'servicing'],
  query: EventsQuery,
  access: { table: 'read', events: 'read', sealsCursors: true },
  docs: {
    operationId: 'listEvents',
    summary: "An account's events, in the order they happened",
    notes:
      'Events are derived from the table’s change stream and listed once they have settled (JOURNAL_SETTLE_MS, ten ' +
      'seconds by default, after they are recorded), so a cursor never skips one. Poll with `after` = the last ' +
      '`nextCursor`. With `type`, only events of that type.',
    success: { status: 200, schema: 'EventPage', description: 'One page of events, oldest first.' },
    errors: ['account_not_found'],
  },
};

export function eventsRoute(nowMs: () => number = Date.now) {
  return httpRoute(import.meta.url, spec, async ({ query }) => {
    const horizon = settledHorizon(nowMs());
    const cursors = await listCursors(`events:${query.accountId}`);
    const from = cursors.open(query.after, EventsCursor);
    if (!from && !(await getAccount(query.accountId)))
      throw new ApiError('account_not_found', undefined, 'accountId');
    const page = await listEvents(query.accountId, {
      limit: query.limit,
      after: from?.at ?? null,
      horizon,
      ...(query.type ? { type: query.type } : {}),
    });
    return jsonResponse(200, {
      object: 'list',
      data: page.events,
      nextCursor: cursors.seal({ at: page.position }),
      hasMore: page.hasMore,
    });
  });
}

export const route = eventsRoute();
export const handler = route.handler;
