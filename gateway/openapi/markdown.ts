// docs/API.md from the OpenAPI document: every route with its scope, parameters, request body and responses,
// with examples, then every named schema. Deterministic, so a test can compare the committed file with a
// fresh rendering (tests/api/openapi.test.ts); regenerate with
//   node --import tsx gateway/openapi/api-md.ts > docs/API.md

import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './document.ts';
import { refName, schemaText } from './schema-text.ts';

const cell = (s: unknown) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const code = (v: unknown, lang = 'json') =>
  `\`\`\`${lang}\n${typeof v === 'string' && lang !== 'json' ? v.replace(/\n$/, '') : JSON.stringify(v, null, 2)}\n\`\`\``;
const anchor = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function type(s: JsonSchema | undefined): string {
  if (s && typeof s.$ref === 'string') return `[${refName(s.$ref)}](#schema-${anchor(refName(s.$ref))})`;
  if (s && s.type === 'array' && (s.items as JsonSchema | undefined)?.$ref) return `${type(s.items as JsonSchema)}[]`;
  return `\`${schemaText(s)}\``;
}

function operation(path: string, method: string, op: OpenApiOperation): string {
  const out: string[] = [];
  out.push(`<a id="${op.operationId}"></a>`);
  out.push(`### \`${method.toUpperCase()} ${path}\``);
  out.push('');
  out.push(`**${op.summary}**${op.deprecated ? ` — *deprecated*: use \`${op['x-mutt-successor']}\` (sunset ${op['x-mutt-sunset']})` : ''}`);
  out.push('');
  if (op.description) out.push(op.description, '');
  out.push(op['x-mutt-scope'] ? `Scope: \`${op['x-mutt-scope']}\`` : 'Public: no API key.', '');
  if (op.parameters?.length) {
    out.push('| Parameter | In | Type | Required | Description |', '|---|---|---|---|---|');
    for (const p of op.parameters)
      out.push(`| \`${p.name}\` | ${p.in} | ${cell(type(p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(p.description ?? '')} |`);
    out.push('');
  }
  if (op.requestBody) {
    for (const [ct, c] of Object.entries(op.requestBody.content)) {
      out.push(`Request body (\`${ct}\`${op.requestBody.required ? '' : ', optional'}): ${type(c.schema)}`, '');
      if (c.example !== undefined) out.push(typeof c.example === 'string' ? code(c.example, 'text') : code(c.example), '');
    }
  }
  out.push('| Status | Meaning | Body |', '|---|---|---|');
  for (const [status, r] of Object.entries(op.responses)) {
    const c = r.content ? Object.values(r.content)[0] : undefined;
    out.push(`| ${status} | ${cell(r.description)} | ${c ? cell(type(c.schema)) : ''} |`);
  }
  out.push('');
  for (const [status, r] of Object.entries(op.responses)) {
    const c = r.content ? Object.values(r.content)[0] : undefined;
    if (c?.example !== undefined) out.push(`Example ${status}:`, '', code(c.example), '');
  }
  return out.join('\n');
}

export function renderApiMarkdown(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0];
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(operation(path, method, op));
      (toc.get(tag) ?? toc.set(tag, []).get(tag)!).push(
        `  - [\`${method.toUpperCase()} ${path}\`](#${op.operationId})${op.deprecated ? ' (v1, deprecated)' : ''}`,
      );
    }
  }
  const parts: string[] = [
    `# ${doc.info.title}`,
    '',
    '<!-- Generated from the OpenAPI document (gateway/openapi/markdown.ts). Do not edit: run',
    '     node --import tsx gateway/openapi/api-md.ts > docs/API.md',
    '     tests/api/openapi.test.ts fails when this file and the API disagree. -->',
    '',
    `Version ${doc.info.version}. ${doc.info.description}`,
    '',
    'The same reference is served by the gateway as OpenAPI 3.1 at `GET /api/v2/openapi.json` and as a page at `GET /api/v2/docs`.',
    '',
    '- **Authentication**: `X-API-Key: <key>` or `Authorization: Bearer <key>` (never a query string). `read` scope for reads, `admin` for writes (admin implies read). 401 without a valid key, 403 without the scope, 429 after repeated failures.',
    '- **Errors**: `{"error": "…", "issues": [{"path": "field", "message": "…"}]}` with a 4xx status; bad input is never a 500.',
    '- **Revisions**: rules, hosts, teams and config keys answer their KV revision as `ETag`; send it back as `If-Match` to change only that version (412 when someone else changed it).',
    "- **Who and why**: every change is recorded in the config audit with the key's name, the `X-Correlation-ID`, and the reason from `X-Change-Reason` (or a `reason` field).",
    '- **Pages**: audit and DLQ lists page by stream sequence: pass `next_cursor` back as `cursor`.',
    "- **v1**: `/api/v1/*` are v2.5's routes, kept as deprecated aliases with `Deprecation`, `Sunset`, `Link` and `X-API-Deprecated` headers.",
    '',
    '## Contents',
    '',
    ...doc.tags.flatMap((t) => [`- [${t.name}](#${anchor(t.name)})`, ...(toc.get(t.name) ?? [])]),
    '- [Schemas](#schemas)',
    '',
  ];
  for (const t of doc.tags) {
    parts.push(`## ${t.name}`, '');
    if (t.description) parts.push(t.description, '');
    parts.push(...(byTag.get(t.name) ?? []));
  }
  parts.push('## Schemas', '');
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    parts.push(`<a id="schema-${anchor(name)}"></a>`, `### ${name}`, '');
    if (typeof s.description === 'string') parts.push(s.description, '');
    parts.push(code(s), '');
  }
  return (
    parts
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}
