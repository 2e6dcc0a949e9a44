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
  /** The platform credit budget in force over the burst (minor units; default 250.00 a checkout). */
  budgetMinor?: number;
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
  /** Interest-free 12-installment coupons issued before the burst (one to every other account). */
  couponsIssued: number;
  /** Captures split into 12 installments, and how many of them redeemed a coupon. */
  installmentCaptures: number;
  couponsRedeemed: number;
  /** Captures that found their account's coupon already redeemed (409 coupon_unavailable) and went on without it. */
  couponRaceLosses: number;
  /** The overall platform budget in force over the burst: its amount, what it had drawn at the end, its declines. */
  budget: { amount: number; drawn: number; remaining: number; exhaustedDeclines: number };
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

/** Accounts seeded, and books checked, this many at a time: enough to keep a local API busy. */
const SEED_CONCURRENCY = 32;
const BOOKS_CONCURRENCY = 16;
/** The refresh job is polled this often, at most this many times (ten minutes): a job that runs longer is left. */
const REFRESH_POLL_INTERVAL_MS = 100;
const REFRESH_POLLS_MAX = 6_000;
/** The promotions started a minute ago (so the refresh sees them live) and end well after the run. */
const PROMOTION_STARTED_AGO_MS = 60_000;
const PROMOTION_DAYS = 3;
const DAY_MS = 86_400_000;

type Call = ReturnType<typeof client>;
type Progress = NonNullable<SimulationOptions['onProgress']>;

/** The API keys the simulation acts with, one per role. */
interface Keys {
  admin: string;
  shop: string;
  risk: string;
  servicing: string;
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const call = client(o.url);
  const random = prng(o.seed ?? 618);
  const progress = o.onProgress ?? (() => undefined);
  const runId = randomUUID().slice(0, 8);
  const keys = await createKeys(call, o.adminKey);

  // 1. Accounts with profiles: a realistic spread of borrowers.
  const accountIds = Array.from({ length: o.accounts }, (_, i) => `sim_${runId}_${i}`);
  await seedAccounts(call, keys, accountIds, random, progress);
  // 2. The festival promotion, then the refresh that applies it.
  await createPromotions(call, keys.admin, runId, Date.now());
  await refreshLimits(call, keys.risk, o.accounts, progress);
  const coupons = await issueCoupons(call, keys.admin, accountIds, Date.now());
  const budgetId = await createBudget(call, keys.admin, runId, o.budgetMinor ?? o.checkouts * 25_000);
  // 3. The checkout burst.
  const plan = planCheckouts(o.checkouts, accountIds, random, coupons);
  const burst = await checkoutBurst(call, keys.shop, plan, o.concurrency, progress);
  // 4. The books: no oversell, and every journal replays to its account.
  const books = await checkBooks(call, keys, accountIds, progress);
  const budget = await endBudget(call, keys.admin, budgetId);
  const { timeline, ...counts } = burst;
  return {
    accounts: o.accounts,
    checkouts: o.checkouts,
    couponsIssued: coupons.size,
    ...counts,
    ...books,
    budget: { ...budget, exhaustedDeclines: counts.declined['budget_exhausted'] ?? 0 },
    timeline,
  };
}

/** The festival's overall risk target: a platform credit budget every CNY hold of the burst draws from. */
async function createBudget(call: Call, admin: string, runId: string, amount: number): Promise<string> {
  const id = `b618-${runId}`;
  const reply = await call('POST', '/v1/budgets', admin, {
    id,
    name: '618 overall risk target',
    currency: 'CNY',
    amount,
    startsAt: new Date(Date.now() - PROMOTION_STARTED_AGO_MS).toISOString(),
    endsAt: new Date(Date.now() + PROMOTION_DAYS * DAY_MS).toISOString(),
  });
  if (reply.status !== 201) throw new Error(`budget: ${reply.status} ${JSON.stringify(reply.body)}`);
  return id;
}

/** The budget's use after the burst; then it ends, so a later run on the same API has only its own budget. */
async function endBudget(call: Call, admin: string, id: string) {
  const read = await call('GET', `/v1/budgets/${id}`, admin);
  await call('POST', `/v1/budgets/${id}/end`, admin, {});
  const { amount, drawn, remaining } = read.body as { amount: number; drawn: number; remaining: number };
  return { amount, drawn, remaining };
}

async function createKeys(call: Call, admin: string): Promise<Keys> {
  const create = async (scopes: string[]) =>
    (await call('POST', '/v1/clients', admin, { name: `sim ${scopes.join('+')}`, scopes })).body
      .apiKey as string;
  const [shop, risk, servicing] = await Promise.all([
    create(['checkout']),
    create(['risk']),
    create(['servicing']),
  ]);
  return { admin, shop, risk, servicing };
}

