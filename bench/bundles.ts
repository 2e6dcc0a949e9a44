/**
 * Bundle sizes and cold import time. Functions are bundled as the CDK stack bundles them (esbuild, minified
 * ESM for Node 22, `@aws-sdk/*` left to the Lambda runtime, which ships SDK v3), then imported in fresh Node
 * processes and compared with a fresh process importing nothing.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { percentile } from './load.js';

/** The esbuild options the CDK NodejsFunction construct uses in infra/ (kept in step by hand: see infra). */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'error',
} as const;

export interface BundleSize {
  name: string;
  kib: number;
}

export function functionEntries(root: string): string[] {
  const http = readdirSync(join(root, 'functions/http')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'functions/http', f));
  const jobs = readdirSync(join(root, 'functions/jobs')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'functions/jobs', f));
  return [...http, ...jobs, join(root, 'functions/authorizer.ts')];
}

export async function bundleAll(root: string, outDir: string): Promise<BundleSize[]> {
  mkdirSync(outDir, { recursive: true });
  const sizes: BundleSize[] = [];
  for (const entry of functionEntries(root)) {
    const name = basename(entry, '.ts');
    const outfile = join(outDir, `${name}.mjs`);
    await build({ ...LAMBDA_BUNDLE_OPTIONS, mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields], external: [...LAMBDA_BUNDLE_OPTIONS.external], entryPoints: [entry], outfile });
    sizes.push({ name, kib: statSync(outfile).size / 1024 });
  }
  return sizes.sort((a, b) => b.kib - a.kib);
}

/** The same entry with the AWS SDK bundled in too (what a deployment that pins its own SDK would ship). */
export async function bundleWithSdk(entry: string, outfile: string): Promise<number> {
  await build({ ...LAMBDA_BUNDLE_OPTIONS, mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields], external: [], entryPoints: [entry], outfile });
  return statSync(outfile).size / 1024;
}

/** Median wall time (ms) of `node <file>` over `runs` fresh processes. */
function medianStartMs(file: string, runs: number, cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [file], { cwd, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    if (result.status !== 0) throw new Error(`node ${file} exited ${result.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

export interface ColdImport {
  emptyMs: number;
  bundleMs: number;
  ratio: number;
}

/** Fresh process importing the bundle (module top level runs: clients are created) vs importing nothing. */
export function coldImport(bundleFile: string, outDir: string, runs = 15): ColdImport {
  const empty = join(outDir, 'empty.mjs');
  writeFileSync(empty, '');
  // The function's configuration as deployed: a table name and region, no credentials needed to import.
  process.env['TABLE_NAME'] ??= 'bench';
  const emptyMs = medianStartMs(empty, runs, outDir);
  const bundleMs = medianStartMs(bundleFile, runs, outDir);
  return { emptyMs, bundleMs, ratio: bundleMs / emptyMs };
}
