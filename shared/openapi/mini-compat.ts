/**
 * @asteasolutions/zod-to-openapi reads schemas through a few of classic zod's instance members (`meta()`,
 * `unwrap()`, a record's `keyType`/`valueType`, `isOptional()`/`isNullable()`, a string's or number's
 * `format`/`minLength`/`maxLength`). The request-path schemas are
 * `zod/mini` ones (shared/zod.ts), which keep the same definitions but not those members. `openApiReady` gives
 * every node of a schema tree that lacks them the same members, read from its definition and zod's global
 * registry (where `.meta()` and `described()` both write), before the generator sees it. The document only: no
 * handler imports this module.
 */
import * as z from 'zod';

type Node = z.core.$ZodType & Record<string, unknown>;

const CHILD_KEYS = [
  'innerType',
  'in',
  'out',
  'element',
  'keyType',
  'valueType',
  'left',
  'right',
  'getter',
] as const;

function define(node: Node, name: string, value: () => unknown): void {
  if (name in node) return;
  Object.defineProperty(node, name, { value, enumerable: false, configurable: true });
}

function patch(node: Node): void {
  const def = node._zod.def as unknown as Record<string, unknown>;
  define(node, 'meta', () => z.globalRegistry.get(node));
  define(node, 'unwrap', () => def['innerType']);
  define(node, 'isOptional', () => z.safeParse(node, undefined).success);
  define(node, 'isNullable', () => z.safeParse(node, null).success);
  if (def['type'] === 'record') {
    getter(node, 'keyType', () => def['keyType']);
    getter(node, 'valueType', () => def['valueType']);
  }
  if (def['type'] === 'string' || def['type'] === 'number') {
    // What classic zod derives from the definition and its checks (its `format`, `minLength`, `maxLength`).
    const checks = ((def['checks'] ?? []) as z.core.$ZodCheck[]).map(
      (c) => c._zod.def as unknown as Record<string, unknown>,
    );
    const find = (kind: string, key: string) => checks.find((c) => c['check'] === kind)?.[key] ?? null;
    getter(node, 'format', () => def['format'] ?? find('string_format', 'format'));
    getter(node, 'minLength', () => find('min_length', 'minimum'));
    getter(node, 'maxLength', () => find('max_length', 'maximum'));
  }
}

function getter(node: Node, name: string, get: () => unknown): void {
  if (!(name in node)) Object.defineProperty(node, name, { get, enumerable: false, configurable: true });
}

function children(def: Record<string, unknown>): unknown[] {
  const found: unknown[] = CHILD_KEYS.map((key) => def[key]).filter((c) => typeof c !== 'function');
  const shape = def['shape'];
  if (shape && typeof shape === 'object') found.push(...Object.values(shape));
  const options = def['options'];
  if (Array.isArray(options)) found.push(...options);
  const items = def['items'];
  if (Array.isArray(items)) found.push(...items);
  return found;
}

/** `schema`, with every node of its tree readable by the OpenAPI generator (see the module comment). */
export function openApiReady<S extends z.core.$ZodType>(schema: S): z.ZodType {
  const seen = new Set<unknown>();
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node || typeof node !== 'object' || !('_zod' in node) || seen.has(node)) continue;
    seen.add(node);
    patch(node as Node);
    stack.push(...children((node as Node)._zod.def as unknown as Record<string, unknown>));
  }
  return schema as unknown as z.ZodType;
}
