/**
 * The client as another team receives it: `npm pack` in client/ (its prepack builds dist/ from nothing), the
 * tarball installed into an empty project offline with an empty npm cache, then imported by a plain ESM script
 * and type-checked by tsc against the shipped .d.ts. Offline with a fresh cache is what makes "zero runtime
 * dependencies" a tested fact: a dependency would have to come from the registry, and the install would fail.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT_DIR = join(REPO_ROOT, 'client');
const PACKAGE_NAME = '@credit-checkout/client';
/** The repository's own compiler, by absolute path: the temp project installs nothing but the tarball. */
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
/** Pack (with its build), install and tsc each take seconds alone and far longer on busy shared cores. */
const SETUP_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 180_000;
/** Enough for the compiler's and npm's output; past it execFile fails instead of truncating. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** This process's environment without the `npm_*` settings `npm test` exported, which would steer child npms. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );
}

async function sh(cwd: string, file: string, args: string[]): Promise<string> {
  const { stdout } = await run(file, args, { cwd, env: cleanEnv(), maxBuffer: MAX_OUTPUT_BYTES });
  return stdout;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * The consumer's runtime check: a capture whose first answer is a 503 and whose retry is answered from the
 * idempotency store. Prints what it saw as JSON for the test to assert on.
 */
const SMOKE_SCRIPT = `
import * as pkg from '${PACKAGE_NAME}';

const keys = [];
const answers = [
  new Response('{"error":{"type":"internal","code":"unavailable","message":"try again"}}', { status: 503 }),
  new Response(JSON.stringify({ id: 'auth_1', object: 'authorization', status: 'captured' }), {
    status: 200, headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
  }),
];
const fetch = async (url, init) => {
  keys.push(init.headers['idempotency-key']);
  return answers.shift();
};
const client = new pkg.CheckoutClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'key', fetch, sleep: async () => {} });
const result = await client.capture('auth_1', {}, { idempotencyKey: 'capture-order-1' });
process.stdout.write(JSON.stringify({
  exports: Object.keys(pkg).sort(),
  declinedIsApiError: pkg.DeclinedError.prototype instanceof pkg.CheckoutApiError,
  keys,
  result: { status: result.data.status, replayed: result.replayed, attempts: result.attempts, idempotencyKey: result.idempotencyKey },
}));
`;

/** The consumer's compile-time check, strict, against the installed .d.ts. */
const CONSUMER_TS = `
import { type ApiResponse, type Authorization, type CaptureParams, CheckoutClient, DeclinedError } from '${PACKAGE_NAME}';

const client = new CheckoutClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'key', maxRetries: 2 });

export function captureOrder(authorizationId: string, orderId: string): Promise<ApiResponse<Authorization>> {
  return client.capture(authorizationId, { final: true }, { idempotencyKey: \`capture-\${orderId}\` });
}

export function declinedHold(error: unknown): Authorization['status'] | undefined {
  return error instanceof DeclinedError ? error.authorization?.status : undefined;
}

// @ts-expect-error amounts are integer minor units, never strings: the shipped types are real, not any
export const wrong: CaptureParams = { amount: '10.00' };
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    // A consumer without @types/node: the client's types must need nothing beyond the web-standard globals.
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['consumer.ts'],
};

describe(`${PACKAGE_NAME}, packed and installed in an empty project`, () => {
  let workDir: string;
  let project: string;
  let installed: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'client-package-'));
    project = join(workDir, 'consumer');
    // No dist/ before packing: what ships is what prepack built.
    rmSync(join(CLIENT_DIR, 'dist'), { recursive: true, force: true });
    await sh(CLIENT_DIR, 'npm', ['pack', '--pack-destination', workDir]);
    const [tarball, ...others] = readdirSync(workDir).filter((name) => name.endsWith('.tgz'));
    if (tarball === undefined || others.length) throw new Error(`expected one tarball in ${workDir}`);

    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await sh(project, 'npm', [
      'install',
      join(workDir, tarball),
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      join(workDir, 'empty-npm-cache'),
    ]);
    installed = join(project, 'node_modules', PACKAGE_NAME);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('ships the built ESM and declarations, no sources, and no runtime dependencies', () => {
    const files = filesUnder(installed)
      .map((file) => relative(installed, file))
      .sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/generated/openapi.d.ts',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    // Nothing else was installed beside it.
    expect(readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual([
      '@credit-checkout',
    ]);
  });

  it(
    'imports as ESM and retries a capture with one Idempotency-Key',
    async () => {
      writeFileSync(join(project, 'smoke.mjs'), SMOKE_SCRIPT);
      const seen = JSON.parse(await sh(project, process.execPath, ['smoke.mjs']));
      expect(seen.exports).toEqual(
        expect.arrayContaining([
          'CheckoutClient',
          'CheckoutApiError',
          'DeclinedError',
          'ENDPOINTS',
          'IdempotencyError',
        ]),
      );
      expect(seen.declinedIsApiError).toBe(true);
      expect(seen.keys).toEqual(['capture-order-1', 'capture-order-1']);
      expect(seen.result).toEqual({
        status: 'captured',
        replayed: true,
        attempts: 2,
        idempotencyKey: 'capture-order-1',
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'type-checks a strict TypeScript consumer against the shipped .d.ts',
    async () => {
      writeFileSync(join(project, 'consumer.ts'), CONSUMER_TS);
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
      // tsc exits non-zero on any error, which rejects with its output.
      await expect(sh(project, process.execPath, [TSC, '-p', 'tsconfig.json'])).resolves.toBe('');
    },
    STEP_TIMEOUT_MS,
  );
});
