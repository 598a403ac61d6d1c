// The nats CLI commands docs/OPERATIONS.md gives operators ("With the nats CLI"), read from the doc and run as
// written with the real CLI (tests/helpers/nats-cli.ts) against the shipped `mutt up` on a throwaway nats-server,
// after a real dead letter (a schema-invalid JSON event published with `nats req`) and a real alert (a valid one).
// Each command's output is checked against what the server holds, read with the JetStream client.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { ROOT, startShipped, type Shipped } from '../helpers/shipped.ts';
import { natsCli, startNatsCli, type CliResult } from '../helpers/nats-cli.ts';
import { waitFor } from '../helpers/wait.ts';
import { commandName, docMentions, runbookCommands, shellWords } from './doc-commands.ts';

const RULE_ID = 'natscli-link-down';
const RULE_MATCH = 'NATSCLI-LINK-DOWN';
let m: Shipped;
let nc: NatsConnection;
let jsm: JetStreamManager;
let cliEnv: NodeJS.ProcessEnv;
let configHome: string;
let dlqSeq = 0;
const ran = new Set<string>();

const cli = async (args: string[], opts: { tty?: boolean } = {}): Promise<CliResult> => {
  ran.add(commandName(['nats', ...args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')));
  return natsCli(args, { env: cliEnv, ...opts });
};
const ok = (r: CliResult, what: string) => assert.is(r.code, 0, `${what} exited ${r.code}: ${r.stderr}${r.stdout}`);
const num = (text: string, label: RegExp) => {
  const mm = new RegExp(`${label.source}\\s*([\\d,]+)`).exec(text);
  assert.ok(mm, `no ${label.source} in:\n${text}`);
  return Number(mm![1].replaceAll(',', ''));
};
/** The cells of the table row whose first cell is name (the CLI draws tables with │). */
const row = (text: string, name: string) =>
  text
    .split('\n')
    .map((l) =>
      l
        .split('│')
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .find((c) => c[0] === name);

const event = (id: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    kind: 'syslog',
    id,
    correlationId: id,
    host: 'router1.example.com',
    message: `%${RULE_MATCH}: Interface Gi0/1, changed state to down`,
    severity: 3,
    time: Date.now(),
    receivedAt: Date.now(),
    source: { input: 'nats', address: 'natscli-test' },
    parse: 'json',
    ...fields,
  });
const publish = (id: string, body: string) =>
  cli([
    'req',
    'mutt.events.syslog.router1_example_com',
    '-H',
    `Nats-Msg-Id:${id}`,
    '-H',
    'Mutt-Host:router1.example.com',
    '-H',
    `Mutt-Correlation-Id:${id}`,
    '-H',
    'Content-Type:application/json',
    body,
  ]);

test.before(async () => {
  m = await startShipped();
  configHome = mkdtempSync(join(tmpdir(), 'mutt-natscli-'));
  // The operator shell of docs/OPERATIONS.md (NATS_URL); no contexts from the user's home.
  cliEnv = { NATS_URL: m.natsUrl, XDG_CONFIG_HOME: configHome, NATS_CONTEXT: '' };
  nc = await connect({ servers: m.natsUrl });
  jsm = await jetstreamManager(nc);
  await m.canary();
  const r = await m.request('POST', '/api/v2/rules', {
    id: RULE_ID,
    match_type: 'contains',
    match_string: RULE_MATCH,
    prod_handling: 'page_and_ticket',
    dev_handling: 'page_and_ticket',
    team_assignment: 'NETOPS',
  });
  assert.is(r.status, 201, await r.text());
  assert.is((await m.request('PUT', '/api/v2/config/unhandled_threshold', { value: 51, reason: 'natscli test' })).status, 200);
});

test.after(async () => {
  await nc?.close();
  await m?.stop();
  rmSync(configHome, { recursive: true, force: true });
});

test('nats req of a JSON event (docs/PRODUCERS.md) is acked by MUTT_EVENTS and becomes an alert at Moogsoft', async () => {
  // A rule written a moment ago reaches the alerter through a KV watch: resend (new id) until an alert arrives.
  const arrived = () => m.moog!.events(0, 1_000_000).some((e) => JSON.stringify(e.event).includes(RULE_MATCH));
  for (let i = 0; !arrived(); i++) {
    assert.ok(i < 20, 'no alert for the nats req event reached the fake Moogsoft');
    const r = await publish(`natscli-ok-${i}`, event(`natscli-ok-${i}`, {}));
    ok(r, 'nats req');
    assert.match(r.stdout, /"stream":\s*"MUTT_EVENTS"/);
    assert.match(r.stdout, /"seq":\s*\d+/);
    await waitFor(arrived, 1_000, 'alert').catch(() => undefined);
  }
  const alert = m.moog!.events(0, 1_000_000).find((e) => JSON.stringify(e.event).includes(RULE_MATCH))!;
  assert.match(JSON.stringify(alert.event), /router1\.example\.com/);
});

test('nats pub of a JSON event (docs/PRODUCERS.md: no PubAck) is stored too and becomes an alert', async () => {
  const id = 'natscli-pub-1';
  const body = event(id, { message: `%${RULE_MATCH}: Interface Gi0/2 via pub` });
  const r = await cli([
    'pub',
    'mutt.events.syslog.router1_example_com',
    '-H',
    `Nats-Msg-Id:${id}`,
    '-H',
    'Mutt-Host:router1.example.com',
    '-H',
    `Mutt-Correlation-Id:${id}`,
    '-H',
    'Content-Type:application/json',
    body,
  ]);
  ok(r, 'nats pub');
  await waitFor(
    () => m.moog!.events(0, 1_000_000).some((e) => JSON.stringify(e.event).includes('Gi0/2 via pub')),
    15_000,
    'alert for the nats pub event',
  );
});

test('a schema-invalid event published with nats req is dead-lettered by the alerter and quarantined (mutt.dlq.quarantine.schema_invalid)', async () => {
  const r = await publish('natscli-bad-1', event('natscli-bad-1', { severity: 'high' }));
  ok(r, 'nats req');
  assert.match(r.stdout, /"stream":\s*"MUTT_EVENTS"/);
  await waitFor(
    async () => {
      const info = await jsm.streams.info('MUTT_DLQ', { subjects_filter: 'mutt.dlq.quarantine.schema_invalid' });
      return (info.state.subjects?.['mutt.dlq.quarantine.schema_invalid'] ?? 0) > 0;
    },
    15_000,
    'dead letter',
  ).catch(async (err) => {
    const dlq = await jsm.streams.info('MUTT_DLQ', { subjects_filter: '>' });
    const ci = await jsm.consumers.info('MUTT_EVENTS', 'alerter');
    throw new Error(
      `${(err as Error).message}: MUTT_DLQ subjects ${JSON.stringify(dlq.state.subjects)}, alerter pending ${ci.num_pending} ack pending ${ci.num_ack_pending}\n${m.proc.output().slice(-3000)}`,
    );
  });
  dlqSeq = (await jsm.streams.getMessage('MUTT_DLQ', { last_by_subj: 'mutt.dlq.quarantine.schema_invalid' }))!.seq;
  // Everything published has been handled: the backlogs the runbook reads are settled.
  await waitFor(async () => (await jsm.streams.info('MUTT_EVENTS')).state.messages === 0, 15_000, 'MUTT_EVENTS drained');
});

/** What each runbook command must print, checked against the server's own answers. */
const expectations: Record<string, (out: string) => Promise<void> | void> = {
  'nats server check jetstream': (out) => {
    assert.match(out, /^OK JetStream/m);
    assert.ok(num(out, /streams=/) >= 12, `MUTT's 5 streams and 7 buckets: ${out}`);
  },
  'nats stream ls': async (out) => {
    for (const s of ['MUTT_EVENTS', 'MUTT_ALERTS', 'MUTT_DLQ', 'MUTT_AUDIT_EVENTS', 'MUTT_AUDIT_CONFIG']) {
      const r = row(out, s);
      assert.ok(r, `${s} in:\n${out}`);
      assert.ok(r!.includes(String((await jsm.streams.info(s)).state.messages)), `${s} message count in ${r}`);
    }
  },
  'nats stream report': async (out) => {
    const dlq = row(out, 'MUTT_DLQ');
    assert.ok(dlq, `MUTT_DLQ row in:\n${out}`);
    assert.ok(dlq!.includes(String((await jsm.streams.info('MUTT_DLQ')).state.messages)), `MUTT_DLQ message count in ${dlq}`);
    assert.ok(row(out, 'MUTT_EVENTS'), out);
  },
  'nats stream info MUTT_EVENTS': async (out) => {
    assert.match(out, /Subjects: mutt\.events\.>/);
    assert.match(out, /Retention: WorkQueue/);
    assert.is(num(out, /\n\s*Messages:/), (await jsm.streams.info('MUTT_EVENTS')).state.messages);
  },
  'nats stream info MUTT_ALERTS': async (out) => {
    assert.match(out, /Subjects: mutt\.alerts\.>/);
    assert.is(num(out, /\n\s*Messages:/), (await jsm.streams.info('MUTT_ALERTS')).state.messages);
  },
  'nats consumer report MUTT_EVENTS': (out) => assert.ok(row(out, 'alerter'), `alerter row in:\n${out}`),
  'nats consumer report MUTT_ALERTS': (out) => assert.ok(row(out, 'forwarder'), `forwarder row in:\n${out}`),
  'nats consumer report MUTT_DLQ': (out) => assert.ok(row(out, 'remediation'), `remediation row in:\n${out}`),
  'nats consumer info MUTT_EVENTS alerter': (out) => consumerInfo(out, 'MUTT_EVENTS', 'alerter'),
  'nats consumer info MUTT_ALERTS forwarder': (out) => consumerInfo(out, 'MUTT_ALERTS', 'forwarder'),
  'nats consumer info MUTT_DLQ remediation': (out) => consumerInfo(out, 'MUTT_DLQ', 'remediation'),
  'nats stream subjects MUTT_DLQ': (out) => {
    const r = row(out, 'mutt.dlq.quarantine.schema_invalid');
    assert.ok(r, `mutt.dlq.quarantine.schema_invalid in:\n${out}`);
    assert.is(r![1], '1', `one schema_invalid dead letter: ${r}`);
  },
  'nats stream view MUTT_DLQ': (out) => {
    assert.match(out, new RegExp(`\\[${dlqSeq}\\] Subject: mutt\\.dlq\\.quarantine\\.schema_invalid`));
    dlqHeaders(out);
  },
  'nats stream get MUTT_DLQ --last-for mutt.dlq.quarantine.schema_invalid': (out) => {
    assert.match(out, new RegExp(`MUTT_DLQ#${dlqSeq} .* on Subject mutt\\.dlq\\.quarantine\\.schema_invalid`));
    dlqHeaders(out);
  },
  'nats kv ls': (out) => {
    for (const b of ['mutt_rules', 'mutt_config', 'mutt_hosts', 'mutt_state', 'mutt_keys'])
      assert.ok(row(out, b), `bucket ${b} in:\n${out}`);
  },
  'nats kv ls mutt_rules': (out) => {
    assert.ok(
      out.split('\n').some((l) => l.trim() === RULE_ID),
      `${RULE_ID} in:\n${out}`,
    );
    assert.ok(
      out.split('\n').some((l) => l.trim() === 'mutt-canary'),
      out,
    );
  },
  'nats kv get mutt_rules <rule-id> --raw': (out) => {
    const rule = JSON.parse(out) as Record<string, unknown>;
    assert.is(rule.id, RULE_ID);
    assert.is(rule.match_string, RULE_MATCH);
    assert.is(rule.team_assignment, 'NETOPS');
  },
  'nats kv ls mutt_config': (out) =>
    assert.ok(
      out.split('\n').some((l) => l.trim() === 'unhandled_threshold'),
      `unhandled_threshold in:\n${out}`,
    ),
};

function consumerInfo(out: string, stream: string, durable: string) {
  return (async () => {
    const ci = await jsm.consumers.info(stream, durable);
    assert.match(out, new RegExp(`Information for Consumer ${stream} > ${durable} `));
    assert.match(out, new RegExp(`\\n\\s*Name: ${durable}\\n`));
    assert.is(num(out, /Unprocessed Messages:/), ci.num_pending, `Unprocessed = num_pending: ${out}`);
    assert.is(num(out, /Redelivered Messages:/), ci.num_redelivered);
    assert.is(num(out, /Outstanding Acks:/), ci.num_ack_pending);
    assert.match(out, /Waiting Pulls: \d+/);
  })();
}

function dlqHeaders(out: string) {
  // Remediation quarantines the alerter's schema_invalid entry at once (it would fail again on replay).
  assert.match(out, /Mutt-Reason: schema_invalid\n/);
  assert.match(out, /Mutt-Stage: quarantine\n/);
  assert.match(out, /Mutt-Attempts: 1\n/);
  assert.match(out, /Mutt-Error: from alerter: schema_invalid: severity: .*expected number, received string/);
  assert.match(out, /Mutt-Correlation-Id: natscli-bad-1\n/);
}

test('every command of the runbook block in docs/OPERATIONS.md prints what the server holds', async () => {
  const commands = runbookCommands();
  assert.ok(commands.length >= 15, `runbook block has ${commands.length} commands`);
  const streaming = commands.filter((c) => /^nats (kv watch|sub) /.test(c));
  for (const line of commands.filter((c) => !streaming.includes(c))) {
    const check = expectations[line];
    assert.ok(check, `docs/OPERATIONS.md runs \`${line}\`, which runbook.test.ts has no expectation for`);
    const args = shellWords(line.replace('<rule-id>', RULE_ID)).slice(1);
    const r = await cli(args, { tty: line.startsWith('nats stream view') });
    ok(r, line);
    try {
      await check(r.stdout);
    } catch (err) {
      throw new Error(`\`${line}\`: ${(err as Error).message}\n${r.stdout}`, { cause: err });
    }
  }
  for (const line of Object.keys(expectations))
    assert.ok(commands.includes(line), `expectation for \`${line}\`, which docs/OPERATIONS.md no longer gives`);
  assert.equal(streaming.sort(), ['nats kv watch mutt_config', 'nats kv watch mutt_rules', "nats sub 'mutt.health.>' --count 3"]);
});

test('nats kv watch mutt_rules and mutt_config (as in the runbook) show a change made through the API while watching', async () => {
  for (const [line, change, shows] of [
    [
      'nats kv watch mutt_rules',
      () =>
        m.request('POST', '/api/v2/rules', {
          id: 'natscli-watched',
          match_type: 'contains',
          match_string: 'NATSCLI-WATCHED',
          prod_handling: 'page_and_ticket',
          dev_handling: 'page_and_ticket',
          team_assignment: 'NETOPS',
        }),
      /PUT mutt_rules > natscli-watched: \{.*"match_string":"NATSCLI-WATCHED"/,
    ],
    [
      'nats kv watch mutt_config',
      () => m.request('PUT', '/api/v2/config/unhandled_threshold', { value: 52, reason: 'natscli watch' }),
      /PUT mutt_config > unhandled_threshold: 52/,
    ],
  ] as const) {
    assert.ok(runbookCommands().includes(line), line);
    ran.add(commandName(line));
    const w = startNatsCli(shellWords(line).slice(1), { env: cliEnv });
    try {
      // The watch first prints the current value of every key; then the change.
      await waitFor(() => /PUT /.test(w.output()), 10_000, `${line} prints the current values`);
      assert.ok(!shows.test(w.output()), `${line} showed the change before it was made`);
      const r = await change();
      assert.ok(r.status < 300, `${r.status} ${await r.text()}`);
      await waitFor(() => shows.test(w.output()), 10_000, `${line} shows the change:\n${w.output()}`);
    } finally {
      await w.stop();
    }
  }
});

test("nats sub 'mutt.health.>' --count 3 (docs/OBSERVABILITY.md, runbook) shows three heartbeats of the running processes", async () => {
  const line = "nats sub 'mutt.health.>' --count 3";
  assert.ok(runbookCommands().includes(line));
  const r = await cli(shellWords(line).slice(1));
  ok(r, line);
  const received = [...(r.stdout + r.stderr).matchAll(/Received on "(mutt\.health\.[^"]+)"/g)];
  assert.is(received.length, 3, r.stdout + r.stderr);
});

test('nats context save (as in the runbook) stores the server, and --context uses it', async () => {
  const save = await cli(['context', 'save', 'mutt-ops', '--server', m.natsUrl, '--user', 'operator', '--password', 'not-checked-here']);
  ok(save, 'nats context save');
  const r = await natsCli(['--context', 'mutt-ops', 'stream', 'ls', '--names'], { env: { ...cliEnv, NATS_URL: '' } });
  // The throwaway server has no users: a user and password are ignored by it, and the context's server is used.
  ok(r, 'nats --context mutt-ops stream ls');
  assert.match(r.stdout, /MUTT_EVENTS/);
});

test('every `nats …` command named in docs/ and README.md is one these tests run', () => {
  // Named only as what not to do ("never … by hand"); running them would destroy MUTT's state.
  const warnings = new Set(['nats consumer rm', 'nats stream purge']);
  // Run by another file of this folder, which reads the command from the doc by this prefix.
  const elsewhere: Record<string, string> = { 'nats server raft': 'cluster.test.ts' };
  for (const [name, file] of Object.entries(elsewhere)) {
    assert.ok(
      readFileSync(join(ROOT, 'tests/natscli', file), 'utf8').includes(`docCommand('${name}`),
      `${file} runs \`${name}\` from the doc`,
    );
  }
  const missing = docMentions().filter(
    ([, text]) => !ran.has(commandName(text)) && !warnings.has(commandName(text)) && !(commandName(text) in elsewhere),
  );
  assert.equal(
    missing.map(([f, t]) => `${f.replace(/.*\/(docs\/|README)/, '$1')}: ${t}`),
    [],
  );
});

test.run();
