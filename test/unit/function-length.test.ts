/**
 * TIGER_STYLE caps functions at about 70 lines (issue 13, item 4): each fits on a screen, its branches in the
 * parent and its leaves pure. Measured from the TypeScript syntax tree by scripts/function-lengths.ts over the
 * source tree (not tests, not generated code).
 */
import { allFunctionLengths, SOURCE_DIRS } from '../../scripts/function-lengths.js';

const MAX_LINES = 70;

const all = allFunctionLengths();
const overCap = all.filter((f) => f.lines > MAX_LINES);

describe(`functions of at most ${MAX_LINES} lines`, () => {
  it('measures the source tree: every folder that ships or runs the service', () => {
    const folders = new Set(all.map((f) => f.file.split('/')[0]));
    for (const folder of SOURCE_DIRS) expect(folders).toContain(folder);
    expect(all.some((f) => f.file.startsWith('test/'))).toBe(false);
  });

  it('has no function over the cap', () => {
    expect(overCap.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
  });

  it('measures a function by its lines, so a long one would be caught', () => {
    expect(all.find((f) => f.name === 'allFunctionLengths')?.lines).toBeGreaterThan(1);
    expect(Math.max(...all.map((f) => f.lines))).toBeLessThanOrEqual(MAX_LINES);
  });
});
