/**
 * The API reference (docs/API.md), rendered from the OpenAPI document: the contract a user of the repository reads
 * lives in the repository, and cannot drift from the routes because it is generated from their specs
 * (`npm run api-reference`; test/openapi/reference.test.ts fails when the checked-in file is stale).
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked as untyped JSON, checked by the test.
type Json = Record<string, any>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The conventions every route shares, in words: what the per-route tables below take for granted. */
const CONVENTIONS = `# Checkout authorization API — reference

Generated from the OpenAPI document (\`npm run api-reference\`; the document itself: \`npm run openapi\`, or
\`GET /openapi.json\` on a running service). Do not edit by hand.

## Conventions
- JSON in and out, \`Content-Type: application/json\`. Bodies over 64 KiB: \`413\`. A body that is not JSON: \`400
  invalid_json\` or \`415\`.
- Money is an **integer count of minor units** (fen for CNY), \`1 <= amount <= 10^12\`. \`currency\` is ISO 4217 upper
  case and must equal the account's.
- Unknown JSON fields are refused with \`400 unknown_field\`, so a typo never passes silently.
- Times are ISO 8601 UTC strings. Every response carries \`x-request-id\`.
- Every non-2xx body is \`{"error": {"type", "code", "message", "param"?}}\`; \`code\` is stable, \`message\` is for humans.
  A \`500\` or \`503\` never carries a stack trace or an internal name; a \`503 unavailable\` is safe to retry with the
  same Idempotency-Key. Every \`429\` and \`503\` carries \`Retry-After\` (whole seconds) saying when to retry.
- \`Authorization: Bearer <apiKey>\`. A key belongs to a client with scopes (\`checkout\`, \`servicing\`, \`risk\`,
  \`admin\`); \`admin\` may call everything. Another client's authorization answers \`404\`, never \`403\`.
- Money-moving POSTs require an \`Idempotency-Key\` (1-255 printable ASCII characters), scoped to the client and kept
  at least 24 hours: the same key with the same request replays the first status and body with
  \`idempotent-replayed: true\` and moves no money again; with a different request it is \`409 idempotency_key_reused\`.
- Lists page with \`limit\` and \`cursor\`; pass \`nextCursor\` back as \`cursor\`. A cursor the API did not hand out for
  that list is \`400 invalid_cursor\`.
`;

function operations(document: Json): Array<{ method: string; path: string; op: Json }> {
  return Object.entries(document['paths'] as Json).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m] as Json })),
  );
}

/** `#/components/schemas/X` -> the schema, one level deep (the reference shows fields, not whole trees). */
function resolve(document: Json, schema: Json | undefined): Json | undefined {
  const ref = schema?.['$ref'];
  if (typeof ref !== 'string') return schema;
  return document['components']?.['schemas']?.[ref.split('/').at(-1) ?? ''] as Json | undefined;
}

function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  if (typeof schema['$ref'] === 'string') return String(schema['$ref']).split('/').at(-1) ?? 'object';
  if (Array.isArray(schema['enum']))
    return schema['enum'].map((v: unknown) => `\`${String(v)}\``).join(' \\| ');
  if (Array.isArray(schema['anyOf'])) return schema['anyOf'].map((s: Json) => typeOf(s)).join(' \\| ');
  if (schema['type'] === 'array') return `${typeOf(schema['items'] as Json)}[]`;
  return String(schema['type'] ?? 'object');
}

const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function fieldsTable(document: Json, schema: Json | undefined): string[] {
  const resolved = resolve(document, schema);
  const properties = resolved?.['properties'] as Json | undefined;
  if (!properties || Object.keys(properties).length === 0) return [];
  const required = new Set<string>((resolved?.['required'] as string[] | undefined) ?? []);
  return [
    '| field | type | required | description |',
    '|---|---|---|---|',
    ...Object.entries(properties).map(
      ([name, p]) =>
        `| \`${name}\` | ${typeOf(p as Json)} | ${required.has(name) ? 'yes' : 'no'} | ${cell((p as Json)['description'])} |`,
    ),
  ];
}

function parametersOf(op: Json): string[] {
  const params = ((op['parameters'] as Json[] | undefined) ?? []).filter((p) => p['in'] === 'query');
  if (params.length === 0) return [];
  return [
    `Query: ${params.map((p) => `\`${p['name']}\`${p['required'] ? '' : ' (optional)'}`).join(', ')}.`,
    '',
  ];
}

function operationSection(document: Json, method: string, path: string, op: Json): string[] {
  const responses = op['responses'] as Json;
  const statuses = Object.keys(responses);
  const success = statuses.find((s) => s.startsWith('2')) ?? '';
  const errors = statuses
    .filter((s) => !s.startsWith('2'))
    .map(
      (s) =>
        `\`${s}\` ${((responses[s]?.['x-error-codes'] as string[] | undefined) ?? []).map((c) => `\`${c}\``).join(', ')}`,
    );
  const idempotent = ((op['parameters'] as Json[] | undefined) ?? []).some((p) =>
    String(p['$ref'] ?? '').endsWith('/IdempotencyKey'),
  );
  const body = op['requestBody']?.['content']?.['application/json']?.['schema'] as Json | undefined;
  const successSchema = responses[success]?.['content']?.['application/json']?.['schema'] as Json | undefined;
  return [
    `### \`${method} ${path}\` — ${op['summary']}`,
    '',
    `${op['description'] ?? ''}${idempotent ? ' Requires an `Idempotency-Key`.' : ''}`.trim(),
    '',
    ...parametersOf(op),
    ...(body ? ['Body:', '', ...fieldsTable(document, body), ''] : []),
    `Answers \`${success}\` ${cell(responses[success]?.['description'])} (\`${typeOf(successSchema)}\`).`,
    '',
    `Errors: ${errors.join('; ')}.`,
    '',
  ];
}

/** docs/API.md for `document` (shared/openapi/document.ts `buildOpenApiDocument`). */
export function renderApiReference(document: Json): string {
  const ops = operations(document);
  const tags = [...new Set(ops.map((o) => String((o.op['tags'] as string[] | undefined)?.[0] ?? 'other')))];
  const lines = [CONVENTIONS, '## Routes', ''];
  lines.push('| method | path | summary |', '|---|---|---|');
  for (const { method, path, op } of ops) lines.push(`| ${method} | \`${path}\` | ${cell(op['summary'])} |`);
  lines.push('');
  for (const tag of tags) {
    lines.push(`## ${tag}`, '');
    for (const { method, path, op } of ops.filter((o) => (o.op['tags'] as string[] | undefined)?.[0] === tag))
      lines.push(...operationSection(document, method, path, op));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
