/**
 * The zod the Lambda-side modules use: `zod/mini`, the tree-shakable build of the same library (same parser, same
 * issues, same types), with zod's English messages as the classic build sets them.
 *
 * Why not `import * as z from 'zod'` here: the classic build's schemas carry every method, so one classic schema
 * in a bundle brings all of zod (about 100 KB minified: a quarter of the authorize function's bundle) and its
 * construction into every cold start. The request-path modules (configuration, money, request bodies, risk
 * settings) therefore use this module; the OpenAPI resources and the jobs may keep the classic API, and the two
 * compose (a classic object may hold these schemas). test/unit/bundles.test.ts keeps classic zod out of the
 * authorize bundle.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

/**
 * Parsing through these (rather than a schema's own methods) also guarantees the English messages are set: a
 * module that only builds schemas need not import this one. (This module exports functions, never the `z`
 * namespace itself: re-exporting a namespace makes the bundler keep all of it, every locale included.)
 */
export const safeParse = z.safeParse;
export const parse = z.parse;

/**
 * `schema` with OpenAPI metadata (a description, an id), as classic zod's `.meta()` does: on a copy, so the
 * shared schema itself stays undescribed.
 */
export function described<S extends z.ZodMiniType>(schema: S, meta: z.core.GlobalMeta): S {
  const copy = schema.clone() as S;
  z.globalRegistry.add(copy, meta);
  return copy;
}
