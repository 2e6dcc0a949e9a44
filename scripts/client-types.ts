/**
 * `npm run client:types`: regenerates client/generated/openapi.ts from the OpenAPI document built in memory
 * (shared/openapi/client-types.ts). Run it after changing a route's schemas; a test fails until you do.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../functions/routes.js';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../shared/openapi/client-types.js';
import { buildOpenApiDocument } from '../shared/openapi/document.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const out = resolve(REPO_ROOT, CLIENT_TYPES_PATH);
  writeFileSync(out, await renderClientTypes(buildOpenApiDocument(ROUTES)));
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`client:types: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
