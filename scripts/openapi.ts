/**
 * `npm run openapi` (`tsx scripts/openapi.ts [out]`): writes the OpenAPI 3.1 document, generated from the routes'
 * own specs (shared/http/route.ts), to `openapi.json` at the repository root or to the path given. Every route
 * carries its docs, so the document cannot leave one out; it fails (exit 1) when two routes share an operationId.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../functions/routes.js';
import { buildOpenApiDocument } from '../shared/openapi/document.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function main(): void {
  const out = resolve(process.argv[2] ?? resolve(REPO_ROOT, 'openapi.json'));
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(ROUTES), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
