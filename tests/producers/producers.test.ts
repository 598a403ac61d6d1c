// The producer examples of deploy/producers/ (Go with nats.go, Python with nats-py, the nats CLI command of
// docs/PRODUCERS.md) against the shipped MUTT: `mutt up` on the shipped nats.conf with TLS on, the producers
// connecting over TLS as the least-privilege `syslog` user, and each event reaching the fake Moogsoft as an
// alert. Then, on a plain nats-server, the retry paths (MUTT not set up yet, MUTT_EVENTS full) and the
// subject/body each example builds for awkward host names.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import type { ShippedNats } from '../deploy/nats-server.ts';
import type { Certs } from '../deploy/helpers.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { decode } from '../../protocol/codec.ts';
import { IngestEvent } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { startTlsShippedNats } from './tls-nats.ts';
import {
  buildGoProducer,
  documentedCliCommand,
  inboxPrefixFor,
  produce,
  produceInBackground,
  runNatsCli,
  type Conn,
  type Lang,
} from './producer-run.ts';

const LANGS: Lang[] = ['go', 'python'];
let goBinary: string;

interface Out {
  subject: string;
  id: string;
  stream: string;
  seq: number;
  duplicate: boolean;
  attempts: number;
}
const parseOut = (stdout: string): Out => JSON.parse(stdout) as Out;

// --- the whole pipeline ------------------------------------------------------------------------------------

const pipeline = suite('producer examples -> shipped MUTT (TLS, syslog user) -> fake Moogsoft');
let shippedNats: ShippedNats;
let certs: Certs;
let mutt: Shipped;
let asSyslog: Conn;

const alertsWith = (text: string) => mutt.moog!.events(0, 1_000_000).filter((e) => JSON.stringify(e.event).includes(text));
const waitForAlert = (text: string) => waitFor(() => alertsWith(text).length > 0, 20_000, `an alert with "${text}" at the fake Moogsoft`);

pipeline.before(async () => {
  goBinary = await buildGoProducer();
  ({ nats: shippedNats, certs } = await startTlsShippedNats());
  mutt = await startShipped({
    natsUrl: shippedNats.url,
    env: { NATS_USER: 'admin', NATS_PASS: shippedNats.passwords.admin, NATS_TLS_CA: certs.ca },
  });
  const r = await mutt.request('POST', '/api/v2/rules', {
    id: 'producer-examples',
    match_type: 'contains',
    match_string: 'producer-example',
    prod_handling: 'page_and_ticket',
    dev_handling: 'page_and_ticket',
    team_assignment: 'PRODUCERS',
  });
  assert.is(r.status, 201, await r.text());
  const docs = await mutt.request('POST', '/api/v2/rules', {
    id: 'producer-docs-example',
    match_type: 'contains',
    match_string: 'LINK-3-UPDOWN',
    prod_handling: 'page_and_ticket',
    dev_handling: 'page_and_ticket',
    team_assignment: 'PRODUCERS',
  });
  assert.is(docs.status, 201, await docs.text());
  await mutt.canary(); // rules reach the alerter through a KV watch: the canary's, written after ours, has arrived
  asSyslog = {
    url: shippedNats.url,
    user: 'syslog',
    pass: shippedNats.passwords.syslog,
    ca: certs.ca,
    inboxPrefix: inboxPrefixFor('syslog'),
  };
});

pipeline.after(async () => {
  await mutt?.stop();
  await shippedNats?.stop();
});

for (const lang of LANGS) {
  pipeline(`${lang}: an event published over TLS as the syslog user becomes an alert`, async () => {
    const marker = `producer-example-${lang}-${randomUUID()}`;
    const host = `${lang}-router.example.com`;
    const r = await produce(lang, goBinary, asSyslog, ['--severity', 'critical', host, `${marker} LINK-3-UPDOWN Gi0/1 down`]);
    assert.is(r.code, 0, r.stderr);
    const out = parseOut(r.stdout);
    assert.is(out.subject, subjects.event('syslog', host));
    assert.is(out.stream, 'MUTT_EVENTS');
    assert.is(out.duplicate, false);
    await waitForAlert(marker);
    assert.match(JSON.stringify(alertsWith(marker)[0]!.event), host);
  });
}

pipeline('nats CLI: the command in docs/PRODUCERS.md, run as written, becomes an alert', async () => {
  const command = documentedCliCommand();
  const id = /Nats-Msg-Id: ?([^"'\s]+)/.exec(command)?.[1];
  assert.ok(id, 'the documented command sets Nats-Msg-Id');
  assert.match(command, /--jetstream/);
  const r = await runNatsCli(command, asSyslog);
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout + r.stderr, /Stored in Stream: MUTT_EVENTS/);
  await waitForAlert(id!);
  // Sent again (a retry after a lost ack), it is the same stored message.
  const again = await runNatsCli(command, asSyslog);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout + again.stderr, /Duplicate: true/);
});

