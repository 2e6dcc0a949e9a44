/**
 * A small HTTP client for tests: what a payment flow would send, with helpers that build fixtures through the
 * public API (clients, accounts) rather than by writing items.
 */
import { randomUUID } from 'node:crypto';
import { ADMIN_KEY } from './app.js';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  key?: string | undefined;
  idempotencyKey?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

export class Api {
  constructor(readonly url: string) {}

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(this.url + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  async createClient(scopes: string[], name = 'test client'): Promise<{ id: string; apiKey: string }> {
    const reply = await this.call('POST', '/v1/clients', { key: ADMIN_KEY, body: { name, scopes } });
    if (reply.status !== 201) throw new Error(`createClient: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  async createAccount(creditLimit: number, overrides: Record<string, unknown> = {}): Promise<string> {
    const id = (overrides['id'] as string | undefined) ?? `acc_${randomUUID().slice(0, 12)}`;
    const reply = await this.call('POST', '/v1/accounts', {
      key: ADMIN_KEY,
      body: { id, currency: 'CNY', creditLimit, ...overrides },
    });
    if (reply.status !== 201) throw new Error(`createAccount: ${reply.status} ${JSON.stringify(reply.body)}`);
    return id;
  }

  /** The account, read again after a 503 (a read outlasting its deadline on a busy machine changes nothing). */
  async account(id: string): Promise<any> {
    const reply = await untilAnswered(() => this.call('GET', `/v1/accounts/${id}`, { key: ADMIN_KEY }));
    if (reply.status !== 200) throw new Error(`account: ${reply.status}`);
    return reply.body;
  }

  authorize(
    key: string,
    body: Record<string, unknown>,
    idempotencyKey: string = randomUUID(),
  ): Promise<Reply> {
    return this.call('POST', '/v1/authorizations', {
      key,
      idempotencyKey,
      body: { currency: 'CNY', orderId: `o-${randomUUID().slice(0, 8)}`, ...body },
    });
  }

  post(key: string, path: string, body: unknown = {}, idempotencyKey: string = randomUUID()): Promise<Reply> {
    return this.call('POST', path, { key, idempotencyKey, body });
  }

  /** GET /v1/risk-settings as the admin. */
  async riskSettings(): Promise<any> {
    const reply = await untilAnswered(() => this.call('GET', '/v1/risk-settings', { key: ADMIN_KEY }));
    if (reply.status !== 200) throw new Error(`riskSettings: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  /**
   * PUT /v1/risk-settings: the settings as they are now with `changes` (and a reason), as a risk operator edits
   * them. Answers the reply, whatever its status.
   */
  async changeRiskSettings(
    changes: Record<string, unknown>,
    key: string = ADMIN_KEY,
    reason = 'test',
  ): Promise<Reply> {
    const change = settingsChangeOf(await this.riskSettings());
    return untilAnswered(() =>
      this.call('PUT', '/v1/risk-settings', { key, body: { ...change, reason, ...changes } }),
    );
  }

  /**
   * A reserve as a careful payment flow sends it under contention: the same body and Idempotency-Key again after
   * a `503 unavailable` (contention or a slow DynamoDB outlasted the write deadline: nothing or the whole hold
   * was written, and the retry answers which), until a final answer.
   */
  authorizeUntilAnswered(key: string, body: Record<string, unknown>): Promise<Reply> {
    const request = { currency: 'CNY', orderId: `o-${randomUUID().slice(0, 8)}`, ...body };
    const idempotencyKey = randomUUID();
    return untilAnswered(() => this.authorize(key, request, idempotencyKey));
  }
}

/** Attempts of one request under contention: far more than DynamoDB Local on two busy cores ever needs. */
const MAX_ATTEMPTS_UNDER_CONTENTION = 30;
const RETRY_PAUSE_MS = 50;

/** Sends (the same request) again while the answer is `503 unavailable`; the last answer otherwise. */
export async function untilAnswered(send: () => Promise<Reply>): Promise<Reply> {
  let reply = await send();
  for (let attempt = 1; reply.status === 503 && attempt < MAX_ATTEMPTS_UNDER_CONTENTION; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
    reply = await send();
  }
  return reply;
}

/**
 * What a careful payment client does through faults: the same request (the same key) again after a 5xx or a lost
 * answer (a network failure: the outcome is unknown), with a growing pause, until a final answer.
 */
export async function untilFinal(send: () => Promise<Reply>, maxAttempts: number): Promise<Reply> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    try {
      const reply = await send();
      if (reply.status < 500) return reply;
    } catch {
      /* the outcome is unknown: retry with the same key */
    }
    await new Promise((resolve) => setTimeout(resolve, 5 + attempt * 5));
  }
  throw new Error('request unresolved after client retries');
}

/** The fields of a risk settings resource a PUT takes: the resource without what the service adds to it. */
type AddedBySettings = 'object' | 'changedBy' | 'changedAt' | 'origin' | 'parameter' | 'appliedWithinSeconds';
export function settingsChangeOf<R extends object>(resource: R): Omit<R, AddedBySettings> {
  const {
    object: _o,
    changedBy: _b,
    changedAt: _a,
    origin: _g,
    parameter: _p,
    appliedWithinSeconds: _w,
    ...change
  } = resource as R & Partial<Record<AddedBySettings, unknown>>;
  return change;
}
