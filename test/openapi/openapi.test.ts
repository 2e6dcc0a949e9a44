/**
 * The OpenAPI document, statically: valid OpenAPI 3.1, exactly the routes of the manifest (functions/routes.ts,
 * the list the local server and the CDK API are built from), Idempotency-Key on every money-moving POST, and
 * every error answer described by the contract's error body. Behaviour against the running service is checked
 * in conformance.test.ts.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROUTES, type RouteDefinition } from '../../functions/routes.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../shared/http/errors.js';
import { buildOpenApiDocument } from '../../shared/openapi/document.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** API.md "Idempotency": the POSTs that move money. Written out here, not read from the registry under test. */
const MONEY_MOVING_POSTS = [
  'POST /v1/authorizations',
  'POST /v1/authorizations/{id}/capture',
  'POST /v1/authorizations/{id}/release',
  'POST /v1/authorizations/{id}/increment',
  'POST /v1/authorizations/{id}/refunds',
  'POST /v1/accounts/{id}/repayments',
];

type Json = Record<string, any>;
interface Operation {
  key: string;
  op: Json;
}

const doc = buildOpenApiDocument(ROUTES) as Json;

function operations(document: Json): Operation[] {
  return Object.entries(document['paths'] as Json).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((m) => ({
      key: `${m.toUpperCase()} ${path}`,
      op: item[m] as Json,
    })),
  );
}

/** Follows a local `#/...` reference. */
function resolveRef(ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<any>(
      (node, part) => (node === undefined ? undefined : node[part.replace(/~1/g, '/').replace(/~0/g, '~')]),
      doc,
    );
}

const deref = (node: Json): Json =>
  typeof node['$ref'] === 'string' ? (resolveRef(node['$ref']) ?? {}) : node;

function allRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) allRefs(n, found);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else allRefs(v, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    // The validator may annotate what it is given: hand it a copy.
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route of functions/routes.ts and nothing that is not routed', () => {
    const routed = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(
      operations(doc)
        .map((o) => o.key)
        .sort(),
    ).toEqual(routed);
  });

  it('documents a new route from its spec alone, and refuses two routes with one operationId', () => {
    const [first] = ROUTES;
    const added: RouteDefinition = {
      ...first!,
      method: 'POST',
      path: '/v1/accounts/{id}/close',
      docs: { ...first!.docs, operationId: 'closeAccount' },
    };
    const withAdded = operations(buildOpenApiDocument([...ROUTES, added]) as Json);
    expect(withAdded.find((o) => o.key === 'POST /v1/accounts/{id}/close')?.op['operationId']).toBe(
      'closeAccount',
    );
    const twin: RouteDefinition = { ...added, docs: first!.docs };
    expect(() => buildOpenApiDocument([...ROUTES, twin])).toThrow(
      `operationIds used twice: ${first!.docs.operationId}`,
    );
  });

  it('gives every operation a unique operationId, a summary and bearer security', () => {
    const ops = operations(doc);
    const ids = ops.map((o) => o.op['operationId']);
    expect(new Set(ids).size).toBe(ops.length);
    for (const { key, op } of ops) {
      expect([key, typeof op['summary']]).toEqual([key, 'string']);
      expect([key, op['security'].length > 0]).toEqual([key, true]);
      for (const requirement of op['security']) expect(Object.keys(requirement)).toEqual(['bearerAuth']);
    }
  });

  it('declares a required Idempotency-Key header on every money-moving POST', () => {
    const byKey = new Map(operations(doc).map((o) => [o.key, o.op]));
    for (const key of MONEY_MOVING_POSTS) {
      const op = byKey.get(key);
      expect([key, op !== undefined]).toEqual([key, true]);
      const headers = ((op!['parameters'] ?? []) as Json[]).map(deref).filter((p) => p['in'] === 'header');
      expect([key, headers.map((h) => [h['name'], h['required']])]).toEqual([
        key,
        [['Idempotency-Key', true]],
      ]);
      // The replay marker is described where a replay can answer.
      expect([
        key,
        Object.keys(op!['responses']['201']?.headers ?? op!['responses']['200']?.headers ?? {}),
      ]).toEqual([key, ['x-request-id', 'idempotent-replayed']]);
    }
  });

  it('describes every error answer with the contract error body {error: {type, code, message, param?}}', () => {
    const errorDetail = doc['components']['schemas']['ErrorDetail'] as Json;
    expect(errorDetail['required']).toEqual(['type', 'code', 'message']);
    expect(Object.keys(errorDetail['properties'])).toEqual(['type', 'code', 'message', 'param']);
    for (const { key, op } of operations(doc)) {
      const errorStatuses = Object.keys(op['responses']).filter((s) => Number(s) >= 400);
      expect([key, errorStatuses]).toEqual([
        key,
        expect.arrayContaining(['401', '403', '429', '500', '503']),
      ]);
      for (const status of errorStatuses) {
        const schema = op['responses'][status]['content']['application/json']['schema'] as Json;
        expect([key, status, typeof schema['$ref']]).toEqual([key, status, 'string']);
        const body = deref(schema);
        // Error itself, or a richer body (the declines) whose `error` is the same ErrorDetail.
        expect([key, status, body['properties']?.['error']?.['$ref']]).toEqual([
          key,
          status,
          '#/components/schemas/ErrorDetail',
        ]);
        expect([key, status, body['required']]).toEqual([key, status, expect.arrayContaining(['error'])]);
      }
    }
  });

  it('lists under each error status only codes the catalogue gives that status', () => {
    for (const { key, op } of operations(doc)) {
      for (const [status, response] of Object.entries(op['responses'] as Json)) {
        if (Number(status) < 400) continue;
        const codes = response['x-error-codes'] as ErrorCode[];
        expect([key, status, codes.length > 0]).toEqual([key, status, true]);
        for (const code of codes)
          expect([key, code, ERROR_CATALOGUE[code]?.status]).toEqual([key, code, Number(status)]);
      }
    }
  });

  it('resolves every $ref', () => {
    const refs = [...new Set(allRefs(doc))];
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolveRef(ref) === undefined)).toEqual([]);
  });

  it("describes request bodies with the handlers' own strict schemas (unknown fields are rejected)", () => {
    const byKey = new Map(operations(doc).map((o) => [o.key, o.op]));
    const reserve = byKey.get('POST /v1/authorizations')!['requestBody'];
    expect(reserve.required).toBe(true);
    const schema = reserve.content['application/json'].schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['accountId', 'amount', 'currency', 'orderId']);
    expect(schema.properties.amount).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000_000_000,
    });
    // Every field of a capture has a default: the body may be left out.
    expect(byKey.get('POST /v1/authorizations/{id}/capture')!['requestBody'].required).toBe(false);
    for (const { key, op } of operations(doc)) {
      const body = op['requestBody']?.content['application/json'].schema;
      if (body?.type === 'object') expect([key, body.additionalProperties]).toEqual([key, false]);
    }
  });
});

describe('Lambda bundles', () => {
  /** Relative imports of a TypeScript module, resolved to .ts paths, plus its bare package imports. */
  function importsOf(file: string): { files: string[]; packages: string[] } {
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(
        /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
      ),
    ].map((m) => (m[1] ?? m[2])!);
    return {
      files: specifiers
        .filter((s) => s.startsWith('.'))
        .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts'))),
      packages: specifiers.filter((s) => !s.startsWith('.')),
    };
  }

  // A route's spec carries its response schemas (shared/openapi/resources.ts, plain zod); the generator, the
  // document builder and the client-type renderer stay out of every bundle.
  it('never reach the OpenAPI generator or the document builder from a handler, the authorizer or a job', () => {
    const entries = ['functions/http', 'functions/jobs']
      .flatMap((dir) =>
        readdirSync(join(REPO_ROOT, dir))
          .filter((f) => f.endsWith('.ts'))
          .map((f) => join(REPO_ROOT, dir, f)),
      )
      .concat(join(REPO_ROOT, 'functions/authorizer.ts'));
    const seen = new Set<string>();
    const offending: string[] = [];
    const queue = [...entries];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const builders = ['shared/openapi/document.ts', 'shared/openapi/client-types.ts'].map((f) =>
        join(REPO_ROOT, f),
      );
      if (builders.includes(file)) offending.push(file);
      const { files, packages } = importsOf(file);
      if (packages.some((p) => p.startsWith('@asteasolutions/') || p.startsWith('openapi-typescript')))
        offending.push(file);
      queue.push(...files);
    }
    expect(seen.size).toBeGreaterThan(entries.length);
    expect(offending).toEqual([]);
  });
});
