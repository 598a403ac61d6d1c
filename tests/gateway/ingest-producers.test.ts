// The direct-NATS producer examples in deploy/producers/ really work: what they publish lands in MUTT_EVENTS on
// the subject protocol/subjects.ts would choose, decodes as an IngestEvent, and dedupes on Nats-Msg-Id.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';

const PY = 'deploy/producers/send_event.py';
const SH = 'deploy/producers/send-event.sh';
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory', MUTT_EVENTS_MAX_MSGS: '5' }));
  jsm = await jetstreamManager(nc);
});
test.after(async () => {
  await nc?.close();
  await nats?.stop();
});

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, NATS_URL: nats.url }, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

async function stored(subject: string) {
  const m = await jsm.streams.getMessage(StreamName.events, { last_by_subj: subject });
  const r = decode(IngestEvent, m!.data, m!.header?.get('Content-Type'));
  if (!r.ok) throw r.error;
  return { event: r.value, msgId: m!.header?.get('Nats-Msg-Id'), host: m!.header?.get('Mutt-Host') };
}

test('send_event.py: schema-valid syslog and trap events on the right subjects, deduped by --id', async () => {
  const host = 'Core-SW1.Example.com';
  let r = await run('python3', [PY, host, 'LINK-3-UPDOWN: "Gi0/1"\ndown', '--severity', 'error', '--id', 'py-evt-1', '--trap-oid', '1.3.6.1.4.1.9']);
  assert.is(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { subject: string; ack: { seq: number; duplicate?: boolean } };
  assert.is(out.subject, subjects.event('syslog', host));
  const { event, msgId, host: hostHeader } = await stored(out.subject);
  assert.is(event.kind, 'syslog');
  assert.is(event.id, 'py-evt-1');
  assert.is(msgId, 'py-evt-1');
  assert.is(hostHeader, host);
  assert.is(event.severity, 3);
  assert.is(event.trapOid, '.1.3.6.1.4.1.9');
  assert.is(event.message, 'LINK-3-UPDOWN: "Gi0/1"\ndown');
  assert.equal(event.source.input, 'nats');
  r = await run('python3', [PY, host, 'resent', '--id', 'py-evt-1']);
  assert.is(r.code, 0);
  assert.is((JSON.parse(r.out) as { ack: { duplicate?: boolean } }).ack.duplicate, true);
  r = await run('python3', [PY, 'sw2.lab', '', '--kind', 'trap', '--trap-oid', '.1.3.6.1.6.3.1.1.5.3']);
  assert.is(r.code, 0, r.err);
  const trap = await stored(subjects.event('trap', 'sw2.lab'));
  assert.is(trap.event.kind, 'trap');
});

test('send-event.sh: bash alone publishes a schema-valid event; odd characters are escaped', async () => {
  const r = await run('bash', [SH, 'edge fw.lab', 'quote " backslash \\ tab\t ünï', '4']);
  assert.is(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { subject: string };
  assert.is(out.subject, subjects.event('syslog', 'edge fw.lab'));
  const { event } = await stored(out.subject);
  assert.is(event.message, 'quote " backslash \\ tab\t ünï');
  assert.is(event.severity, 4);
  assert.is(event.host, 'edge fw.lab');
  const bad = await run('bash', [SH, 'h', 'm', '9']);
  assert.is(bad.code, 1);
});

test('both say "retry later" (exit 75) when MUTT_EVENTS is full', async () => {
  while ((await jsm.streams.info(StreamName.events)).state.messages < 5) await run('python3', [PY, 'filler', 'x']);
  const py = await run('python3', [PY, 'full', 'x']);
  assert.is(py.code, 75);
  assert.match(py.out, /maximum messages exceeded/);
  const sh = await run('bash', [SH, 'full', 'x']);
  assert.is(sh.code, 75);
});

test.run();
