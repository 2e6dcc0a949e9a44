/**
 * `npm run function-lengths [-- --max 70]`: the longest functions of the source tree (not tests), measured in
 * lines from the TypeScript syntax tree. TIGER_STYLE caps functions at about 70 lines so each one fits on a
 * screen and keeps its branches in the parent; test/unit/function-length.test.ts holds the tree to the cap.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The source folders the cap applies to: everything that ships or runs the service. */
export const SOURCE_DIRS = [
  'functions',
  'shared',
  'infra',
  'local',
  'client',
  'bench',
  'simulation',
  'scripts',
] as const;
/** Generated code is not written by hand, so it is not held to the cap. */
const SKIPPED = [/\/generated\//, /\/dist\//, /\.d\.ts$/];

export interface FunctionLength {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !SKIPPED.some((re) => re.test(path))) out.push(path);
  }
  return out;
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${node.parent.name?.getText(source) ?? 'class'}.constructor`;
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  if (parent && ts.isCallExpression(parent)) return `${parent.expression.getText(source).slice(0, 40)}(…)`;
  return '(anonymous)';
}

/** Every function-like node of one file with its length in lines. */
export function functionLengths(path: string): FunctionLength[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({
        file: relative(REPO_ROOT, path),
        line: start + 1,
        name: nameOf(node, source),
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every function of the source tree, longest first. */
export function allFunctionLengths(): FunctionLength[] {
  return SOURCE_DIRS.flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)).flatMap(functionLengths)).sort(
    (a, b) => b.lines - a.lines,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const maxAt = process.argv.indexOf('--max');
  const max = maxAt > 0 ? Number(process.argv[maxAt + 1]) : 0;
  const rows = allFunctionLengths().filter((f) => f.lines > max);
  // A reader that stops early (`| head`) closes the pipe: that is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const lines = rows
    .slice(0, max ? rows.length : 15)
    .map((f) => `${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}\n`);
  process.stdout.write(lines.join(''));
}
