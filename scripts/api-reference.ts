/**
 * `npm run api-reference`: writes docs/API.md, the API reference, from the OpenAPI document built in memory
 * from the routes' specs. Run it after changing a route; test/openapi/reference.test.ts fails until you do.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../functions/routes.js';
import { buildOpenApiDocument } from '../shared/openapi/document.js';
import { renderApiReference } from '../shared/openapi/reference.js';

export const API_REFERENCE_PATH = 'docs/API.md';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(REPO_ROOT, API_REFERENCE_PATH);
  writeFileSync(out, renderApiReference(buildOpenApiDocument(ROUTES)));
  process.stdout.write(`wrote ${out}\n`);
}
