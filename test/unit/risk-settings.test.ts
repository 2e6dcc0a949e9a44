/**
 * The risk settings: the document's schema and bounds, the rules holds and increments are decided by, and how an
 * execution environment reads the document (cached; on any failure the last good settings, else the deployed
 * defaults; never a failed checkout). The source is driven through a stand-in store with a clock of the test's;
 * the local store (a Powertools provider) on a temporary folder.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Authorization, decideIncrement, newHold } from '../../shared/authorizations/model.js';
import { ApiError } from '../../shared/http/errors.js';
import {
  LocalParameterProvider,
  type ParameterReader,
  type ParameterWriter,
  SsmParameterReader,
} from '../../shared/settings/parameter-store.js';
import { ssmEndpoint } from '../../shared/settings/ssm-reader.js';
import { newSsmClient, SsmParameterWriter } from '../../shared/settings/ssm-writer.js';
import {
  defaultRiskSettings,
  MAX_CATEGORY_THRESHOLDS,
  MAX_CHANGED_BY_CHARS,
  MAX_DOCUMENT_BYTES,
  MAX_REASON_CHARS,
  type RiskSettings,
  type RiskSettingsChange,
  RiskSettingsChange as ChangeSchema,
  RiskSettingsDocument,
  rulesOf,
} from '../../shared/settings/risk-settings.js';
import { RiskSettingsSource } from '../../shared/settings/source.js';

const NAME = '/Test/risk-settings';
const DEFAULTS = defaultRiskSettings({
  reviewThreshold: 5_000_000,
  velocityMax: 20,
  velocityWindowSeconds: 60,
});
const { changedBy: _by, changedAt: _at, ...defaultChange } = DEFAULTS;
const CHANGE: RiskSettingsChange = { ...defaultChange, reason: 'singles day' };
const stored = (overrides: Partial<RiskSettings> = {}): RiskSettings => ({
  ...DEFAULTS,
  changedBy: 'cli_risk',
  reason: 'singles day',
  changedAt: '2026-11-10T16:00:00.000Z',
  ...overrides,
});

describe('the risk settings document', () => {
  it('is valid as deployed: the defaults, every switch off', () => {
    expect(RiskSettingsDocument.parse(DEFAULTS)).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({
      schemaVersion: 1,
      categoryReviewThresholds: {},
      newHoldsPaused: false,
      refreshPaused: false,
      changedBy: 'deployment',
    });
  });

  it('is changed whole: a field left out is refused, never reset to its default', () => {
    for (const field of Object.keys(CHANGE)) {
      const { [field]: _left, ...rest } = CHANGE as unknown as Record<string, unknown>;
      expect([field, ChangeSchema.safeParse(rest).success]).toEqual([field, false]);
    }
    expect(ChangeSchema.safeParse(CHANGE).success).toBe(true);
  });

  it.each([
    ['an unknown field (a typo of a switch)', { newHoldPaused: true }],
    ['another schema version', { schemaVersion: 2 }],
    ['a review threshold of 0', { reviewThreshold: 0 }],
    ['a fractional threshold', { reviewThreshold: 10.5 }],
    ['a velocity window over a day', { velocityWindowSeconds: 86_401 }],
    ['a velocity max over the velocity log', { velocityMax: 33 }],
    ['a switch that is not a boolean', { newHoldsPaused: 'yes' }],
    ['a blank reason', { reason: '   ' }],
    ['a category that is not one', { categoryReviewThresholds: { 'Not A Category': 100 } }],
  ])('refuses %s', (_name, overrides) => {
    expect(ChangeSchema.safeParse({ ...CHANGE, ...overrides }).success).toBe(false);
    expect(RiskSettingsDocument.safeParse({ ...stored(), ...overrides }).success).toBe(false);
  });

  it('requires who changed it', () => {
    const { changedBy: _none, ...anonymous } = stored();
    expect(RiskSettingsDocument.safeParse(anonymous).success).toBe(false);
  });

  it('fits an SSM Standard parameter at its largest', () => {
    const categories = Object.fromEntries(
      Array.from({ length: MAX_CATEGORY_THRESHOLDS }, (_, i) => [
        `${String(i).padStart(2, '0')}${'c'.repeat(62)}`,
        1_000_000_000_000,
      ]),
    );
    const largest = RiskSettingsDocument.parse({
      ...stored(),
      reviewThreshold: 1_000_000_000_000,
      velocityMax: 32,
      velocityWindowSeconds: 86_400,
      categoryReviewThresholds: categories,
      reason: '理'.repeat(MAX_REASON_CHARS),
      changedBy: '名'.repeat(MAX_CHANGED_BY_CHARS),
    });
    expect(Buffer.byteLength(JSON.stringify(largest), 'utf8')).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    expect(
      ChangeSchema.safeParse({ ...CHANGE, categoryReviewThresholds: { ...categories, one_more: 1 } }).success,
    ).toBe(false);
  });
});

describe('the rules new credit is decided by', () => {
  const NOW_MS = Date.parse('2026-11-11T00:00:00.000Z');
  const rules = {
    ...rulesOf(stored({ reviewThreshold: 10_000, categoryReviewThresholds: { phones: 2_000 } })),
    holdTtlSeconds: 3_600,
  };
  const hold = (amount: number, category?: string): Authorization =>
    newHold(
      {
        id: 'auth_1',
        clientId: 'cli_1',
        request: { accountId: 'acc_1', amount, currency: 'CNY', orderId: 'o-1', category },
        quota: undefined,
        nowMs: NOW_MS,
      },
      rules,
    );

  it("sends a hold to review at its category's threshold, else at the general one", () => {
    expect(hold(1_999, 'phones').status).toBe('authorized');
    expect(hold(2_000, 'phones').status).toBe('pending_review');
    expect(hold(2_000, 'books').status).toBe('authorized');
    expect(hold(9_999).status).toBe('authorized');
    expect(hold(10_000).status).toBe('pending_review');
  });

  it("declines an increment that would reach its category's threshold", () => {
    expect(decideIncrement(hold(1_500, 'phones'), { amount: 499 }, NOW_MS, rules)).toMatchObject({
      ok: true,
    });
    expect(decideIncrement(hold(1_500, 'phones'), { amount: 500 }, NOW_MS, rules)).toEqual({
      ok: false,
      code: 'risk_declined',
    });
    expect(decideIncrement(hold(1_500, 'books'), { amount: 500 }, NOW_MS, rules)).toMatchObject({ ok: true });
  });

  it('declines every increment holds_paused while new holds are paused, after the checks of the hold itself', () => {
    const paused = { ...rules, newHoldsPaused: true };
    expect(decideIncrement(hold(100), { amount: 1 }, NOW_MS, paused)).toEqual({
      ok: false,
      code: 'holds_paused',
    });
    expect(decideIncrement(hold(100), { amount: 1 }, NOW_MS + 7_200_000, paused)).toEqual({
      ok: false,
      code: 'authorization_expired',
    });
  });
});

/** A store that answers what the test says (the same object while unchanged, as Powertools' cache does). */
class StandInStore implements ParameterReader, ParameterWriter {
  value: unknown;
  failure: Error | undefined;
  reads = 0;
  writes: string[] = [];
  async getJson(): Promise<unknown> {
    this.reads += 1;
    if (this.failure) throw this.failure;
    return this.value;
  }
  async put(_name: string, value: string): Promise<void> {
    this.writes.push(value);
    this.value = JSON.parse(value);
  }
}