async function seedAccounts(
  call: Call,
  keys: Keys,
  accountIds: readonly string[],
  random: () => number,
  progress: Progress,
): Promise<void> {
  await inParallel(accountIds, SEED_CONCURRENCY, async (id, i) => {
    await call('POST', '/v1/accounts', keys.admin, {
      id,
      currency: 'CNY',
      creditLimit: 200_000 + (i % 10) * 50_000,
    });
    await call('PUT', `/v1/accounts/${id}/profile`, keys.risk, {
      creditScore: 580 + Math.floor(random() * 270),
      monthlyIncome: 400_000 + Math.floor(random() * 2_000_000),
      incomeVerified: random() < 0.7,
      onTimeRepayments: Math.floor(random() * 40),
      overdueCount: random() < 0.1 ? 1 : 0,
      maxOverdueDays: 0,
      recentInquiries: Math.floor(random() * 8),
      tenureMonths: Math.floor(random() * 60),
    });
    progress(i + 1, accountIds.length, 'seeding accounts');
  });
}

/** The festival: a limit uplift for tiers A-C and the electronics quota, both live now. */
async function createPromotions(call: Call, admin: string, runId: string, now: number): Promise<void> {
  const window = {
    startsAt: new Date(now - PROMOTION_STARTED_AGO_MS).toISOString(),
    endsAt: new Date(now + PROMOTION_DAYS * DAY_MS).toISOString(),
  };
  await call('POST', '/v1/promotions', admin, {
    id: `p618-${runId}`,
    name: '618 festival uplift',
    kind: 'uplift',
    upliftPercent: 30,
    eligibleTiers: ['A', 'B', 'C'],
    ...window,
  });
  await call('POST', '/v1/promotions', admin, {
    id: `q618-${runId}`,
    name: '618 electronics quota',
    kind: 'category_quota',
    category: QUOTA_CATEGORY,
    quotaAmount: QUOTA_MINOR,
    ...window,
  });
}

/** Starts the limit refresh and waits for it to stop running. */
async function refreshLimits(call: Call, risk: string, accounts: number, progress: Progress): Promise<void> {
  const job = (await call('POST', '/v1/jobs/limit-refresh', risk, {})).body;
  for (let i = 0; i < REFRESH_POLLS_MAX; i += 1) {
    const state = (await call('GET', `/v1/jobs/${job.id}`, risk)).body;
    progress(state.processed ?? 0, accounts, 'refreshing limits');
    if (state.status !== 'running') break;
    await sleep(REFRESH_POLL_INTERVAL_MS);
  }
}

/** One checkout of the burst, drawn before it starts so the seed alone decides the plan. */
/** The 618 coupon campaign: an interest-free 12-installment coupon for every other account, valid for the sale. */
async function issueCoupons(
  call: Call,
  admin: string,
  accountIds: readonly string[],
  now: number,
): Promise<Map<string, string>> {
  const coupons = new Map<string, string>();
  await inParallel(
    accountIds.filter((_, i) => i % 2 === 0),
    SEED_CONCURRENCY,
    async (accountId) => {
      const reply = await call('POST', '/v1/coupons', admin, {
        accountId,
        kind: 'interest_free',
        counts: [12],
        minAmount: INSTALLMENT_MIN_MINOR,
        validFrom: new Date(now - PROMOTION_STARTED_AGO_MS).toISOString(),
        validUntil: new Date(now + PROMOTION_DAYS * DAY_MS).toISOString(),
      });
      if (reply.status === 201) coupons.set(accountId, reply.body.id as string);
    },
  );
  return coupons;
}

/** The service's default installment minimum (100.00): smaller purchases are captured whole. */
const INSTALLMENT_MIN_MINOR = 10_000;

interface PlannedCheckout {
  accountId: string;
  amount: number;
  /** Sent twice at once, as a double-clicked "pay" button does. */
  duplicate: boolean;
  /** The first answer is "lost": the client retries with the same key. */
  lostResponse: boolean;
  /** Captured (else released) once approved. */
  capture: boolean;
  /** The capture takes half the hold. */
  partial: boolean;
  electronics: boolean;
  /** A full capture split into 12 installments, with the account's coupon if it has one. */
  installments?: { couponId?: string };
}

function planCheckouts(
  count: number,
  accountIds: readonly string[],
  random: () => number,
  coupons: ReadonlyMap<string, string>,
): PlannedCheckout[] {
  return Array.from({ length: count }, () => {
    const c: PlannedCheckout = {
      accountId: accountIds[Math.floor(random() ** 1.5 * accountIds.length)]!, // some accounts are busier than others
      amount: 1_000 + Math.floor(random() ** 3 * 150_000),
      duplicate: random() < 0.05,
      lostResponse: random() < 0.03,
      capture: random() < 0.8,
      partial: random() < 0.25,
      electronics: random() < 0.4,
    };
    // About a third of the full captures big enough for a plan are split; with a coupon where the account has one.
    const plan = c.capture && !c.partial && c.amount >= INSTALLMENT_MIN_MINOR && random() < 0.35;
    const couponId = coupons.get(c.accountId);
    return plan ? { ...c, installments: couponId ? { couponId } : {} } : c;
  });
}

