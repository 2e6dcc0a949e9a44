/**
 * Bundle sizes and cold import time. Functions are bundled as the CDK stack bundles them (LAMBDA_BUNDLE_OPTIONS,
 * shared with infra/), then imported in fresh Node processes and compared with a fresh process importing nothing.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { percentile } from './load.js';
import { alternate, median, pairedRatios, type RatioStat } from './rounds.js';

import { LAMBDA_BUNDLE_OPTIONS } from '../infra/bundling.js';

export { LAMBDA_BUNDLE_OPTIONS };

export interface BundleSize {
  name: string;
  kib: number;
}

export function functionEntries(root: string): string[] {
  const http = readdirSync(join(root, 'functions/http'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'functions/http', f));
  const jobs = readdirSync(join(root, 'functions/jobs'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'functions/jobs', f));
  return [...http, ...jobs, join(root, 'functions/authorizer.ts')];
}

export async function bundleAll(root: string, outDir: string): Promise<BundleSize[]> {
  mkdirSync(outDir, { recursive: true });
  const sizes: BundleSize[] = [];
  for (const entry of functionEntries(root)) {
    const name = basename(entry, '.ts');
    const outfile = join(outDir, `${name}.mjs`);
    await build({ ...esbuildOptions(root), entryPoints: [entry], outfile });
    sizes.push({ name, kib: statSync(outfile).size / 1024 });
  }
  return sizes.sort((a, b) => b.kib - a.kib);
}

/** esbuild's options for one function, as infra/bundling.ts (and so the stack) bundles it. */
export function esbuildOptions(root: string) {
  return {
    bundle: true,
    minify: LAMBDA_BUNDLE_OPTIONS.minify,
    platform: 'node' as const,
    target: LAMBDA_BUNDLE_OPTIONS.target,
    format: 'esm' as const,
    mainFields: [...LAMBDA_BUNDLE_OPTIONS.mainFields],
    external: [...LAMBDA_BUNDLE_OPTIONS.externalModules],
    alias: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE_OPTIONS.aliases).map(([k, v]) => [k, join(root, v)]),
    ),
    banner: { js: LAMBDA_BUNDLE_OPTIONS.banner },
    logLevel: 'error' as const,
  };
}

/** The same entry with the Lambda runtime's SDK instead of a bundled one (the CDK default we chose not to use). */
export async function bundleWithoutSdk(root: string, entry: string, outfile: string): Promise<number> {
  await build({
    ...esbuildOptions(root),
    external: ['@aws-sdk/*'],
    alias: {},
    entryPoints: [entry],
    outfile,
  });
  return statSync(outfile).size / 1024;
}

/** Median wall time (ms) of `node <file>` over `runs` fresh processes. */
function medianStartMs(file: string, runs: number, cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [file], {
      cwd,
      stdio: 'ignore',
      // Lambda runs Node 22, where the SDK prints no Node-version warning; this machine's Node 20 would print one
      // at import (the bench supports Node 20), which is not part of a deployed cold start.
      env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    if (result.status !== 0) throw new Error(`node ${file} exited ${result.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

export interface ColdImport {
  /** Median over the rounds of each round's median, ms. */
  emptyMs: number;
  bundleMs: number;
  /** bundle / empty, one ratio per round (each from its own adjacent pair of medians). */
  ratio: RatioStat;
}

/** Fresh processes per side in one round: its median is that round's time. */
const RUNS_PER_ROUND = 5;

/**
 * Fresh process importing the bundle (module top level runs: clients are created) vs importing nothing, in
 * alternating rounds (empty, bundle, empty, bundle, …): each round's ratio is bundle / empty of that round.
 */
export async function coldImport(bundleFile: string, outDir: string, rounds = 9): Promise<ColdImport> {
  const empty = join(outDir, 'empty.mjs');
  writeFileSync(empty, '');
  // The function's configuration as deployed: a table name and region, no credentials needed to import.
  process.env['TABLE_NAME'] ??= 'bench-table';
  const pairs = await alternate(
    rounds,
    () => medianStartMs(empty, RUNS_PER_ROUND, outDir),
    () => medianStartMs(bundleFile, RUNS_PER_ROUND, outDir),
  );
  return {
    emptyMs: median(pairs.floor),
    bundleMs: median(pairs.service),
    ratio: pairedRatios(pairs, (bundle, base) => bundle / base),
  };
}
