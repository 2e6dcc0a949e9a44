/** `npm run openapi`: writes the OpenAPI 3.1 document (openapi.json, or the path given) from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../shared/openapi/document.js';

const out = process.argv[2] ?? 'openapi.json';
writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
