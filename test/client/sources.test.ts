/**
 * The client's sources, statically: its generated types are current with the OpenAPI document (a route or
 * schema change cannot drift from the client unnoticed), and it imports only its own files, so the package
 * ships with zero runtime dependencies and nothing from the service (shared/, functions/).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { CLIENT_TYPES_PATH, renderClientTypes } from '../../shared/openapi/client-types.js';
import { ROUTES } from '../../functions/routes.js';
import { buildOpenApiDocument } from '../../shared/openapi/document.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT_DIR = join(REPO_ROOT, 'client');
/** Build output and installed packages are not sources. */
const NOT_SOURCES = new Set(['dist', 'node_modules']);

function clientSources(dir: string = CLIENT_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return NOT_SOURCES.has(entry.name) ? [] : clientSources(join(dir, entry.name));
    return extname(entry.name) === '.ts' ? [join(dir, entry.name)] : [];
  });
}

/** Every module specifier a file names: static imports, re-exports, dynamic imports and import types. */
function specifiersOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((ref) => ref.fileName);
}

/** A specifier's target, or why it is not allowed in the client. */
function problemWith(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return `imports package ${specifier}`;
  const target = resolve(dirname(file), specifier);
  if (relative(CLIENT_DIR, target).startsWith('..'))
    return `imports ${relative(REPO_ROOT, target)}, outside client/`;
  const source = target.replace(/\.js$/, '.ts');
  if (!clientSources().includes(source)) return `imports ${specifier}, not a client source`;
  return undefined;
}

describe('client sources', () => {
  it(`${CLIENT_TYPES_PATH} is what npm run client:types generates from the OpenAPI document`, async () => {
    const checkedIn = readFileSync(join(REPO_ROOT, CLIENT_TYPES_PATH), 'utf8');
    // On failure: run `npm run client:types` and commit the result.
    expect(checkedIn).toBe(await renderClientTypes(buildOpenApiDocument(ROUTES)));
  });

  it('import only each other: no packages, nothing from shared/ or functions/', () => {
    const files = clientSources();
    expect(files.map((file) => relative(CLIENT_DIR, file))).toEqual(
      expect.arrayContaining(['index.ts', 'types.ts', 'generated/openapi.ts']),
    );
    const problems = files.flatMap((file) =>
      specifiersOf(file)
        .map((specifier) => problemWith(file, specifier))
        .filter((problem) => problem !== undefined)
        .map((problem) => `${relative(REPO_ROOT, file)}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });
});
