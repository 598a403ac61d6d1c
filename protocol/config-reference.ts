// Renders docs/CONFIGURATION.md from the two schemas that define configuration (protocol/env.ts and
// protocol/config-keys.ts), so the reference cannot drift: a test compares the file with this output.
//   writeFileSync('docs/CONFIGURATION.md', renderConfigReference())

import { z } from 'zod';
import { EnvSchema } from './env.ts';
import { ConfigKeys } from './config-keys.ts';

function describeType(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const parts: string[] = [];
  const type = json.type ?? (json.enum ? 'enum' : json.anyOf ? 'any of' : '');
  if (json.enum) parts.push((json.enum as unknown[]).map((v) => `\`${v}\``).join(' or '));
  else if (type === 'array') {
    const items = json.items as Record<string, unknown> | undefined;
    parts.push(
      `list of ${items?.type ?? 'values'}${json.minItems !== undefined && json.minItems === json.maxItems ? ` (exactly ${json.minItems})` : ''}`,
    );
    if (items?.minimum !== undefined) parts.push(`each ${items.minimum}–${items.maximum}`);
  } else if (type) parts.push(String(type));
  if (json.minimum !== undefined && json.maximum !== undefined) parts.push(`${json.minimum}–${json.maximum}`);
  else if (json.minimum !== undefined) parts.push(`≥ ${json.minimum}`);
  else if (json.exclusiveMinimum !== undefined) parts.push(`> ${json.exclusiveMinimum}`);
  if (json.format) parts.push(String(json.format));
  return parts.join(', ') || 'text';
}

function defaultOf(schema: z.ZodType): unknown {
  const parsed = schema.safeParse(undefined);
  return parsed.success ? parsed.data : undefined;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const show = (v: unknown) => (v === undefined ? '—' : `\`${JSON.stringify(v)}\``);

export function renderConfigReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    'Generated from `protocol/env.ts` and `protocol/config-keys.ts` by `npm run docs:config`; a test fails when this',
    'file and the schemas disagree. Never edit it by hand.',
    '',
    '## Environment variables',
    '',
    'Read once at start. A wrong value stops the process with a message naming the variable (exit code 2).',
    '',
    '| variable | type / range | default | meaning |',
    '|---|---|---|---|',
  ];
  for (const [name, schema] of Object.entries(EnvSchema.shape)) {
    const s = schema as z.ZodType;
    lines.push(`| \`${name}\` | ${cell(describeType(s))} | ${show(defaultOf(s))} | ${cell(s.description ?? '')} |`);
  }
  lines.push(
    '',
    '## Dynamic configuration (KV bucket `mutt_config`)',
    '',
    'Changed at run time with `mutt config set KEY VALUE`, `PUT /api/v2/config/KEY` or the web UI; every actor sees',
    'the change within a second (KV watch), no restart. Each write is validated against the schema below (a bad',
    'value is refused with the constraint it broke) and recorded in the config audit.',
    '',
    '| key | read by | type / range | default | meaning |',
    '|---|---|---|---|---|',
  );
  for (const [key, spec] of Object.entries(ConfigKeys)) {
    lines.push(`| \`${key}\` | ${spec.actor} | ${cell(describeType(spec.schema))} | ${show(spec.default)} | ${cell(spec.description)} |`);
  }
  return lines.join('\n') + '\n';
}
