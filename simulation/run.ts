/**
 * A 618 flash-sale simulation against a running API: seed accounts with credit profiles, start a festival
 * uplift and an electronics quota, run the limit refresh, then a checkout burst (reserve → capture or release,
 * some checkouts in the quota's category) with duplicate submissions and retries after "lost" responses, and
 * check the books at the end: no oversell, no quota over-drawn, every journal reconciled. Used by
 * `npm run simulate` and, small, by a test.
 */

/** The festival's category quota: every account may spend this much more, on electronics only. */
export const QUOTA_CATEGORY = 'electronics';
export const QUOTA_MINOR = 50_000;
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inParallel, percentile } from '../bench/load.js';

export interface SimulationOptions {
  url: string;
  adminKey: string;
  accounts: number;
  checkouts: number;
  /** Checkouts in flight at once. */
  concurrency: number;
  seed?: number;
  onProgress?: (done: number, total: number, stage: string) => void;
}

export interface SimulationResult {
  accounts: number;
  checkouts: number;
  approved: number;
  pendingReview: number;
  declined: Record<string, number>;
  captured: number;
  released: number;
  duplicatesSent: number;
  retriesSent: number;
  /** Retries and duplicates whose answer differed from the first: must be 0. */
  inconsistentReplays: number;
  authorizeP50Ms: number;
  authorizeP99Ms: number;
  durationSeconds: number;
  /** Accounts whose reserved + outstanding exceed totalLimit: must be 0. */
  oversold: number;
  /** Accounts whose journal replay differs from the account item: must be 0. */
  unreconciled: number;
  promoLimitTotal: number;
  /** Electronics quota drawn by checkouts, over all accounts. */
  quotaUsedTotal: number;
  /** Accounts whose quota shows more drawn than granted, or used + remaining != granted: must be 0. */
  quotaViolations: number;
  timeline: Array<{ second: number; requests: number; approvalRate: number; p50Ms: number; p99Ms: number }>;
}

/** mulberry32: reproducible choices from a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Reply {
  status: number;
  body: any;
}

function client(url: string) {
  return async (
    method: string,
    path: string,
    key: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const response = await fetch(url + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** How often the books check polls a journal not yet settled past the burst (against a fresh stack: once, ~1 min). */
const JOURNAL_POLL_INTERVAL_MS = 1_000;
/** A journal that has not settled past the burst by then counts as unreconciled: five times the default lag. */
const JOURNAL_SETTLE_WAIT_MAX_MS = 5 * 60_000;

/**
 * An account's whole journal as an incremental reader gets it: pages while `hasMore`, then polls with its cursor
 * until the journal has settled past `settledFromMs` (the journal serves entries a settling lag after they happen).
 */
