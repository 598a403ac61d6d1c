// The browsable API reference served at /api/v2/docs: the OpenAPI document rendered as one self-contained
// HTML page (inline CSS, no script, no CDN), grouped by tag, every operation with scope, parameters, request
// body and responses with their examples, and every named schema. All text is HTML-escaped.
//   c.html(renderApiHtml(document))

import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './document.ts';
import { refName, schemaText } from './schema-text.ts';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const json = (v: unknown) => `<pre><code>${esc(JSON.stringify(v, null, 2))}</code></pre>`;
const anchor = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

function schemaLink(s: JsonSchema | undefined): string {
  if (s && typeof s.$ref === 'string') return `<a href="#schema-${anchor(refName(s.$ref))}">${esc(refName(s.$ref))}</a>`;
  if (s && s.type === 'array' && (s.items as JsonSchema | undefined)?.$ref) return `${schemaLink(s.items as JsonSchema)}[]`;
  return esc(schemaText(s));
}

function operation(path: string, method: string, op: OpenApiOperation): string {
  const params = op.parameters ?? [];
  const scope = op['x-mutt-scope'];
  const out: string[] = [];
  out.push(`<section class="op${op.deprecated ? ' deprecated' : ''}" id="${esc(op.operationId)}">`);
  out.push(`<h3><span class="m m-${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>`);
  out.push(`<p class="summary">${esc(op.summary)}</p>`);
  if (op.description) out.push(`<p>${esc(op.description)}</p>`);
  out.push(
    `<p class="meta">${scope ? `API key scope <b>${esc(scope)}</b>` : 'Public (no API key)'}${op.deprecated ? ` · <b>deprecated</b>: use <code>${esc(op['x-mutt-successor'])}</code>; sunset ${esc(op['x-mutt-sunset'])}` : ''}</p>`,
  );
  if (params.length) {
    out.push('<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>');
    for (const p of params)
      out.push(
        `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${schemaLink(p.schema)}</td><td>${esc(p.description ?? '')}</td></tr>`,
      );
    out.push('</tbody></table>');
  }
  if (op.requestBody) {
    for (const [type, c] of Object.entries(op.requestBody.content)) {
      out.push(`<h4>Request body <code>${esc(type)}</code>${op.requestBody.required ? '' : ' (optional)'}: ${schemaLink(c.schema)}</h4>`);
      if (c.example !== undefined) out.push(typeof c.example === 'string' ? `<pre><code>${esc(c.example)}</code></pre>` : json(c.example));
    }
  }
  out.push('<h4>Responses</h4><table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th></tr></thead><tbody>');
  for (const [status, r] of Object.entries(op.responses)) {
    const c = r.content ? Object.values(r.content)[0] : undefined;
    out.push(`<tr><td>${esc(status)}</td><td>${esc(r.description)}</td><td>${c ? schemaLink(c.schema) : ''}</td></tr>`);
  }
  out.push('</tbody></table>');
  for (const [status, r] of Object.entries(op.responses)) {
    const c = r.content ? Object.values(r.content)[0] : undefined;
    if (c?.example !== undefined) out.push(`<details><summary>Example ${esc(status)} response</summary>${json(c.example)}</details>`);
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderApiHtml(doc: OpenApiDocument): string {
  const byTag = new Map<string, { path: string; method: string; op: OpenApiOperation }[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const list = byTag.get(op.tags[0]) ?? [];
      list.push({ path, method, op });
      byTag.set(op.tags[0], list);
    }
  }
  const toc = doc.tags
    .map(
      (t) =>
        `<li><a href="#tag-${anchor(t.name)}">${esc(t.name)}</a><ul>${(byTag.get(t.name) ?? []).map((o) => `<li><a href="#${esc(o.op.operationId)}"${o.op.deprecated ? ' class="dep"' : ''}>${o.method.toUpperCase()} ${esc(o.path)}</a></li>`).join('')}</ul></li>`,
    )
    .join('');
  const sections = doc.tags
    .map(
      (t) =>
        `<h2 id="tag-${anchor(t.name)}">${esc(t.name)}</h2>${t.description ? `<p>${esc(t.description)}</p>` : ''}${(byTag.get(t.name) ?? []).map((o) => operation(o.path, o.method, o.op)).join('\n')}`,
    )
    .join('\n');
  const schemas = Object.entries(doc.components.schemas)
    .map(
      ([name, s]) =>
        `<section class="schema" id="schema-${anchor(name)}"><h3>${esc(name)}</h3>${typeof s.description === 'string' ? `<p>${esc(s.description)}</p>` : ''}${json(s)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:1rem 2rem}header p{margin:.25rem 0 0;color:#c9d1e0}
.wrap{display:flex;align-items:flex-start}nav{width:22rem;flex:none;position:sticky;top:0;max-height:100vh;overflow:auto;padding:1rem;font-size:13px;background:#fff;border-right:1px solid #e1e4ea}
nav ul{list-style:none;padding-left:.75rem;margin:.25rem 0}nav a{color:#2a4d9b;text-decoration:none}nav a.dep{color:#8a8f99;text-decoration:line-through}
main{padding:1rem 2rem;max-width:70rem;min-width:0}h2{border-bottom:2px solid #1d2330;margin-top:2rem}
.op,.schema{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}.op.deprecated{opacity:.8}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.m-get{background:#2a7d4f}.m-post{background:#2a4d9b}.m-put{background:#a86b00}.m-patch{background:#7a4ca8}.m-delete{background:#b3261e}
.summary{font-weight:600}.meta{color:#555;font-size:13px}.req{color:#b3261e;font-size:11px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:.5rem 0}td,th{border:1px solid #e1e4ea;padding:4px 6px;text-align:left;vertical-align:top}
pre{background:#f0f2f5;padding:.5rem;overflow:auto;font-size:12px;border-radius:4px}code{font-family:ui-monospace,Menlo,Consolas,monospace}
</style></head><body>
<header><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p><p>OpenAPI 3.1 document: <a style="color:#fff" href="/api/v2/openapi.json">/api/v2/openapi.json</a></p></header>
<div class="wrap"><nav><ul>${toc}<li><a href="#schemas">schemas</a></li></ul></nav>
<main>${sections}
<h2 id="schemas">Schemas</h2>
${schemas}
</main></div></body></html>
`;
}
