/**
 * .ci/run is what decides whether a change lands, so its contract is tested like code: it runs `npm ci`, the
 * type check, the linter and the suite, prints one closing line `N passed, N failed` derived from jest's JSON
 * report, and exits non-zero on any failure — a failed gate included. It runs here against a fake `npm` on PATH
 * that records its calls and plays the outcomes each case asks for.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CI_SCRIPT = join(process.cwd(), '.ci', 'run');

/** Plays npm: `ci`, `run <gate>` and `test -- --json --outputFile=<f>`, as FAKE_* variables say. */
const FAKE_NPM = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
case "$1" in
  ci) exit "\${FAKE_CI_EXIT:-0}" ;;
  run)
    gate="$2"; [ "$gate" = "--silent" ] && gate="$3"
    case ",\${FAKE_FAILING_GATES:-}," in *",$gate,"*) exit 1 ;; esac
    exit 0 ;;
  test)
    for arg in "$@"; do case "$arg" in --outputFile=*) out="\${arg#--outputFile=}" ;; esac; done
    [ -n "\${FAKE_REPORT:-}" ] && printf '%s' "$FAKE_REPORT" > "$out"
    exit "\${FAKE_TEST_EXIT:-0}" ;;
esac
exit 0
`;

interface Outcome {
  code: number;
  lastLine: string;
  calls: string[];
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ci-run-'));
  await mkdir(join(dir, '.ci'));
  await mkdir(join(dir, 'bin'));
  await copyFile(CI_SCRIPT, join(dir, '.ci', 'run'));
  await writeFile(join(dir, 'bin', 'npm'), FAKE_NPM);
  await chmod(join(dir, 'bin', 'npm'), 0o755);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function report(passed: number, failed: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: 0,
    numTodoTests: 0,
    numTotalTests: passed + failed,
    success: failed === 0,
    testResults: [],
    ...extra,
  });
}

async function ci(env: Record<string, string>): Promise<Outcome> {
  const log = join(dir, 'npm.log');
  await writeFile(log, '');
  const options = {
    env: { ...process.env, ...env, PATH: `${join(dir, 'bin')}:${process.env['PATH']}`, FAKE_LOG: log },
  };
  const done = await run('bash', [join(dir, '.ci', 'run')], options).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const lines = done.stdout.trim().split('\n');
  const calls = (await readFile(log, 'utf8')).trim().split('\n');
  return { code: done.code, lastLine: lines.at(-1) ?? '', calls };
}

describe('.ci/run', () => {
  it('runs npm ci, the type check, the linter and the suite, in that order, and passes when all pass', async () => {
    const outcome = await ci({ FAKE_REPORT: report(12, 0) });
    expect(outcome.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'ci --no-audit --no-fund',
      'run --silent typecheck',
      'run --silent lint',
      'test -- --json',
    ]);
    expect(outcome).toMatchObject({ code: 0, lastLine: '12 passed, 0 failed' });
  });

  it('fails, and counts the gate, when the type check fails even though every test passes', async () => {
    const outcome = await ci({ FAKE_REPORT: report(12, 0), FAKE_FAILING_GATES: 'typecheck' });
    expect(outcome).toMatchObject({ code: 1, lastLine: '12 passed, 1 failed' });
  });

  it('fails when the linter fails', async () => {
    const outcome = await ci({ FAKE_REPORT: report(12, 0), FAKE_FAILING_GATES: 'lint' });
    expect(outcome).toMatchObject({ code: 1, lastLine: '12 passed, 1 failed' });
  });

  it('derives the line from the JSON report and fails on a failed test', async () => {
    const outcome = await ci({ FAKE_REPORT: report(10, 2), FAKE_TEST_EXIT: '1' });
    expect(outcome).toMatchObject({ code: 1, lastLine: '10 passed, 2 failed' });
  });

  it('counts a suite that could not run, and a skipped test makes the run red', async () => {
    const broken = { testResults: [{ status: 'failed', assertionResults: [] }], success: false };
    expect(await ci({ FAKE_REPORT: report(5, 0, broken), FAKE_TEST_EXIT: '1' })).toMatchObject({
      code: 1,
      lastLine: '5 passed, 1 failed',
    });
    expect((await ci({ FAKE_REPORT: report(5, 0, { numPendingTests: 1 }) })).code).toBe(1);
  });

  it('fails when no test ran or jest wrote no report', async () => {
    expect(await ci({ FAKE_REPORT: report(0, 0) })).toMatchObject({
      code: 1,
      lastLine: '0 passed, 0 failed',
    });
    expect(await ci({ FAKE_TEST_EXIT: '1' })).toMatchObject({ code: 1, lastLine: '0 passed, 1 failed' });
  });

  it('stops at once when npm ci fails', async () => {
    const outcome = await ci({ FAKE_CI_EXIT: '1', FAKE_REPORT: report(12, 0) });
    expect(outcome).toMatchObject({ code: 1, lastLine: '0 passed, 1 failed' });
    expect(outcome.calls).toHaveLength(1);
  });
});
