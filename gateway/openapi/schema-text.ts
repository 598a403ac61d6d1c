// One-line descriptions of JSON Schemas for people: what the HTML reference and docs/API.md print in
// parameter tables ("integer 1–500, default 100", "one of: asc | desc", "Rule[]").
//   schemaText({ type: 'integer', minimum: 1, maximum: 500, default: 100 }) === 'integer 1–500, default 100'

import type { JsonSchema } from './document.ts';

export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

export function schemaText(s: JsonSchema | undefined): string {
  if (!s || Object.keys(s).length === 0) return 'any';
  if (typeof s.$ref === 'string') return refName(s.$ref);
  const extras: string[] = [];
  let base: string;
  if (Array.isArray(s.enum)) base = `one of: ${(s.enum as unknown[]).map((v) => JSON.stringify(v)).join(' | ')}`;
  else if (s.const !== undefined) base = `${JSON.stringify(s.const)}`;
  else if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) base = ((s.anyOf ?? s.oneOf) as JsonSchema[]).map(schemaText).join(' or ');
  else if (s.type === 'array') base = `${schemaText(s.items as JsonSchema)}[]`;
  else if (Array.isArray(s.type)) base = (s.type as string[]).join(' or ');
  else if (typeof s.type === 'string') base = s.type === 'object' && !s.properties ? 'object' : String(s.type);
  else base = 'any';
  if (typeof s.format === 'string') extras.push(s.format);
  const min = s.minimum ?? s.minLength ?? s.minItems;
  const max = s.maximum ?? s.maxLength ?? s.maxItems;
  if (min !== undefined && max !== undefined) extras.push(`${min}–${max}${s.minLength !== undefined ? ' chars' : ''}`);
  else if (min !== undefined) extras.push(`≥ ${min}`);
  else if (max !== undefined) extras.push(`≤ ${max}`);
  if (typeof s.pattern === 'string' && s.format === undefined) extras.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) extras.push(`default ${JSON.stringify(s.default)}`);
  return extras.length ? `${base} (${extras.join(', ')})` : base;
}
