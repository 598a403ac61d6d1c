// The nats CLI commands the docs give: the runbook block of docs/OPERATIONS.md (the ```sh block after the
// `ci:natscli` marker, run as written by runbook.test.ts) and every `nats …` mentioned anywhere in docs/ and
// README.md (each must be a command some test in tests/natscli runs).
//   runbookCommands() -> ['nats server check jetstream', 'nats stream ls', ...]
//   shellWords("nats sub 'mutt.health.>' --count 3") -> ['nats', 'sub', 'mutt.health.>', '--count', '3']

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/shipped.ts';

export function runbookCommands(file = join(ROOT, 'docs/OPERATIONS.md')): string[] {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('<!-- ci:natscli -->');
  if (at < 0) throw new Error(`${file} has no <!-- ci:natscli --> marker before its nats CLI block`);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`${file}: no \`\`\`sh block after the ci:natscli marker`);
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('nats '));
}

/** Splits one command line like sh does for the plain words and single quotes the docs use. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** Every `nats <verb> …` in inline code or a shell block of the docs: [file, command text]. */
export function docMentions(): Array<[string, string]> {
  const files = [
    join(ROOT, 'README.md'),
    ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.md') && !f.endsWith('CHANGELOG.md'))
      .map((f) => join(ROOT, 'docs', f)),
  ];
  const found: Array<[string, string]> = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/`(nats [a-z][^`\n]*)`/g)) found.push([file, m[1]]);
    for (const b of text.matchAll(/```(?:sh|bash|console)?\n([\s\S]*?)```/g)) {
      for (const l of b[1].split('\n')) if (/^\s*nats [a-z]/.test(l)) found.push([file, l.trim()]);
    }
  }
  return found;
}

/** The command a mention names: the words before the first argument that is not a sub-command (e.g. 'nats stream view'). */
export function commandName(text: string): string {
  const words = shellWords(text);
  const verbs = ['nats'];
  for (const w of words.slice(1)) {
    if (!/^[a-z][a-z-]*$/.test(w) || verbs.length === 3) break;
    verbs.push(w);
  }
  return verbs.join(' ');
}
