/**
 * A fault-injecting HTTP proxy in front of DynamoDB (Local): point DYNAMODB_ENDPOINT at it and it answers some
 * requests itself the way DynamoDB does under stress — TransactionConflict cancellations, throttling, internal
 * errors — or forwards a write and then drops the response after DynamoDB committed it, or forwards a request
 * and holds DynamoDB's answer longer than any function may wait (a stall). DynamoDB Local never does any of
 * these on its own; this is how tests and the simulation prove retries and deadlines keep every invariant.
 *
 * Faults come at random rates, or scripted: the next requests of one operation meet a given list of faults in
 * order (a test that needs "the batch conflicts, then the second account's write fails" says exactly that).
 *
 * Targeted faults make one item fail every time (a poisoned hold), to prove one failure does not stop the rest.
 *
 * Owns: the fault decision per request (seeded, so a failing run replays from its seed), the exact error
 * bodies DynamoDB sends for each fault, transparent forwarding of everything else, and the per-operation
 * counts of what it forwarded and injected. It does not retry or reorder anything: giving up is the client's job,
 * and the client is what the tests are about. It delays only what it stalls (an answer held past any function's
 * timeout) and what a test holds on purpose (`holdNext`: a commit that lands late, after requests sent later, as a
 * slow network or a paused writer makes it in production).
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { finished, pipeline } from 'node:stream/promises';
import * as z from 'zod';

const Probability = z.number().min(0).max(1);
const FaultRatesSchema = z.strictObject({
  /** TransactWriteItems only: cancelled with one item's reason TransactionConflict, nothing written. */
  transactionConflict: Probability,
  /** Any operation: ProvisionedThroughputExceededException, nothing done. */
  throttle: Probability,
  /** Writes only: forwarded and committed, then the connection is cut before the caller hears back. */
  dropResponseAfterCommit: Probability,
  /** Any operation: HTTP 500 InternalServerError, nothing done. */
  internalError: Probability,
  /**
   * Any operation: forwarded (a write commits), then DynamoDB's answer is held for `stallMs` before it is sent;
   * a caller that stops waiting first gets nothing (counted in `abandoned`).
   */
  stall: Probability,
});
export type FaultRates = z.infer<typeof FaultRatesSchema>;
export type FaultKind = keyof FaultRates;
/** One scripted request's fate: a fault, or 'none' (forwarded untouched). */
export type ScriptedFault = FaultKind | 'none';

/**
 * A targeted fault: every request of `operation` whose body contains `bodyIncludes` (an item's key value, a hold
 * id) fails with `fault`, whatever the rates — one item that keeps failing while everything else goes through.
 * Only faults answered without forwarding: a lost answer after commit would still change the item.
 */
const TargetedFaultSchema = z
  .strictObject({
    /** Short operation name, e.g. `TransactWriteItems`. */
    operation: z.string().min(1),
    bodyIncludes: z.string().min(1),
    fault: z.enum(['transactionConflict', 'throttle', 'internalError']),
  })
  .refine((r) => r.fault !== 'transactionConflict' || r.operation === 'TransactWriteItems', {
    error: 'only TransactWriteItems can be cancelled by a TransactionConflict',
  });
export type TargetedFault = z.infer<typeof TargetedFaultSchema>;
const TargetedFaultsSchema = z.array(TargetedFaultSchema);

const PartialFaultRatesSchema = FaultRatesSchema.partial();
const StartOptionsSchema = z.object({
  target: z.url({ protocol: /^http$/ }),
  seed: z.number().int().optional(),
  faults: PartialFaultRatesSchema.optional(),
  stallMs: z.number().int().min(0).max(600_000).optional(),
  targeted: TargetedFaultsSchema.optional(),
});

export interface OperationStats {
  /** Requests received. */
  requests: number;
  /** Requests that reached the target (including writes whose response was then dropped). */
  forwarded: number;
  injected: Record<FaultKind, number>;
}