function sourceOver(store: StandInStore) {
  const clock = { nowMs: 1_000_000 };
  const logged: Array<{ level: string; message: string; details: Record<string, unknown> }> = [];
  const log = {
    error: (message: string, details: Record<string, unknown>) =>
      logged.push({ level: 'error', message, details }),
    info: (message: string, details: Record<string, unknown>) =>
      logged.push({ level: 'info', message, details }),
  } as never;
  const source = new RiskSettingsSource({
    store,
    name: NAME,
    defaults: DEFAULTS,
    maxAgeSeconds: 15,
    retryAfterFailureMs: 5_000,
    nowMs: () => clock.nowMs,
    log,
  });
  const errors = () => logged.filter((l) => l.level === 'error');
  return { source, clock, logged, errors };
}

describe('RiskSettingsSource', () => {
  it('applies the stored document, and logs who changed it when it starts applying it', async () => {
    const store = new StandInStore();
    store.value = stored({ velocityMax: 5 });
    const { source, logged } = sourceOver(store);
    expect(await source.current()).toMatchObject({ velocityMax: 5, changedBy: 'cli_risk' });
    expect(await source.current()).toMatchObject({ velocityMax: 5 });
    expect(logged.filter((l) => l.message === 'risk settings applied')).toHaveLength(1);
  });

  it('falls back to the deployed defaults when the first read at cold start fails, and picks the document up later', async () => {
    const store = new StandInStore();
    store.value = stored({ newHoldsPaused: true });
    store.failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { source, clock, errors } = sourceOver(store);
    expect(await source.current()).toEqual(DEFAULTS);
    expect(errors()[0]?.details).toMatchObject({ parameter: NAME, keeping: 'defaults' });
    store.failure = undefined;
    expect((await source.current()).newHoldsPaused).toBe(false); // not asked again yet
    clock.nowMs += 5_000;
    expect((await source.current()).newHoldsPaused).toBe(true);
  });

  it('keeps the last good settings when the store fails, and leaves the store alone for a while', async () => {
    const store = new StandInStore();
    store.value = stored({ reviewThreshold: 77_000 });
    const { source, clock, errors } = sourceOver(store);
    await source.current();
    store.failure = new Error('connect ETIMEDOUT');
    const readsBefore = store.reads;
    for (let i = 0; i < 100; i += 1) expect((await source.current()).reviewThreshold).toBe(77_000);
    expect(store.reads - readsBefore).toBe(1);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.details).toMatchObject({ keeping: 'parameter', changedBy: 'cli_risk' });
    clock.nowMs += 5_000;
    await source.current();
    expect(store.reads - readsBefore).toBe(2);
  });

  it('ignores an invalid document (logged once, with the issues) and keeps the last good settings', async () => {
    const store = new StandInStore();
    store.value = stored({ reviewThreshold: 77_000 });
    const { source, clock, errors } = sourceOver(store);
    await source.current();
    store.value = { ...stored(), reviewThreshold: -1, newHoldsPaused: 'yes' };
    for (let i = 0; i < 3; i += 1) {
      clock.nowMs += 5_000;
      expect(await source.current()).toMatchObject({ reviewThreshold: 77_000, newHoldsPaused: false });
    }
    expect(errors()).toHaveLength(1);
    expect(errors()[0]?.message).toMatch(/not a valid document/);
    expect(errors()[0]?.details['issues']).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: ['reviewThreshold'] })]),
    );
    // A valid document again: applied.
    store.value = stored({ reviewThreshold: 88_000 });
    expect((await source.current()).reviewThreshold).toBe(88_000);
  });

  it('keeps the last good settings when the parameter does not exist', async () => {
    const store = new StandInStore();
    const { source, errors } = sourceOver(store);
    expect(await source.current()).toEqual(DEFAULTS);
    expect(errors()[0]?.message).toMatch(/does not exist/);
  });

  it('reads afresh for fresh(), and says where the settings came from', async () => {
    const store = new StandInStore();
    const { source } = sourceOver(store);
    expect(await source.fresh()).toEqual({ settings: DEFAULTS, origin: 'defaults' });
    store.value = stored({ refreshPaused: true });
    expect(await source.fresh()).toMatchObject({ settings: { refreshPaused: true }, origin: 'parameter' });
  });

  it('saves a change whole, with who made it and when, as one JSON value', async () => {
    const store = new StandInStore();
    const { source } = sourceOver(store);
    const now = new Date('2026-11-10T16:00:00.000Z');
    const saved = await source.save(
      { ...CHANGE, reason: '  fraud wave  ', newHoldsPaused: true },
      'cli_9',
      store,
      now,
    );
    expect(saved).toEqual({
      ...CHANGE,
      reason: 'fraud wave',
      newHoldsPaused: true,
      changedBy: 'cli_9',
      changedAt: now.toISOString(),
    });
    expect(store.writes.map((w) => JSON.parse(w))).toEqual([saved]);
    expect((await source.current()).newHoldsPaused).toBe(true);
  });
});

