// Log lines are JSON objects that log shippers parse: a key must never appear twice in one line (pino writes a
// child's bindings after its parent's without merging them, so `actor` bound twice used to appear twice).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createLogger } from '../../actors/runtime/logger.ts';

function capture() {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, dest };
}

/** Every key of a JSON object's text, in order, duplicates included (JSON.parse would keep only the last). */
function rawKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  const re = /"((?:[^"\\]|\\.)*)"\s*(:)?|[{}[\]]/g;
  for (let m; (m = re.exec(line));) {
    if (m[0] === '{' || m[0] === '[') depth++;
    else if (m[0] === '}' || m[0] === ']') depth--;
    else if (m[2] && depth === 1) keys.push(m[1]);
  }
  return keys;
}

test('a child that re-binds a key of its parent writes it once', () => {
  const { lines, dest } = capture();
  const log = createLogger('info', dest);
  const actor = log.child({ actor: 'alerter' });
  actor.child({ actor: 'alerter', seq: 7 }).info('handled');
  actor.child({ pid: process.pid }).info({ pid: process.pid }, 'same pid');
  for (const l of lines) {
    const keys = rawKeys(l);
    assert.equal(keys.length, new Set(keys).size, `duplicate key in ${l}`);
  }
  const first = JSON.parse(lines[0]);
  assert.is(first.actor, 'alerter');
  assert.is(first.seq, 7);
});

test('a different value under a bound key is kept, renamed, not lost', () => {
  const { lines, dest } = capture();
  const log = createLogger('info', dest).child({ actor: 'alerter' });
  log.info({ actor: 'forwarder' }, 'x');
  log.child({ pid: 12345 }).info('embedded nats');
  const [a, b] = lines.map((l) => JSON.parse(l));
  assert.is(a.actor, 'alerter');
  assert.is(a.actor_2, 'forwarder');
  assert.is(b.pid, process.pid);
  assert.is(b.pid_2, 12345);
  for (const l of lines) assert.equal(rawKeys(l).length, new Set(rawKeys(l)).size, l);
});

test.run();