export interface FaultStats extends OperationStats {
  /** Requests the proxy itself could not complete (target unreachable, body over the limit). */
  proxyErrors: number;
  /** Stalled requests whose caller closed the connection before the held answer was sent. */
  abandoned: number;
  /** Requests received per short operation name (e.g. `PutItem`). */
  byOperation: Record<string, number>;
  /** The same counts per X-Amz-Target (e.g. `DynamoDB_20120810.TransactWriteItems`). */
  operations: Record<string, OperationStats>;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  /** The seed in use (the default when none was given), to log with a failure so the run can be replayed. */
  seed: number;
  /** Changes some rates from the next request on; validated, and left unchanged if invalid. */
  setFaults(rates: Partial<FaultRates>): void;
  /**
   * Holds the next request of `operation` (e.g. `TransactWriteItems`) that would be forwarded, before it reaches
   * the target, until `release()`. `caught` resolves once it is held. One hold at a time; close() releases it.
   */
  holdNext(operation: string): HeldRequest;
  /**
   * The next requests of `operation` (short name, e.g. `TransactWriteItems`) meet these faults in order, instead
   * of the rates; then the rates apply again. Replaces that operation's script (`[]` clears it). Throws, changing
   * nothing, for a fault the operation cannot meet (a conflict outside a transaction, a lost answer to a read).
   */
  script(operation: string, faults: readonly ScriptedFault[]): void;
  /** Replaces the targeted faults from the next request on (`[]` lifts them); validated, unchanged if invalid. */
  setTargetedFaults(rules: TargetedFault[]): void;
  stats(): FaultStats;
  close(): Promise<void>;
}

export interface HeldRequest {
  /** Resolves when a matching request arrives and is held. */
  caught: Promise<void>;
  /** Lets the held request (or the next match, if none arrived yet) through. */
  release(): void;
}

interface PendingHold {
  operation: string;
  onCaught: () => void;
  released: Promise<void>;
  release: () => void;
}