describe('the local parameter store (a Powertools provider)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parameters-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps a parameter under its name, every version in a history file, and reads it back as JSON', async () => {
    const store = new LocalParameterProvider(dir);
    expect(await store.getJson(NAME, { maxAgeSeconds: 0 })).toBeUndefined();
    await store.put(NAME, JSON.stringify(stored({ velocityMax: 1 })));
    await store.put(NAME, JSON.stringify(stored({ velocityMax: 2 })));
    expect(await store.getJson(NAME, { maxAgeSeconds: 0 })).toMatchObject({ velocityMax: 2 });
    const file = join(dir, 'Test', 'risk-settings.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ velocityMax: 2 });
    const history = (await readFile(`${file}.history.jsonl`, 'utf8')).trim().split('\n');
    expect(history.map((line) => JSON.parse(JSON.parse(line).value).velocityMax)).toEqual([1, 2]);
  });

  it('serves its cache for maxAge (one read), reads again on forceFetch, and reports each access as IAM would authorize it', async () => {
    const store = new LocalParameterProvider(undefined);
    const accesses: string[] = [];
    store.onAccess((a) => accesses.push(`${a.action} ${a.name}`));
    await store.put(NAME, JSON.stringify(stored({ velocityMax: 1 })));
    const first = await store.getJson(NAME, { maxAgeSeconds: 300 });
    await store.put(NAME, JSON.stringify(stored({ velocityMax: 2 })));
    expect(await store.getJson(NAME, { maxAgeSeconds: 300 })).toBe(first);
    expect(await store.getJson(NAME, { maxAgeSeconds: 300, forceFetch: true })).toMatchObject({
      velocityMax: 2,
    });
    expect(accesses).toEqual([
      `ssm:PutParameter ${NAME}`,
      `ssm:GetParameter ${NAME}`,
      `ssm:PutParameter ${NAME}`,
      `ssm:GetParameter ${NAME}`,
    ]);
  });

  it('throws on a value that is not JSON (the source keeps its last good settings)', async () => {
    const store = new LocalParameterProvider(undefined);
    await store.put(NAME, '{"reviewThreshold": ');
    await expect(store.getJson(NAME, { maxAgeSeconds: 0 })).rejects.toThrow();
  });
});