/** What one checkout saw. */
interface CheckoutOutcome {
  first: Reply;
  /** The duplicate's and the retry's answers: each must equal the first. */
  copies: Reply[];
  /** The authorize latency as the shop saw it (the first answer, with its duplicate). */
  ms: number;
  /** Seconds since the burst began, when the authorize answered. */
  second: number;
  settled: 'captured' | 'released' | 'failed' | undefined;
  /** For a capture in installments: whether it redeemed its coupon, lost it to another capture, or had none. */
  coupon?: 'redeemed' | 'lost' | 'none';
}

type BurstResult = Omit<
  SimulationResult,
  | 'accounts'
  | 'checkouts'
  | 'oversold'
  | 'unreconciled'
  | 'promoLimitTotal'
  | 'quotaUsedTotal'
  | 'quotaViolations'
  | 'couponsIssued'
  | 'budget'
>;

async function checkoutBurst(
  call: Call,
  shop: string,
  plan: readonly PlannedCheckout[],
  concurrency: number,
  progress: Progress,
): Promise<BurstResult> {
  const started = Date.now();
  const tally = new BurstTally();
  let done = 0;
  await inParallel(plan, concurrency, async (c) => {
    tally.record(c, await checkout(call, shop, c, started));
    progress(++done, plan.length, 'checkouts');
  });
  return tally.result((Date.now() - started) / 1000);
}

async function checkout(
  call: Call,
  shop: string,
  c: PlannedCheckout,
  started: number,
): Promise<CheckoutOutcome> {
  const key = randomUUID();
  const body = {
    accountId: c.accountId,
    amount: c.amount,
    currency: 'CNY',
    orderId: `o-${key.slice(0, 12)}`,
    ...(c.electronics ? { category: QUOTA_CATEGORY } : {}),
  };
  // A payment flow sends the same request again after a 503 (nothing or all of it was written; the key says which).
  const authorize = () => untilAnswered(() => call('POST', '/v1/authorizations', shop, body, key));
  const t0 = performance.now();
  const sends = [authorize()];
  if (c.duplicate) sends.push(authorize()); // a double-clicked "pay" button
  const [first, ...copies] = await Promise.all(sends);
  const ms = performance.now() - t0;
  if (c.lostResponse) copies.push(await authorize()); // the client never saw `first`; it retries with the same key
  const second = Math.floor((Date.now() - started) / 1000);
  const approved = first!.status === 201 && first!.body.status !== 'pending_review';
  const settled = approved ? await settle(call, shop, c, first!.body.id as string) : { settled: undefined };
  return { first: first!, copies, ms, second, ...settled };
}

/** Sends of one request at most, while the service answers 503 (a write outlasted its deadline). */
const MAX_SENDS_WHILE_UNAVAILABLE = 10;
const UNAVAILABLE_PAUSE_MS = 50;

/** The same request again after a `503 unavailable`, as a payment flow does; the first other answer. */
async function untilAnswered<R extends { status: number }>(send: () => Promise<R>): Promise<R> {
  let reply = await send();
  for (let sent = 1; reply.status === 503 && sent < MAX_SENDS_WHILE_UNAVAILABLE; sent += 1) {
    await new Promise((resolve) => setTimeout(resolve, UNAVAILABLE_PAUSE_MS * sent));
    reply = await send();
  }
  return reply;
}

/**
 * Captures (all, half, or all in 12 installments) or releases an approved hold. A capture whose coupon another
 * checkout of the account redeemed first (409 coupon_unavailable) goes on in installments without it.
 */
async function settle(
  call: Call,
  shop: string,
  c: PlannedCheckout,
  id: string,
): Promise<Pick<CheckoutOutcome, 'settled' | 'coupon'>> {
  const amount = c.capture && c.partial ? Math.max(1, Math.floor(c.amount / 2)) : undefined;
  const action = c.capture ? 'capture' : 'release';
  const path = `/v1/authorizations/${id}/${action}`;
  const send = (body: unknown) => {
    const key = randomUUID();
    return untilAnswered(() => call('POST', path, shop, body, key));
  };
  if (c.installments) {
    const { couponId } = c.installments;
    let reply = await send({ installments: { count: 12, ...(couponId ? { couponId } : {}) } });
    let coupon: CheckoutOutcome['coupon'] = couponId ? 'redeemed' : 'none';
    if (reply.status === 409 && reply.body?.error?.code === 'coupon_unavailable') {
      coupon = 'lost';
      reply = await send({ installments: { count: 12 } });
    }
    return reply.status === 200 ? { settled: 'captured', coupon } : { settled: 'failed' };
  }
  const reply = await send(amount ? { amount } : {});
  if (reply.status !== 200) return { settled: 'failed' };
  return { settled: c.capture ? 'captured' : 'released' };
}

