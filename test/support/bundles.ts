/** What a deployed function's bundle is made of, built as the stack builds it (bench/bundles.ts, infra/bundling.ts). */
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildOptions } from '../../bench/bundles.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The source files and packages `entry`'s bundle is made of. */
export async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    ...esbuildOptions(ROOT),
    entryPoints: [join(ROOT, entry)],
    write: false,
    outfile: join(ROOT, '.bench', 'unused.mjs'),
    metafile: true,
  });
  return Object.keys(result.metafile.inputs);
}