describe('the SSM reader: GetParameter, signed, against a stand-in SSM', () => {
  const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', sessionToken: 'token' };
  type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  let answer: (body: any) => { status: number; body: unknown } = () => ({ status: 500, body: {} });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
        const reply = answer(JSON.parse(body));
        response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const reader = () => new SsmParameterReader({ region: 'ap-east-1', endpoint, credentials: CREDENTIALS });

  /** SHA-256 for the test's own signer, written apart from the service's. */
  class TestSha256 {
    readonly #parts: Uint8Array[] = [];
    constructor(private readonly key?: unknown) {}
    update(data: Uint8Array | string): void {
      this.#parts.push(typeof data === 'string' ? Buffer.from(data) : data);
    }
    async digest(): Promise<Uint8Array> {
      const hash =
        this.key === undefined ? createHash('sha256') : createHmac('sha256', this.key as Uint8Array);
      for (const part of this.#parts) hash.update(part);
      return new Uint8Array(hash.digest());
    }
    reset(): void {
      this.#parts.length = 0;
    }
  }

  /** The request as the stand-in received it, signed again with the same key and instant: the same signature. */
  async function resigned(request: Seen): Promise<string | undefined> {
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))?.[1] ?? '';
    const headers = Object.fromEntries(
      signedHeaders.split(';').map((name) => [name, String(request.headers[name])]),
    );
    const date = String(request.headers['x-amz-date']);
    const signingDate = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/core/protocols');
    const signer = new SignatureV4({
      service: 'ssm',
      region: 'ap-east-1',
      credentials: CREDENTIALS,
      sha256: TestSha256,
    });
    const again = new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.path,
      headers,
      body: request.body,
    });
    const signed = await signer.sign(again, { signingDate });
    return signed.headers['authorization'];
  }

  it('asks for the parameter without decryption, in a request SigV4-signed for ssm in its Region, and caches it for maxAge', async () => {
    answer = () => ({
      status: 200,
      body: { Parameter: { Name: NAME, Value: JSON.stringify(stored({ velocityMax: 7 })) } },
    });
    const store = reader();
    expect(await store.getJson(NAME, { maxAgeSeconds: 15 })).toMatchObject({ velocityMax: 7 });
    expect(await store.getJson(NAME, { maxAgeSeconds: 15 })).toMatchObject({ velocityMax: 7 });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', path: '/' });
    expect(JSON.parse(request!.body)).toEqual({ Name: NAME, WithDecryption: false });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.GetParameter',
      'x-amz-security-token': 'token',
    });
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/ap-east-1\/ssm\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-target/,
    );
    expect(await resigned(request!)).toBe(request!.headers.authorization);
    expect(await store.getJson(NAME, { maxAgeSeconds: 15, forceFetch: true })).toMatchObject({
      velocityMax: 7,
    });
    expect(seen).toHaveLength(2);
  });

  it.each([
    ['throttled', 400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, 'ThrottlingException'],
    ['missing', 400, { __type: 'com.amazonaws.ssm#ParameterNotFound', message: '' }, 'ParameterNotFound'],
    ['not allowed', 400, { __type: 'AccessDeniedException', Message: 'no' }, 'AccessDeniedException'],
    ['down', 503, {}, 'HTTP503'],
  ])(
    'fails a read SSM refuses (%s), with its error as the cause; the source then keeps the defaults',
    async (_what, status, body, name) => {
      answer = () => ({ status, body });
      const store = reader();
      const failure = await store.getJson(NAME, { maxAgeSeconds: 15 }).catch((error: unknown) => error);
      expect((failure as { cause?: { name?: string } }).cause?.name).toBe(name);
      const source = new RiskSettingsSource({
        store,
        name: NAME,
        defaults: DEFAULTS,
        maxAgeSeconds: 15,
        log: { error: () => undefined, info: () => undefined } as never,
      });
      expect(await source.current()).toEqual(DEFAULTS);
    },
  );

  it("reaches each Region's endpoint, China's in its own partition", () => {
    expect(ssmEndpoint('ap-southeast-1', undefined).href).toBe('https://ssm.ap-southeast-1.amazonaws.com/');
    expect(ssmEndpoint('cn-north-1', undefined).href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(ssmEndpoint('cn-north-1', 'http://127.0.0.1:9/').href).toBe('http://127.0.0.1:9/');
  });
});

