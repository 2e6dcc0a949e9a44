/**
 * Dependencies point down: `shared/` never imports the Lambda handlers in `functions/`; the contract module
 * (error codes, service results, request context) imports nothing outside itself; and no domain imports another
 * domain's `service.ts` (shared machinery lives in the contract, idempotency or storage modules). Imports are read
 * from the TypeScript source (static, re-exports and dynamic `import()` alike), not from a bundle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SHARED = join(REPO_ROOT, 'shared');

/** One import edge, both ends as repository paths (`shared/accounts/service.ts`). */
interface Edge {
  from: string;
  to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The relative imports of one file, resolved to repository paths (`./x.js` is the source file `./x.ts`). */
function importsOf(path: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => ({
      from: relative(REPO_ROOT, path),
      to: relative(REPO_ROOT, resolve(dirname(path), name.replace(/\.js$/, '.ts'))),
    }));
}

/** `shared/<domain>/...` -> `<domain>`; undefined for files directly under shared/ (assert.ts, ids.ts, ...). */
const domainOf = (path: string): string | undefined => {
  const parts = path.split('/');
  return parts[0] === 'shared' && parts.length > 2 ? parts[1] : undefined;
};

/** Every edge that breaks a rule, with the rule it breaks. */
function violations(edges: readonly Edge[]): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    if (to.startsWith('functions/')) found.push(`${from} imports ${to}: shared/ must not import functions/`);
    if (domainOf(from) === 'contract' && domainOf(to) !== 'contract')
      found.push(`${from} imports ${to}: the contract imports nothing outside itself`);
    const target = domainOf(to);
    if (to.endsWith('/service.ts') && target !== undefined && target !== domainOf(from))
      found.push(`${from} imports ${to}: a domain must not import another domain's service`);
  }
  return found;
}

const edges = tsFiles(SHARED).flatMap(importsOf);

describe('dependencies of shared/', () => {
  it('reads the import graph (a sanity check that the walk found the modules)', () => {
    expect(edges).toContainEqual({ from: 'shared/accounts/service.ts', to: 'shared/idempotency/results.ts' });
  });

  it('has no import of functions/, out of the contract, or of another domain service', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('reports each kind of violation (the rules are not vacuous)', () => {
    expect(
      violations([
        { from: 'shared/limits/job.ts', to: 'functions/routes.ts' },
        { from: 'shared/contract/results.ts', to: 'shared/storage/retry.ts' },
        { from: 'shared/accounts/service.ts', to: 'shared/authorizations/service.ts' },
        // Allowed: a domain's own service, another domain's repository.
        { from: 'shared/authorizations/expiry.ts', to: 'shared/authorizations/service.ts' },
        { from: 'shared/limits/refresh.ts', to: 'shared/accounts/repository.ts' },
      ]),
    ).toEqual([
      'shared/limits/job.ts imports functions/routes.ts: shared/ must not import functions/',
      'shared/contract/results.ts imports shared/storage/retry.ts: the contract imports nothing outside itself',
      "shared/accounts/service.ts imports shared/authorizations/service.ts: a domain must not import another domain's service",
    ]);
  });
});
