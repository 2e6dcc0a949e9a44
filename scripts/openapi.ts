/**
 * `npm run openapi` (`tsx scripts/openapi.ts [out]`): writes the OpenAPI 3.1 document, generated from the
 * handlers' zod schemas, to `openapi.json` at the repository root or to the path given. Fails (exit 1) when a
 * route of functions/routes.ts has no entry in shared/openapi/document.ts, so CI cannot publish a partial spec.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, routeCoverage } from '../shared/openapi/document.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main(): void {
  const { undocumented, unrouted } = routeCoverage();
  if (undocumented.length || unrouted.length) {
    throw new Error(
      `ROUTE_DOCS out of step with functions/routes.ts: undocumented [${undocumented.join(', ')}], unrouted [${unrouted.join(', ')}]`,
    );
  }
  const out = resolve(process.argv[2] ?? resolve(REPO_ROOT, 'openapi.json'));
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
