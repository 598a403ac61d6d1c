import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { apiDocument, apiRegistry } from '../../gateway/api/management.ts';
import { gitCommit } from '../../gateway/api/version.ts';
import { openApiPath, type JsonSchema } from '../../gateway/openapi/document.ts';
import { renderApiMarkdown } from '../../gateway/openapi/markdown.ts';
import { renderApiHtml } from '../../gateway/openapi/html.ts';
import { schemaText } from '../../gateway/openapi/schema-text.ts';
import { apiFixture, type ApiFixture } from './fixture.ts';

const t = suite('OpenAPI document, reference page and docs/API.md');
let f: ApiFixture;

t.before(async () => {
  f = await apiFixture();
});
t.after(async () => {
  await f?.close();
});

// The ingest routes are declared like the management API's (gateway/api/route.ts), so they are in the document too.
t('every mounted API and ingest route is documented, and every documented route is mounted', () => {
  const mounted = new Set(
    f.app.routes
      .filter((r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || r.path === '/ingest'))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
  );
  for (const ingest of ['post /ingest', 'post /api/v1/ingest', 'post /api/v2/events']) assert.ok(mounted.has(ingest), ingest);
  const doc = apiDocument();
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`)));
  assert.equal([...mounted].sort(), [...documented].sort());
  assert.ok(documented.size >= 60, `${documented.size} operations`);
});

t('structure: OpenAPI 3.1, refs resolve, path parameters declared, v1 marked deprecated, writes need admin', () => {
  const doc = apiDocument();
  assert.is(doc.openapi, '3.1.0');
  const text = JSON.stringify(doc);
  for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
    assert.ok(doc.components.schemas[m[1]], `dangling ref ${m[1]}`);
  assert.not.match(text, /\$defs/);
  for (const [path, methods] of Object.entries(doc.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(methods)) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      assert.equal(declared, names, `${method} ${path}`);
      assert.is(!!op.deprecated, path.startsWith('/api/v1/'), `${method} ${path} deprecation`);
      if (method !== 'get' && op['x-mutt-scope'] !== null && !op.operationId.startsWith('test'))
        assert.is(op['x-mutt-scope'], op.tags[0] === 'ingest' ? 'ingest' : 'admin', `${method} ${path}`);
      if (op['x-mutt-scope']) assert.ok(op.responses['401'] && op.responses['403'], `${method} ${path} documents auth errors`);
      else assert.is(op.security?.length, 0);
    }
  }
});

t('every example matches the schema it illustrates', () => {
  for (const op of apiRegistry().operations) {
    for (const [status, r] of Object.entries(op.responses)) {
      if (r.example === undefined || !r.schema) continue;
      const parsed = r.schema.safeParse(r.example);
      assert.ok(parsed.success, `${op.operationId} ${status}: ${JSON.stringify(parsed.error?.issues)}`);
    }
    if (op.body?.example !== undefined) {
      const parsed = op.body.schema.safeParse(op.body.example);
      assert.ok(parsed.success, `${op.operationId} body: ${JSON.stringify(parsed.error?.issues)}`);
    }
  }
});

t('docs/API.md is the rendering of the current document (regenerate: node --import tsx gateway/openapi/api-md.ts > docs/API.md)', () => {
  const committed = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
  const fresh = renderApiMarkdown(apiDocument());
  if (committed !== fresh) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.unreachable(`docs/API.md differs from the API at line ${line + 1}:\n  committed: ${a[line]}\n  expected:  ${b[line]}`);
  }
  for (const path of Object.keys(apiDocument().paths)) assert.ok(committed.includes(path), path);
  const printed = execFileSync(process.execPath, ['--import', 'tsx', 'gateway/openapi/api-md.ts'], {
    cwd: new URL('../../', import.meta.url).pathname,
    encoding: 'utf8',
  });
  assert.ok(printed === committed, 'the documented regeneration command prints docs/API.md');
});

t('GET /api/v2/openapi.json is public and is the document', async () => {
  const r = await f.call('GET', '/api/v2/openapi.json', { key: null });
  assert.is(r.status, 200);
  assert.equal(r.body, JSON.parse(JSON.stringify(apiDocument())));
});

t('GET /api/v2/docs: self-contained HTML (no script, no external resource), every route, escaped text', async () => {
  const r = await f.call('GET', '/api/v2/docs', { key: null });
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.match(r.text, /^<!doctype html>/);
  assert.not.match(r.text, /<script/i);
  assert.not.match(r.text, /(src|href)="https?:/i);
  assert.not.match(r.text, /<link /i);
  for (const op of apiRegistry().operations) assert.ok(r.text.includes(`id="${op.operationId}"`), op.operationId);
  const doc = apiDocument();
  doc.info.title = '<img src=x onerror=alert(1)>';
  const html = renderApiHtml(doc);
  assert.not.match(html, /<img src=x/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

t('schema text for tables', () => {
  const cases: [JsonSchema, string][] = [
    [{ type: 'integer', minimum: 1, maximum: 500, default: 100 }, 'integer (1–500, default 100)'],
    [{ type: 'string', enum: ['asc', 'desc'] }, 'one of: "asc" | "desc"'],
    [{ anyOf: [{ type: 'string' }, { type: 'null' }] }, 'string or null'],
    [{ type: 'array', items: { $ref: '#/components/schemas/Rule' } }, 'Rule[]'],
    [{ type: 'string', minLength: 1 }, 'string (≥ 1)'],
    [{ type: 'string', maxLength: 9, pattern: '^a' }, 'string (≤ 9, pattern ^a)'],
    [{ type: ['string', 'null'] }, 'string or null'],
    [{ const: true }, 'true'],
    [{}, 'any'],
    [{ type: 'string', format: 'date-time' }, 'string (date-time)'],
  ];
  for (const [s, text] of cases) assert.is(schemaText(s), text);
  assert.is(schemaText(z.toJSONSchema(z.string().min(2).max(3)) as JsonSchema), 'string (2–3 chars)');
});

t('the commit comes from .git: a branch ref, a packed ref, a detached HEAD, or nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutt-git-'));
  try {
    const sha = 'a'.repeat(40);
    assert.is(gitCommit(dir), null, 'not a checkout');
    mkdirSync(join(dir, '.git/refs/heads'), { recursive: true });
    writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(dir, '.git/refs/heads/main'), `${sha}\n`);
    assert.is(gitCommit(dir), sha);
    rmSync(join(dir, '.git/refs/heads/main'));
    writeFileSync(join(dir, '.git/packed-refs'), `# pack-refs\n${'b'.repeat(40)} refs/heads/main\n`);
    assert.is(gitCommit(dir), 'b'.repeat(40));
    writeFileSync(join(dir, '.git/HEAD'), `${'c'.repeat(40)}\n`);
    assert.is(gitCommit(dir), 'c'.repeat(40));
    writeFileSync(join(dir, '.git/HEAD'), 'garbage');
    assert.is(gitCommit(dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
