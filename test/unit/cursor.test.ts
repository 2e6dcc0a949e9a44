/** Sealed list cursors (shared/pagination/cursor.ts): only what the key sealed for that scope opens, and only if it parses. */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import * as z from 'zod';
import { MIN_CURSOR_KEY_BYTES, openCursor, sealCursor } from '../../shared/pagination/cursor.js';

const key = randomBytes(MIN_CURSOR_KEY_BYTES);
const Position = z.strictObject({ after: z.string() });

describe('sealCursor / openCursor', () => {
  it('opens what it sealed, for the same scope', () => {
    const cursor = sealCursor(key, 'promotions', { after: 'promo_1' });
    expect(openCursor(key, 'promotions', cursor, Position)).toEqual({ after: 'promo_1' });
  });

  it('refuses another scope, another key, and a payload the schema does not accept', () => {
    const cursor = sealCursor(key, 'journal:acc_1', { after: 'x' });
    expect(openCursor(key, 'journal:acc_2', cursor, Position)).toBeUndefined();
    expect(openCursor(randomBytes(MIN_CURSOR_KEY_BYTES), 'journal:acc_1', cursor, Position)).toBeUndefined();
    expect(
      openCursor(key, 'journal:acc_1', sealCursor(key, 'journal:acc_1', { after: 1 }), Position),
    ).toBeUndefined();
    expect(
      openCursor(key, 'journal:acc_1', sealCursor(key, 'journal:acc_1', { after: 'x', extra: 1 }), Position),
    ).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['e30', 'e30'],
    ['no seal', 'e30.'],
    ['no payload', '.e30'],
    ['three parts', 'e30.e30.e30'],
    ['not base64url', 'e3 0.ab+/'],
    ['too long', `${'A'.repeat(3_000)}.${'A'.repeat(43)}`],
  ])('refuses a malformed cursor (%s) without throwing', (_what, raw) => {
    expect(openCursor(key, 'reviews', raw, Position)).toBeUndefined();
  });

  it('refuses a cursor with any one character changed', () => {
    const cursor = sealCursor(key, 'reviews', { after: 'REVIEW#2026-11-30T00:00:00.000Z#auth_x' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(fc.nat({ max: cursor.length - 1 }), fc.constantFrom(...alphabet), (index, replacement) => {
        fc.pre(cursor[index] !== replacement);
        const altered = cursor.slice(0, index) + replacement + cursor.slice(index + 1);
        expect(openCursor(key, 'reviews', altered, Position)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('refuses to seal with a key shorter than 32 bytes', () => {
    expect(() => sealCursor(randomBytes(16), 'reviews', {})).toThrow(/shorter than 32 bytes/);
  });
});
