/**
 * The API reference a user of the repository reads (docs/API.md) is generated from the routes' own specs, and the
 * README's links all resolve inside the repository: nothing points at files a clone does not have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES } from '../../functions/routes.js';
import { API_REFERENCE_PATH } from '../../scripts/api-reference.js';
import { buildOpenApiDocument } from '../../shared/openapi/document.js';
import { renderApiReference } from '../../shared/openapi/reference.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The documents a new user opens first. */
const DOCS = [
  'README.md',
  'docs/DESIGN-NOTES.md',
  'docs/CAPACITY.md',
  'client/README.md',
  API_REFERENCE_PATH,
];

/** Markdown links' targets that are paths (not URLs, not anchors). */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'));
}

describe('docs/API.md', () => {
  it('is what npm run api-reference generates from the routes (run it and commit the result)', () => {
    const checkedIn = readFileSync(join(REPO_ROOT, API_REFERENCE_PATH), 'utf8');
    expect(checkedIn).toBe(renderApiReference(buildOpenApiDocument(ROUTES)));
  });

  it('describes every route', () => {
    const reference = readFileSync(join(REPO_ROOT, API_REFERENCE_PATH), 'utf8');
    for (const route of ROUTES) expect(reference).toContain(`\`${route.method} ${route.path}\``);
  });
});

describe('links in the docs', () => {
  it.each(DOCS)('%s links only to files inside the repository, and each exists', (doc) => {
    const markdown = readFileSync(join(REPO_ROOT, doc), 'utf8');
    const problems = relativeLinks(markdown).flatMap((target) => {
      const path = resolve(dirname(join(REPO_ROOT, doc)), target.split('#')[0] ?? '');
      if (!path.startsWith(`${REPO_ROOT}/`)) return [`${target}: outside the repository`];
      return existsSync(path) ? [] : [`${target}: no such file`];
    });
    expect(problems).toEqual([]);
  });

  it('names no file outside the repository, linked or not', () => {
    for (const doc of DOCS)
      expect([doc, readFileSync(join(REPO_ROOT, doc), 'utf8').includes('../shared/')]).toEqual([doc, false]);
  });
});