async function settledJournal(
  call: ReturnType<typeof client>,
  id: string,
  key: string,
  settledFromMs: number,
): Promise<any[]> {
  const entries: any[] = [];
  const deadline = Date.now() + JOURNAL_SETTLE_WAIT_MAX_MS;
  let cursor: string | null = null;
  for (;;) {
    const page: Reply = await call(
      'GET',
      `/v1/accounts/${id}/journal?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      key,
    );
    entries.push(...page.body.data);
    cursor = page.body.nextCursor;
    if (page.body.hasMore) continue;
    if (Date.parse(page.body.settledThrough) >= settledFromMs || Date.now() > deadline) return entries;
    await sleep(JOURNAL_POLL_INTERVAL_MS);
  }
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const call = client(o.url);
  const random = prng(o.seed ?? 618);
  const progress = o.onProgress ?? (() => undefined);
  const runId = randomUUID().slice(0, 8);

  const mk = async (scopes: string[]) =>
    (await call('POST', '/v1/clients', o.adminKey, { name: `sim ${scopes.join('+')}`, scopes })).body
      .apiKey as string;
  const [shop, risk, servicing] = await Promise.all([mk(['checkout']), mk(['risk']), mk(['servicing'])]);

  // 1. Accounts with profiles: a realistic spread of borrowers.
  const accountIds = Array.from({ length: o.accounts }, (_, i) => `sim_${runId}_${i}`);
  await inParallel(accountIds, 32, async (id, i) => {
    await call('POST', '/v1/accounts', o.adminKey, {
      id,
      currency: 'CNY',
      creditLimit: 200_000 + (i % 10) * 50_000,
    });
    await call('PUT', `/v1/accounts/${id}/profile`, risk, {
      creditScore: 580 + Math.floor(random() * 270),
      monthlyIncome: 400_000 + Math.floor(random() * 2_000_000),
      incomeVerified: random() < 0.7,
      onTimeRepayments: Math.floor(random() * 40),
      overdueCount: random() < 0.1 ? 1 : 0,
      maxOverdueDays: 0,
      recentInquiries: Math.floor(random() * 8),
      tenureMonths: Math.floor(random() * 60),
    });
    progress(i + 1, o.accounts, 'seeding accounts');
  });

  // 2. The festival promotion, then the refresh that applies it.
  const now = Date.now();
  await call('POST', '/v1/promotions', o.adminKey, {
    id: `p618-${runId}`,
    name: '618 festival uplift',
    kind: 'uplift',
    upliftPercent: 30,
    eligibleTiers: ['A', 'B', 'C'],
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 3 * 86_400_000).toISOString(),
  });
  await call('POST', '/v1/promotions', o.adminKey, {
    id: `q618-${runId}`,
    name: '618 electronics quota',
    kind: 'category_quota',
    category: QUOTA_CATEGORY,
    quotaAmount: QUOTA_MINOR,
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 3 * 86_400_000).toISOString(),
  });
  const job = (await call('POST', '/v1/jobs/limit-refresh', risk, {})).body;
  for (let i = 0; i < 6_000; i += 1) {
    const state = (await call('GET', `/v1/jobs/${job.id}`, risk)).body;
    progress(state.processed ?? 0, o.accounts, 'refreshing limits');
    if (state.status !== 'running') break;
    await sleep(100);
  }

  // 3. The checkout burst.
  const started = Date.now();
  const latencies: number[] = [];
  const timeline = new Map<number, { latencies: number[]; approved: number; total: number }>();
  const result: SimulationResult = {
    accounts: o.accounts,
    checkouts: o.checkouts,
    approved: 0,
    pendingReview: 0,
    declined: {},
    captured: 0,
    released: 0,
    duplicatesSent: 0,
    retriesSent: 0,
    inconsistentReplays: 0,
    authorizeP50Ms: 0,
    authorizeP99Ms: 0,
    durationSeconds: 0,
    oversold: 0,
    unreconciled: 0,
    promoLimitTotal: 0,
    quotaUsedTotal: 0,
    quotaViolations: 0,
    timeline: [],
  };
  const plan = Array.from({ length: o.checkouts }, () => ({
    accountId: accountIds[Math.floor(random() ** 1.5 * accountIds.length)]!, // some accounts are busier than others
    amount: 1_000 + Math.floor(random() ** 3 * 150_000),
    duplicate: random() < 0.05,
    lostResponse: random() < 0.03,
    capture: random() < 0.8,
    partial: random() < 0.25,
    electronics: random() < 0.4,
  }));
  let done = 0;
  await inParallel(plan, o.concurrency, async (c) => {
    const key = randomUUID();
    const body = {
      accountId: c.accountId,
      amount: c.amount,
      currency: 'CNY',
      orderId: `o-${key.slice(0, 12)}`,
      ...(c.electronics ? { category: QUOTA_CATEGORY } : {}),
    };
    const t0 = performance.now();
    const sends = [call('POST', '/v1/authorizations', shop, body, key)];
    if (c.duplicate) {
      result.duplicatesSent += 1;
      sends.push(call('POST', '/v1/authorizations', shop, body, key)); // a double-clicked "pay" button
    }
    const [first, ...copies] = await Promise.all(sends);
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (c.lostResponse) {
      result.retriesSent += 1; // the client never saw `first`; it retries with the same key
      copies.push(await call('POST', '/v1/authorizations', shop, body, key));
    }
    for (const copy of copies)
      if (copy.status !== first!.status || JSON.stringify(copy.body) !== JSON.stringify(first!.body))
        result.inconsistentReplays += 1;
    const second = Math.floor((Date.now() - started) / 1000);
    const bucket = timeline.get(second) ?? { latencies: [], approved: 0, total: 0 };
    bucket.latencies.push(ms);
    bucket.total += 1;
    timeline.set(second, bucket);
    if (first!.status === 201) {
      bucket.approved += 1;
      if (first!.body.status === 'pending_review') result.pendingReview += 1;
      else {
        result.approved += 1;
        const id = first!.body.id as string;
        const settle = c.capture
          ? { action: 'capture', amount: c.partial ? Math.max(1, Math.floor(c.amount / 2)) : undefined }
          : { action: 'release' };
        const reply = await call(
          'POST',
          `/v1/authorizations/${id}/${settle.action}`,
          shop,
          settle.amount ? { amount: settle.amount } : {},
          randomUUID(),
        );
        if (reply.status === 200 && c.capture) result.captured += 1;
        else if (reply.status === 200) result.released += 1;
      }
    } else {
      const code = first!.body?.error?.code ?? `http_${first!.status}`;
      result.declined[code] = (result.declined[code] ?? 0) + 1;
    }
    progress(++done, o.checkouts, 'checkouts');
  });
  result.durationSeconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  result.authorizeP50Ms = percentile(latencies, 50);
  result.authorizeP99Ms = percentile(latencies, 99);
  result.timeline = [...timeline.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, b]) => {
      const sorted = b.latencies.sort((x, y) => x - y);
      return {
        second,
        requests: b.total,
        approvalRate: b.approved / b.total,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
      };
    });

  // 4. The books: no oversell, and every journal replays to its account.
  let checked = 0;
  const booksFromMs = Date.now();
  await inParallel(accountIds, 16, async (id) => {
    const account = (await call('GET', `/v1/accounts/${id}`, risk)).body;
    result.promoLimitTotal += account.promoLimit;
    if (account.available !== account.totalLimit - account.reserved - account.outstanding)
      result.unreconciled += 1;
    const entries = await settledJournal(call, id, servicing, booksFromMs);
    const last = entries.at(-1)?.balances;
    if (
      !last ||
      last.reserved !== account.reserved ||
      last.outstanding !== account.outstanding ||
      last.totalLimit !== account.totalLimit
    )
      result.unreconciled += 1;
    // Limits change only in the refresh before the burst, when nothing is used yet: so usage may never exceed them.
    if (account.reserved + account.outstanding > account.totalLimit) result.oversold += 1;
    // Every account was granted the quota once; draws and give-backs must add up to it exactly.
    const quota = account.categoryQuotas?.[QUOTA_CATEGORY];
    if (quota) {
      result.quotaUsedTotal += quota.used;
      if (quota.used + quota.remaining !== QUOTA_MINOR || quota.used > account.promoLimit)
        result.quotaViolations += 1;
    }
    progress(++checked, o.accounts, 'checking the books');
  });
  return result;
}