pipeline('dedupe: one Nats-Msg-Id sent by Go and then by Python is stored once, the second body never alerts', async () => {
  const id = `dedupe-${randomUUID()}`;
  const first = `producer-example-first-${randomUUID()}`;
  const second = `producer-example-second-${randomUUID()}`;
  const a = await produce('go', goBinary, asSyslog, ['--id', id, 'dedupe.example.com', first]);
  assert.is(a.code, 0, a.stderr);
  const b = await produce('python', goBinary, asSyslog, ['--id', id, 'dedupe.example.com', second]);
  assert.is(b.code, 0, b.stderr);
  assert.is(parseOut(a.stdout).duplicate, false);
  assert.is(parseOut(b.stdout).duplicate, true, 'JetStream recognised the id');
  assert.is(parseOut(b.stdout).seq, parseOut(a.stdout).seq, 'the PubAck names the message stored the first time');
  // A later event through the same ordered pipeline: once it has alerted, the second body would have too.
  const fence = `producer-example-fence-${randomUUID()}`;
  assert.is((await produce('go', goBinary, asSyslog, ['dedupe.example.com', fence])).code, 0);
  await waitForAlert(fence);
  assert.is(alertsWith(first).length, 1);
  assert.is(alertsWith(second).length, 0);
});

for (const lang of LANGS) {
  pipeline(
    `${lang}: refused at once (exit 1, no retry) where the user may not publish or subscribe, or the CA is not trusted`,
    async () => {
      // The syslog user may publish mutt.events.syslog.> only.
      const trap = await produce(lang, goBinary, asSyslog, [
        '--kind',
        'trap',
        '--attempts',
        '5',
        'sw1.example.com',
        'producer-example trap',
      ]);
      assert.is(trap.code, 1, trap.stderr);
      assert.match(trap.stderr, /permissions violation/i);
      assert.not.match(trap.stderr, /retrying/);
      const untrusted = await produce(lang, goBinary, { ...asSyslog, ca: undefined }, [
        '--attempts',
        '5',
        'sw1.example.com',
        'producer-example untrusted',
      ]);
      assert.is(untrusted.code, 1, untrusted.stderr);
      assert.match(untrusted.stderr, /certificate|x509|SSL/i);
      assert.not.match(untrusted.stderr, /retrying/);
      // PubAcks come back on an inbox: one under a prefix the user may not subscribe to is refused too.
      const inbox = await produce(lang, goBinary, { ...asSyslog, inboxPrefix: '_INBOX_nobody' }, [
        '--attempts',
        '5',
        'sw1.example.com',
        'producer-example inbox',
      ]);
      assert.is(inbox.code, 1, inbox.stderr);
      assert.match(inbox.stderr, /permissions violation for subscription to "_INBOX_nobody/i);
      assert.not.match(
        trap.stderr + untrusted.stderr + inbox.stderr,
        new RegExp(shippedNats.passwords.syslog),
        'no password in what it prints',
      );
    },
  );
}

pipeline.run();

// --- retries, subjects and bodies on a plain server ------------------------------------------------------------

const plain = suite('producer examples: retry with the same id until MUTT takes the event');
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let asAnyone: Conn;
const MAX_MSGS = 2; // MUTT_EVENTS_MAX_MSGS here: the stream is full after two events

plain.before(async () => {
  goBinary ??= await buildGoProducer();
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  asAnyone = { url: nats.url };
});

plain.after(async () => {
  await nc?.close();
  await nats?.stop();
});

async function storedEvent(subject: string) {
  const m = await jsm.streams.getMessage(StreamName.events, { last_by_subj: subject });
  const r = decode(IngestEvent, m!.data, m!.header?.get('Content-Type'));
  if (!r.ok) throw r.error;
  return { event: r.value, msgId: m!.header?.get('Nats-Msg-Id'), hostHeader: m!.header?.get('Mutt-Host') };
}

plain('started before MUTT has set up its streams: each retries (no responders) and stores once they exist', async () => {
  const runs = LANGS.map((lang) =>
    produceInBackground(lang, goBinary, asAnyone, ['--attempts', '40', '--timeout', '2s', `early-${lang}.example.com`, 'early']),
  );
  await waitFor(() => runs.every((b) => /no response from stream/.test(b.stderr())), 30_000, 'both producers saw no stream');
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory', MUTT_EVENTS_MAX_MSGS: String(MAX_MSGS) }));
  for (const [i, b] of runs.entries()) {
    const r = await b.done;
    assert.is(r.code, 0, `${LANGS[i]}: ${r.stderr}`);
    assert.ok(parseOut(r.stdout).attempts > 1, `${LANGS[i]} needed more than one attempt`);
  }
  await jsm.streams.purge(StreamName.events);
});

plain('MUTT_EVENTS full (discard new): each retries and stores when there is room; gives up with 75 after --attempts', async () => {
  const js = jetstream(nc);
  const fill = async () => {
    await jsm.streams.purge(StreamName.events);
    for (let i = 0; i < MAX_MSGS; i++) await js.publish(subjects.event('syslog', 'filler'), '{}');
  };
  for (const lang of LANGS) {
    await fill();
    const b = produceInBackground(lang, goBinary, asAnyone, [
      '--attempts',
      '40',
      '--id',
      `full-${lang}`,
      `full-${lang}.example.com`,
      'waits for room',
    ]);
    await waitFor(() => /maximum messages exceeded/.test(b.stderr()), 30_000, `${lang} saw the stream full`);
    await jsm.streams.purge(StreamName.events);
    const r = await b.done;
    assert.is(r.code, 0, r.stderr);
    assert.ok(parseOut(r.stdout).attempts > 1);
    assert.is((await storedEvent(subjects.event('syslog', `full-${lang}.example.com`))).msgId, `full-${lang}`);

    await fill();
    const gaveUp = await produce(lang, goBinary, asAnyone, ['--attempts', '2', '--id', `never-${lang}`, 'h', 'no room']);
    assert.is(gaveUp.code, 75, gaveUp.stderr);
    assert.match(gaveUp.stderr, /not stored after 2 attempts.*maximum messages exceeded.*--id never-/);
    await jsm.streams.purge(StreamName.events);
  }
  for (let i = 0; i < MAX_MSGS; i++) {
    const cli = await runNatsCli(`nats pub --jetstream -H Nats-Msg-Id:cli-room-${i} ${subjects.event('syslog', 'h')} '{}'`, asAnyone);
    assert.is(cli.code, 0, `room for ${MAX_MSGS}`);
  }
  const full = await runNatsCli(`nats pub --jetstream -H Nats-Msg-Id:cli-full-2 ${subjects.event('syslog', 'h')} '{}'`, asAnyone);
  assert.is(full.code, 1, 'the CLI does not retry: its exit status says the event was not stored');
  assert.match(full.stderr, /maximum messages exceeded/);
  await jsm.streams.purge(StreamName.events);
});

plain('no server at all: exit 75 after --attempts (run again later); a usage error is exit 2 naming the flag', async () => {
  for (const lang of LANGS) {
    const r = await produce(lang, goBinary, { url: 'nats://127.0.0.1:9' }, ['--attempts', '2', 'h', 'm']);
    assert.is(r.code, 75, r.stderr);
    assert.match(r.stderr, /not stored after 2 attempts/);
    const usage = await produce(lang, goBinary, asAnyone, ['--severity', 'loud', 'h', 'm']);
    assert.is(usage.code, 2);
    assert.match(usage.stderr, /--severity/);
  }
});

plain('subject token, headers and body as protocol/ defines them, for awkward host names', async () => {
  const hosts = ['Core-SW1.Example.com', 'edge fw.lab', 'ünï.lab', 'host_with_underscore'];
  for (const lang of LANGS) {
    for (const host of hosts) {
      const id = `${lang}-${randomUUID()}`;
      const message = 'LINK-3-UPDOWN: "Gi0/1"\ndown \\ tab\t ünï';
      const r = await produce(lang, goBinary, asAnyone, ['--id', id, '--severity', 'error', '--trap-oid', '1.3.6.1.4.1.9', host, message]);
      assert.is(r.code, 0, r.stderr);
      assert.is(parseOut(r.stdout).subject, subjects.event('syslog', host), `${lang}: ${host}`);
      const { event, msgId, hostHeader } = await storedEvent(subjects.event('syslog', host));
      assert.is(event.id, id);
      assert.is(msgId, id);
      assert.is(hostHeader, host);
      assert.is(event.host, host);
      assert.is(event.message, message);
      assert.is(event.severity, 3);
      assert.is(event.trapOid, '.1.3.6.1.4.1.9');
      assert.is(event.source.input, 'nats');
      await jsm.streams.purge(StreamName.events);
    }
    const trap = await produce(lang, goBinary, asAnyone, ['--kind', 'trap', '--trap-oid', '.1.3.6.1.6.3.1.1.5.3', 'sw2.lab', '']);
    assert.is(trap.code, 0, trap.stderr);
    assert.is((await storedEvent(subjects.event('trap', 'sw2.lab'))).event.kind, 'trap');
    await jsm.streams.purge(StreamName.events);
  }
});

plain.run();