describe('the SSM writer (Powertools SSMProvider over the SDK client, answered in-process)', () => {
  /** The client the service builds, with its requests answered before they are signed or sent. */
  function answeredClient(answer: (command: string, input: any) => unknown) {
    const sent: Array<{ command: string; input: any }> = [];
    const client = newSsmClient('us-east-1');
    client.middlewareStack.add(
      (_next: unknown, context: { commandName?: string }) => async (args: { input: unknown }) => {
        const command = String(context.commandName);
        sent.push({ command, input: args.input });
        return { output: { $metadata: {}, ...(answer(command, args.input) as object) }, response: {} };
      },
      { step: 'initialize', name: 'answerInProcess' },
    );
    return { client, sent };
  }

  it('writes the next version with PutParameter: a String, Standard tier, over the one there', async () => {
    const { client, sent } = answeredClient(() => ({ Version: 2 }));
    await new SsmParameterWriter(client).put(NAME, JSON.stringify(stored({ velocityMax: 8 })));
    expect(sent.map((s) => s.command)).toEqual(['PutParameterCommand']);
    expect(sent[0]!.input).toMatchObject({ Name: NAME, Type: 'String', Tier: 'Standard', Overwrite: true });
    expect(JSON.parse(sent[0]!.input.Value)).toMatchObject({ velocityMax: 8 });
  });

  it('answers a throttled write with the SDK error (a 503), and a write racing another as 503 unavailable', async () => {
    const failing = (name: string) => {
      const { client } = answeredClient(() => {
        throw Object.assign(new Error(name), { name, $metadata: {} });
      });
      return new SsmParameterWriter(client);
    };
    await expect(failing('ThrottlingException').put(NAME, '{}')).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    const racing = failing('TooManyUpdates').put(NAME, '{}');
    await expect(racing).rejects.toBeInstanceOf(ApiError);
    await expect(racing).rejects.toMatchObject({ code: 'unavailable' });
  });
});