function pendingHold(operation: string): PendingHold & { caught: Promise<void> } {
  let onCaught!: () => void;
  let release!: () => void;
  const caught = new Promise<void>((resolve) => (onCaught = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { operation, onCaught, caught, released, release };
}

const NO_FAULTS: FaultRates = {
  transactionConflict: 0,
  throttle: 0,
  dropResponseAfterCommit: 0,
  internalError: 0,
  stall: 0,
};
/** A run without a seed is still reproducible: it always uses this one. */
const DEFAULT_SEED = 1;
/**
 * How long a stalled answer is held by default: longer than any API function's timeout (6 s,
 * shared/function-timeouts.ts), so only a caller with its own deadline gets an answer in time.
 */
const DEFAULT_STALL_MS = 10_000;
/** Stall draws come from their own stream: adding the stall left every older seed's fault sequence as it was. */
const STALL_STREAM = 0x5eed;
/** DynamoDB requests are at most 16 MiB (BatchWrite); refuse anything larger rather than buffer it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Operations that change data: the only ones where "committed but the answer was lost" means anything. */
const WRITES = new Set(['TransactWriteItems', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), so never passed through. */
const NOT_FORWARDED = new Set([
  'expect', // the body is already buffered here: nothing for the target to say "continue" to
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
/** Sockets to the target: the service under test opens up to 256 of its own (shared/storage/dynamo-client.ts). */
const MAX_TARGET_SOCKETS = 256;
const DYNAMODB_ERROR = 'com.amazonaws.dynamodb.v20120810#';

/** mulberry32: a tiny, well-known seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The random numbers one request consumes. Always all six, whatever the operation and rates, so request n
 * meets the same draws for a given seed even when rates change mid-run or earlier requests took other paths.
 */
interface Draws {
  transactionConflict: number;
  throttle: number;
  internalError: number;
  dropResponseAfterCommit: number;
  /** Which TransactItems entry a conflict lands on. */
  conflictedItem: number;
  stall: number;
}

/** The first targeted fault that matches the request, if any. */
function targetedFault(
  operation: string,
  body: Buffer,
  rules: readonly TargetedFault[],
): TargetedFault | undefined {
  return rules.find((r) => r.operation === operation && body.includes(r.bodyIncludes));
}

/**
 * Precedence: faults that answer without forwarding first; then a stall (forwarded, answer held); a write's
 * lost answer only if it got through.
 */
function chooseFault(operation: string, draws: Draws, rates: FaultRates): FaultKind | undefined {
  if (operation === 'TransactWriteItems' && draws.transactionConflict < rates.transactionConflict)
    return 'transactionConflict';
  if (draws.throttle < rates.throttle) return 'throttle';
  if (draws.internalError < rates.internalError) return 'internalError';
  if (draws.stall < rates.stall) return 'stall';
  if (WRITES.has(operation) && draws.dropResponseAfterCommit < rates.dropResponseAfterCommit)
    return 'dropResponseAfterCommit';
  return undefined;
}

/** Resolves true when `res`'s connection closes first, false once `ms` have passed or `cancelled` fires. */
function heldUntilAbandoned(res: ServerResponse, ms: number, cancelled: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (abandoned: boolean) => {
      clearTimeout(timer);
      res.off('close', onClose);
      cancelled.removeEventListener('abort', onCancel);
      resolve(abandoned);
    };
    const onClose = () => done(true);
    const onCancel = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    res.once('close', onClose);
    cancelled.addEventListener('abort', onCancel, { once: true });
  });
}

/** Whether `operation` can meet `fault` at all: chooseFault's own rules, for scripts. */
function applies(operation: string, fault: ScriptedFault): boolean {
  if (fault === 'transactionConflict') return operation === 'TransactWriteItems';
  if (fault === 'dropResponseAfterCommit') return WRITES.has(operation);
  return true;
}

/**
 * The body DynamoDB sends when a transaction is cancelled: `Message` and the reasons' `Code`/`Message` are
 * capitalised (the SDK reads the modelled members by exact name; a lower-case `message` would leave
 * `error.Message` undefined), and there is one reason per TransactItems entry, in order. The conflict lands on
 * the first entry containing `target` (a targeted fault), else on the entry the draw picks.
 */
function conflictBody(requestBody: Buffer, draw: number, target?: string): string {
  let entries: string[] = [''];
  try {
    const parsed = JSON.parse(requestBody.toString('utf8')) as { TransactItems?: unknown };
    if (Array.isArray(parsed.TransactItems) && parsed.TransactItems.length > 0)
      entries = parsed.TransactItems.map((e) => JSON.stringify(e));
  } catch {
    /* a malformed request still gets a well-formed conflict */
  }
  const items = entries.length;
  const targeted = target === undefined ? -1 : entries.findIndex((e) => e.includes(target));
  const conflicted = targeted >= 0 ? targeted : Math.floor(draw * items);
  const reasons = Array.from({ length: items }, (_, i) =>
    i === conflicted
      ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
      : { Code: 'None' },
  );
  return JSON.stringify({
    __type: `${DYNAMODB_ERROR}TransactionCanceledException`,
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  });
}

/** Throttling and internal errors carry a lower-case `message`, as DynamoDB sends (and the SDK models) them. */
const THROTTLE_BODY = JSON.stringify({
  __type: `${DYNAMODB_ERROR}ProvisionedThroughputExceededException`,
  message: 'The level of configured provisioned throughput for the table was exceeded.',
});
const INTERNAL_ERROR_BODY = JSON.stringify({
  __type: `${DYNAMODB_ERROR}InternalServerError`,
  message: 'Internal server error',
});

/** Reads the whole request body, or answers undefined once it passes the limit (the rest is drained unbuffered). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let size = 0;
    let chunks: Buffer[] | undefined = declared > MAX_BODY_BYTES ? undefined : [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) chunks = undefined;
      chunks?.push(chunk);
    });
    req.on('end', () => resolve(chunks ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
  }
  return out;
}

/** Applies some rates over the current ones; throws (leaving nothing half-applied) if any is not in [0, 1]. */
function mergeRates(current: FaultRates, changes: Partial<FaultRates> | undefined): FaultRates {
  const given = Object.entries(PartialFaultRatesSchema.parse(changes ?? {})).filter(
    ([, rate]) => rate !== undefined,
  );
  return FaultRatesSchema.parse({ ...current, ...Object.fromEntries(given) });
}

function emptyOperationStats(): OperationStats {
  return { requests: 0, forwarded: 0, injected: { ...NO_FAULTS } };
}

/** Counts one event in the totals and in the operation's own line. */
class FaultCounter {
  private readonly totals: FaultStats = {
    ...emptyOperationStats(),
    proxyErrors: 0,
    abandoned: 0,
    byOperation: {},
    operations: {},
  };

  received(target: string, operation: string): void {
    this.totals.requests += 1;
    this.line(target).requests += 1;
    this.totals.byOperation[operation] = (this.totals.byOperation[operation] ?? 0) + 1;
  }

  forwarded(target: string): void {
    this.totals.forwarded += 1;
    this.line(target).forwarded += 1;
  }

  injected(target: string, fault: FaultKind): void {
    this.totals.injected[fault] += 1;
    this.line(target).injected[fault] += 1;
  }

  proxyError(): void {
    this.totals.proxyErrors += 1;
  }

  abandoned(): void {
    this.totals.abandoned += 1;
  }

  snapshot(): FaultStats {
    return structuredClone(this.totals);
  }

  private line(target: string): OperationStats {
    const existing = this.totals.operations[target];
    if (existing) return existing;
    const created = emptyOperationStats();
    this.totals.operations[target] = created;
    return created;
  }
}

/** Faults the proxy answers itself: nothing reaches DynamoDB. */
type AnsweredFault = 'transactionConflict' | 'throttle' | 'internalError';
/** Faults applied to a forwarded request's answer: the request itself (a write) reaches DynamoDB. */
type ForwardedFault = Exclude<FaultKind, AnsweredFault>;

/** What happens to one request: an error answered by the proxy, or forwarding, with a fault on the answer or not. */
type Decision =
  | { kind: 'answer'; fault: AnsweredFault; status: number; body: string }
  | { kind: 'forward'; fault: ForwardedFault | undefined };

interface DecisionInput {
  operation: string;
  body: Buffer;
  draws: Draws;
  /** The operation's next scripted fault, when it has a script. */
  scripted: ScriptedFault | undefined;
  targeted: readonly TargetedFault[];
  rates: FaultRates;
}

/** The fault one request meets (pure): a scripted request, then a targeted fault, take precedence over the rates. */
function decide({ operation, body, draws, scripted, targeted, rates }: DecisionInput): Decision {
  const rule = scripted === undefined ? targetedFault(operation, body, targeted) : undefined;
  const fault =
    scripted !== undefined
      ? scripted === 'none'
        ? undefined
        : scripted
      : (rule?.fault ?? chooseFault(operation, draws, rates));
  if (fault === 'transactionConflict') {
    const conflict = conflictBody(body, draws.conflictedItem, rule?.bodyIncludes);
    return { kind: 'answer', fault, status: 400, body: conflict };
  }
  if (fault === 'throttle') return { kind: 'answer', fault, status: 400, body: THROTTLE_BODY };
  if (fault === 'internalError') return { kind: 'answer', fault, status: 500, body: INTERNAL_ERROR_BODY };
  return { kind: 'forward', fault };
}

/** The short operation name of an X-Amz-Target, e.g. `PutItem` for `DynamoDB_20120810.PutItem`. */
function operationOf(amzTarget: string): string {
  return amzTarget.split('.').pop() ?? amzTarget;
}

/** What decides the faults: the seeded draws, the rates, the scripts and the targeted faults, all changeable. */
class FaultPlan {
  private readonly random: () => number;
  private readonly stallRandom: () => number;
  private readonly scripts = new Map<string, ScriptedFault[]>();

  constructor(
    seed: number,
    private rates: FaultRates,
    private targeted: readonly TargetedFault[],
  ) {
    this.random = mulberry32(seed);
    this.stallRandom = mulberry32(seed ^ STALL_STREAM);
  }

  setFaults(changes: Partial<FaultRates>): void {
    this.rates = mergeRates(this.rates, changes);
  }

  script(operation: string, faults: readonly ScriptedFault[]): void {
    const wrong = faults.filter((f) => !(f === 'none' || f in NO_FAULTS) || !applies(operation, f));
    if (wrong.length) throw new Error(`fault proxy: ${operation} cannot meet ${wrong.join(', ')}`);
    this.scripts.set(operation, [...faults]);
  }

  setTargetedFaults(rules: TargetedFault[]): void {
    this.targeted = TargetedFaultsSchema.parse(rules);
  }

  /**
   * The next request's fate. Its draws are consumed whatever decides it (a script, a targeted fault), so the
   * random sequence after them stays the seed's own.
   */
  next(operation: string, body: Buffer): Decision {
    const draws: Draws = {
      transactionConflict: this.random(),
      throttle: this.random(),
      internalError: this.random(),
      dropResponseAfterCommit: this.random(),
      conflictedItem: this.random(),
      stall: this.stallRandom(),
    };
    const scripted = this.scripts.get(operation)?.shift();
    return decide({ operation, body, draws, scripted, targeted: this.targeted, rates: this.rates });
  }
}

/** holdNext's gate: armed by a test, taken by the first matching request, which waits there for release. */
class HoldGate {
  private armed: PendingHold | undefined;
  /** The request taken and waiting for release. */
  private held: PendingHold | undefined;

  arm(operation: string): HeldRequest {
    if (this.armed || this.held) throw new Error('fault proxy: one hold at a time');
    const hold = pendingHold(operation);
    this.armed = hold;
    return {
      caught: hold.caught,
      release: () => {
        if (this.armed === hold) this.armed = undefined;
        if (this.held === hold) this.held = undefined;
        hold.release();
      },
    };
  }

  /** Resolves at once unless a hold is armed for `operation`; then when the test releases it. */
  async pass(operation: string): Promise<void> {
    if (this.armed?.operation !== operation) return;
    const hold = this.armed;
    this.armed = undefined;
    this.held = hold;
    hold.onCaught();
    await hold.released;
  }

  releaseAll(): void {
    this.armed?.release();
    this.held?.release();
  }
}

function answer(res: ServerResponse, status: number, body: string, extra: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** Sends the request on as received (the Host header too: it is part of what the SDK signed). */
function sendToTarget(
  target: URL,
  agent: Agent,
  req: IncomingMessage,
  body: Buffer,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEndHeaders(req.headers), 'content-length': body.length },
        agent,
      },
      resolve,
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** The target's whole answer, read before anything is done with it. */
async function readAll(upstream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of upstream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves the requests: decides each one's fault, answers it or forwards it, and counts what it did. */
class FaultInjector {
  readonly counter = new FaultCounter();
  readonly holds = new HoldGate();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_TARGET_SOCKETS });
  /** Fires on close: held requests and answers are let go at once. */
  private readonly closing = new AbortController();

  constructor(
    readonly plan: FaultPlan,
    private readonly target: URL,
    private readonly stallMs: number,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const amzTarget = String(req.headers['x-amz-target'] ?? '(none)');
    const operation = operationOf(amzTarget);
    this.counter.received(amzTarget, operation);
    if (!body) {
      this.counter.proxyError();
      const tooLarge = JSON.stringify({ message: `fault proxy: request body over ${MAX_BODY_BYTES} bytes` });
      answer(res, 413, tooLarge, { connection: 'close' });
      return;
    }
    const decision = this.plan.next(operation, body);
    if (decision.kind === 'answer') {
      this.counter.injected(amzTarget, decision.fault);
      answer(res, decision.status, decision.body);
      return;
    }
    await this.holds.pass(operation);
    if (this.closing.signal.aborted) throw new Error('closing');
    const upstream = await sendToTarget(this.target, this.agent, req, body);
    this.counter.forwarded(amzTarget);
    if (decision.fault === 'dropResponseAfterCommit') {
      // Read the target's whole answer first (and discard it): only then is the write known to have committed.
      await finished(upstream.resume());
      this.counter.injected(amzTarget, decision.fault);
      req.socket.destroy();
      return;
    }
    if (decision.fault === 'stall') {
      await this.stall(amzTarget, upstream, res);
      return;
    }
    res.writeHead(upstream.statusCode ?? 502, endToEndHeaders(upstream.headers));
    await pipeline(upstream, res);
  }

  /** The whole answer first, as for a lost one: a stalled write has committed, only its answer is late. */
  private async stall(amzTarget: string, upstream: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(upstream);
    this.counter.injected(amzTarget, 'stall');
    if (await heldUntilAbandoned(res, this.stallMs, this.closing.signal)) {
      this.counter.abandoned();
      return;
    }
    if (res.destroyed) return;
    res.writeHead(upstream.statusCode ?? 502, endToEndHeaders(upstream.headers));
    res.end(body);
  }

  /** A request `handle` could not complete. */
  failed(res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy(); // mid-stream: a cut connection is the honest answer
      return;
    }
    this.counter.proxyError();
    // 502 (not a DynamoDB error type): a proxy that cannot reach its target must not pass for an injected fault.
    const message = `fault proxy: ${error instanceof Error ? error.message : String(error)}`;
    answer(res, 502, JSON.stringify({ message }));
  }

  /** Refuses to forward anything more and lets every held request and answer go. */
  stop(): void {
    this.closing.abort();
    this.holds.releaseAll();
    this.agent.destroy();
  }
}

/** Listens on a free loopback port; resolves with it. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function startFaultProxy(options: {
  target: string;
  seed?: number;
  faults?: Partial<FaultRates>;
  /** How long a stalled answer is held (default DEFAULT_STALL_MS). */
  stallMs?: number;
  targeted?: TargetedFault[];
}): Promise<FaultProxy> {
  const parsed = StartOptionsSchema.parse(options);
  const seed = parsed.seed ?? DEFAULT_SEED;
  const plan = new FaultPlan(seed, mergeRates(NO_FAULTS, parsed.faults), parsed.targeted ?? []);
  const injector = new FaultInjector(plan, new URL(parsed.target), parsed.stallMs ?? DEFAULT_STALL_MS);
  const server = createServer((req, res) => {
    injector.handle(req, res).catch((error: unknown) => injector.failed(res, error));
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    seed,
    setFaults: (next) => plan.setFaults(next),
    script: (operation, faults) => plan.script(operation, faults),
    setTargetedFaults: (rules) => plan.setTargetedFaults(rules),
    stats: () => injector.counter.snapshot(),
    holdNext: (operation) => injector.holds.arm(operation),
    close: async () => {
      injector.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