/** The burst's counts, latencies and per-second timeline, as checkouts finish. */
class BurstTally {
  private readonly counts = {
    approved: 0,
    pendingReview: 0,
    declined: {} as Record<string, number>,
    captured: 0,
    released: 0,
    duplicatesSent: 0,
    retriesSent: 0,
    inconsistentReplays: 0,
    installmentCaptures: 0,
    couponsRedeemed: 0,
    couponRaceLosses: 0,
  };
  private readonly latencies: number[] = [];
  private readonly timeline = new Map<number, { latencies: number[]; approved: number; total: number }>();

  record(c: PlannedCheckout, o: CheckoutOutcome): void {
    const counts = this.counts;
    if (c.duplicate) counts.duplicatesSent += 1;
    if (c.lostResponse) counts.retriesSent += 1;
    for (const copy of o.copies)
      if (copy.status !== o.first.status || JSON.stringify(copy.body) !== JSON.stringify(o.first.body))
        counts.inconsistentReplays += 1;
    this.latencies.push(o.ms);
    const bucket = this.timeline.get(o.second) ?? { latencies: [], approved: 0, total: 0 };
    bucket.latencies.push(o.ms);
    bucket.total += 1;
    this.timeline.set(o.second, bucket);
    if (o.first.status !== 201) {
      const code = o.first.body?.error?.code ?? `http_${o.first.status}`;
      counts.declined[code] = (counts.declined[code] ?? 0) + 1;
      return;
    }
    bucket.approved += 1;
    if (o.first.body.status === 'pending_review') counts.pendingReview += 1;
    else counts.approved += 1;
    if (o.settled === 'captured') counts.captured += 1;
    if (o.settled === 'released') counts.released += 1;
    if (o.settled === 'captured' && o.coupon) counts.installmentCaptures += 1;
    if (o.settled === 'captured' && o.coupon === 'redeemed') counts.couponsRedeemed += 1;
    if (o.coupon === 'lost') counts.couponRaceLosses += 1;
  }

  result(durationSeconds: number): BurstResult {
    const latencies = [...this.latencies].sort((a, b) => a - b);
    const timeline = [...this.timeline.entries()]
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
    return {
      ...this.counts,
      authorizeP50Ms: percentile(latencies, 50),
      authorizeP99Ms: percentile(latencies, 99),
      durationSeconds,
      timeline,
    };
  }
}

type BooksResult = Pick<
  SimulationResult,
  'oversold' | 'unreconciled' | 'promoLimitTotal' | 'quotaUsedTotal' | 'quotaViolations'
>;

async function checkBooks(
  call: Call,
  keys: Keys,
  accountIds: readonly string[],
  progress: Progress,
): Promise<BooksResult> {
  const books: BooksResult = {
    oversold: 0,
    unreconciled: 0,
    promoLimitTotal: 0,
    quotaUsedTotal: 0,
    quotaViolations: 0,
  };
  let checked = 0;
  const booksFromMs = Date.now();
  await inParallel(accountIds, BOOKS_CONCURRENCY, async (id) => {
    const account = (await call('GET', `/v1/accounts/${id}`, keys.risk)).body;
    const entries = await settledJournal(call, id, keys.servicing, booksFromMs);
    addAccount(books, account, entries.at(-1)?.balances);
    progress(++checked, accountIds.length, 'checking the books');
  });
  return books;
}

/** Adds one account's findings to the books: its own sums, its journal's last balances, its quota. */
function addAccount(books: BooksResult, account: any, last: any): void {
  books.promoLimitTotal += account.promoLimit;
  if (account.available !== account.totalLimit - account.reserved - account.outstanding)
    books.unreconciled += 1;
  if (
    !last ||
    last.reserved !== account.reserved ||
    last.outstanding !== account.outstanding ||
    last.totalLimit !== account.totalLimit
  )
    books.unreconciled += 1;
  // Limits change only in the refresh before the burst, when nothing is used yet: so usage may never exceed them.
  if (account.reserved + account.outstanding > account.totalLimit) books.oversold += 1;
  // Every account was granted the quota once; draws and give-backs must add up to it exactly.
  const quota = account.categoryQuotas?.[QUOTA_CATEGORY];
  if (quota) {
    books.quotaUsedTotal += quota.used;
    if (quota.used + quota.remaining !== QUOTA_MINOR || quota.used > account.promoLimit)
      books.quotaViolations += 1;
  }
}
