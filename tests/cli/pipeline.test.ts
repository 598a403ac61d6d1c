// The operator commands against a running MUTT (gateway, alerter, forwarder as separate processes on a throwaway
// nats-server with the fake Moogsoft): `mutt status` (ready, and not ready naming the process), `mutt send`
// (one event, a v2.5 file, a paced stream with its progress line, --nats, and 503 backpressure with and without
// --retry), and `mutt smoke` (delivered over NATS and over the management API; dead-lettered and pending both
// exit 1 naming the hop).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPipeline, E2E_KEY, type Pipeline } from '../helpers/pipeline.ts';
import { spawnNode } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';
import { streamCount } from '../helpers/streams.ts';
import { StreamName } from '../../protocol/streams.ts';
import { mutt } from './run-cli.ts';
import { setConfig } from '../helpers/mutt-config.ts';

const t = suite('mutt status / send / smoke on a running pipeline');
const dir = mkdtempSync(join(tmpdir(), 'mutt-cli-pipe-'));
let p: Pipeline;
let env: Record<string, string>;

const delivered = (needle: string) => p.moog.events(0, 1_000_000).filter((e) => JSON.stringify(e.event).includes(needle)).length;

t.before(async () => {
  p = await startPipeline({ env: { MUTT_EVENTS_MAX_MSGS: '500' } });
  await p.putRule({
    id: 'link-down',
    match_type: 'contains',
    match_string: 'LINK-DOWN',
    priority: 5,
    prod_handling: 'page_and_ticket',
    dev_handling: 'ticket_only',
    team_assignment: 'NetOps',
  });
  await p.spawn('gateway');
  await p.spawn('alerter');
  await p.spawn('forwarder');
  env = { NATS_URL: p.nats.url, MUTT_URL: p.gatewayUrl, MUTT_API_KEY: E2E_KEY };
});

t.after(async () => {
  await p.stop();
});

t('status: every process ready, lag per stage, exit 0', async () => {
  const r = await mutt(['status'], env);
  assert.is(r.code, 0, r.stdout + r.stderr);
  for (const name of ['gateway', 'alerter', 'forwarder']) assert.match(r.stdout, new RegExp(`^  ${name} +\\S+ +\\S+ +yes `, 'm'));
  assert.match(r.stdout, /^  alerter +MUTT_EVENTS +\d+ +\d+ +\d+ +\d+$/m);
  assert.match(r.stdout, /^  forwarder +MUTT_ALERTS +\d+ +\d+ +\d+ +\d+$/m);
  assert.match(r.stdout, /MOOGSOFT BREAKER: closed/);
  assert.match(r.stdout, /^READY: \d process\(es\), all ready$/m);
  const j = JSON.parse((await mutt(['status', '--json', '--url', p.gatewayUrl], env)).stdout);
  assert.is(j.ready, true);
  assert.equal(j.slo.slos.map((s: { name: string }) => s.name).slice(0, 2), ['ingest_availability', 'forwarder_success']);
  assert.match(j.slo.source, /\/api\/v2\/slo$/);
});

t('send: one event, a v2.5 file (an invalid item is named), a paced stream with progress, and --nats', async () => {
  const one = await mutt(
    ['send', '--host', 'core-sw1.example.com', '--message', '%LINK-3-UPDOWN: LINK-DOWN cli-one', '--severity', 'err'],
    env,
  );
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /^sent 1 event\(s\) to http:\/\/127\.0\.0\.1:\d+\/api\/v2\/events in [\d.]+ s: acked 1, rejected 0, failed 0/);
  assert.match(one.stdout, /^event id \S+, correlation id mutt-send-\S+$/m);

  writeFileSync(
    join(dir, 'v25.json'),
    '[\r\n  {"hostname": "edge-fw-02.edge.example.com", "timestamp": "2025-01-15T14:30:22Z", "message": "LINK-DOWN cli-file 1", "syslog_severity": "Critical", "source_type": "cisco-asa"},\r\n' +
      '  {"hostname": "core-router-01.dc1.example.com", "timestamp": "2025-01-15T14:30:23.1234567Z", "message": "LINK-DOWN cli-file 2", "syslog_severity": "Alert", "trap_oid": "1.3.6.1.4.1.9.2.2.1.1.0"},\r\n' +
      '  {"hostname": "x", "timestamp": "not a time", "message": "LINK-DOWN cli-file 3"}\r\n]\r\n',
  );
  const file = await mutt(['send', '--file', join(dir, 'v25.json')], env);
  assert.is(file.code, 1, 'an invalid item makes the exit code 1');
  assert.match(file.stdout, /sent 3 event\(s\) .*: acked 2, rejected 1, failed 0/);
  assert.match(file.stdout, /item 2: timestamp: /);

  const stream = await mutt(
    ['send', '--rate', '200', '--count', '300', '--hosts', '3', '--message', 'LINK-DOWN cli-stream {run} #{n}'],
    env,
  );
  assert.is(stream.code, 0, stream.stderr);
  assert.match(stream.stdout, /sent 300 event\(s\) .*: acked 300, rejected 0, failed 0/);
  // The last progress line (other stderr output, e.g. a runtime warning under load, is not progress).
  const progress = stream.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('sent '));
  assert.match(progress[progress.length - 1], /^sent 300 {2}acked 300 {2}failed 0 {2}rate \d+\/s {2}elapsed \d+s$/);
  const secs = Number(/in ([\d.]+) s/.exec(stream.stdout)![1]);
  assert.ok(secs >= 1.3, `paced at 200/s, 300 events take about 1.5 s (took ${secs})`);

  const nats = await mutt(['send', '--nats', '--count', '50', '--message', 'LINK-DOWN cli-nats #{n}', '--json'], env);
  assert.is(nats.code, 0, nats.stderr);
  const totals = JSON.parse(nats.stdout);
  assert.equal([totals.sent, totals.acked, totals.failed], [50, 50, 0]);
  assert.match(totals.target, /^MUTT_EVENTS via nats:/);

  await waitFor(
    () => delivered('cli-one') === 1 && delivered('cli-file') === 2 && delivered('cli-stream') === 300 && delivered('cli-nats') === 50,
    30_000,
    'every sent event delivered to Moogsoft',
  );

  const [nowhere, both, bad] = await Promise.all([
    mutt(['send', '--host', 'h', '--message', 'm'], { NATS_URL: p.nats.url }),
    mutt(['send', '--nats', '--url', p.gatewayUrl, '--host', 'h', '--message', 'm'], env),
    mutt(['send', '--rate', 'fast', '--count', '5'], env),
  ]);
  assert.match(nowhere.stderr, /give --url http:\/\/gateway:8080 \(or MUTT_URL\) or --nats/);
  assert.match(both.stderr, /--url and --nats exclude each other/);
  assert.match(bad.stderr, /--rate must be a number/);
  for (const r of [nowhere, both, bad]) assert.is(r.code, 2);
});

/** Events the gateway refused because MUTT_EVENTS was full (its ingest metric). */
async function streamFullRefusals(): Promise<number> {
  const text = await (await fetch(`${p.gatewayUrl}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^mutt_gateway_events_rejected_total\{[^}]*reason="stream_full"[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

t('send: a full MUTT_EVENTS answers 503, counted as failed; --retry waits Retry-After and gets every event in', async () => {
  const alerter = p.procs.get('alerter')![0];
  await alerter.kill('SIGTERM');
  await waitFor(async () => (await streamCount(p.nc, StreamName.events)) === 0, 10_000, 'events drained');
  const full = await mutt(['send', '--count', '600', '--message', 'LINK-DOWN cli-bp-a #{n}', '--quiet'], env);
  assert.is(full.code, 1);
  assert.match(full.stdout, /sent 600 event\(s\) .*: acked 500, rejected 0, failed 100 \(HTTP 503 stream_full x100\)/);
  // A retrying sender is refused while the stream is full, then gets everything stored once the alerter is back;
  // its retried batches are deduplicated. The alerter comes back only after the sender has been refused: started
  // together, a fast alerter could drain the stream before the sender's first batch and leave nothing to retry.
  const refusedBefore = await streamFullRefusals();
  const sending = mutt(
    ['send', '--count', '300', '--batch', '100', '--message', 'LINK-DOWN cli-bp-b #{n}', '--retry', '30', '--quiet'],
    env,
  );
  await waitFor(async () => (await streamFullRefusals()) > refusedBefore, 20_000, 'the retrying sender refused while the stream is full');
  await p.spawn('alerter');
  const retried = await sending;
  assert.is(retried.code, 0, retried.stdout + retried.stderr);
  assert.match(retried.stdout, /sent 300 event\(s\) .*: acked 300, rejected 0, failed 0, \d+ batch retr(y|ies)/);
  await waitFor(() => delivered('cli-bp-b') === 300 && delivered('cli-bp-a') === 500, 30_000, 'all stored events delivered once');
});

t('smoke over NATS (and over the management API): each hop timed, the temporary rule removed, exit 0', async () => {
  const r = await mutt(['smoke', '--observe', 'nats', '--timeout', '30s'], env);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^mutt smoke: canary MUTT-SMOKE-[0-9a-f]{8} via http:\S+, followed through nats:\S+ \(NATS\)$/);
  for (const hop of ['rule', 'accepted', 'audited', 'alerted', 'delivered', 'cleanup'])
    assert.ok(
      lines.some((l) => new RegExp(`^  ok +${hop} `).test(l)),
      `${hop} in\n${r.stdout}`,
    );
  assert.match(r.stdout, /^  ok +accepted +\+\d+\.\d\d s +HTTP 202/m);
  assert.match(r.stdout, /^OK: the canary reached Moogsoft [\d.]+ s after it was sent$/m);
  const id = /mutt-smoke-[0-9a-f]{8}/.exec(r.stdout)![0];
  assert.is(await p.rules.get(id).then((e) => (e && e.operation === 'PUT' ? 'present' : 'gone')), 'gone');
  assert.is(delivered(id.replace('mutt-smoke', 'MUTT-SMOKE')), 1, 'Moogsoft got the canary');

  const api = await mutt(['smoke', '--url', p.gatewayUrl, '--observe', 'http', '--json'], env);
  assert.is(api.code, 0, api.stdout + api.stderr);
  const j = JSON.parse(api.stdout);
  assert.is(j.ok, true);
  assert.match(j.via, /\(management API\)$/);
  assert.equal(
    j.hops.map((h: { hop: string; ok: boolean }) => `${h.hop}:${h.ok}`),
    ['rule:true', 'accepted:true', 'audited:true', 'alerted:true', 'delivered:true', 'cleanup:true'],
  );
});

t('smoke: a dead-lettered canary and an undelivered one both exit 1 naming the hop; no admin scope needs --message', async () => {
  p.moog.control({ failNext: 1, failStatus: 400 });
  const dead = await mutt(['smoke', '--observe', 'nats'], env);
  assert.is(dead.code, 1);
  assert.match(dead.stdout, /^  FAIL delivered +\+[\d.]+ s +dead-lettered by forwarder: rejected .*mutt dlq show \d+$/m);
  assert.match(dead.stdout, /^  ok +cleanup/m);
  p.moog.control({ status: 503 });
  // The pipeline's short backoff (100 ms – 1 s) spends the default 10 attempts in 3–5 s, and the canary would be
  // dead-lettered (the case above) instead of pending: give it attempts to spare while Moogsoft is down.
  await setConfig(p.nc, { moog_max_attempts: 1000 });
  try {
    // 8 s: the canary must reach the alerter and be audited within it even on a loaded CI box.
    const pending = await mutt(['smoke', '--observe', 'nats', '--timeout', '8s'], env);
    assert.is(pending.code, 1, pending.stdout);
    assert.match(
      pending.stdout,
      /^  FAIL delivered +\+[\d.]+ s +pending after 8 s: the alert is still in MUTT_ALERTS \(Moogsoft breaker \w+/m,
      pending.stdout,
    );
  } finally {
    p.moog.control({ status: 200 });
    await setConfig(p.nc, { moog_max_attempts: 10 });
  }
  const ingestOnly = 'ingest-only-key-0123456789abc';
  const add = await mutt(['keys', 'add', 'smoke-ingest', '--scopes', 'ingest+read', '--secret-stdin'], env, { input: ingestOnly });
  assert.is(add.code, 0, add.stderr);
  const noAdmin = await mutt(['smoke', '--url', p.gatewayUrl, '--key', ingestOnly, '--observe', 'http'], env);
  assert.is(noAdmin.code, 1);
  assert.match(noAdmin.stdout, /FAIL rule .*the key may not create rules \(scope admin\): give --message/);
  const existing = await mutt(
    ['smoke', '--url', p.gatewayUrl, '--key', ingestOnly, '--observe', 'http', '--message', 'LINK-DOWN via an existing rule'],
    env,
  );
  assert.is(existing.code, 0, existing.stdout + existing.stderr);
  assert.match(existing.stdout, /ok +audited .*rule link-down, decision page_and_ticket/);
});

t('status: a process that is not ready makes the exit code 1 and is named', async () => {
  const broken = spawnNode('bin/mutt.js', ['run', 'forwarder'], { ...p.env, MOOG_API_KEY: '', MUTT_INSTANCE: 'no-credential' });
  try {
    await broken.waitForOutput(/HTTP listening/, 30_000);
    const r = await mutt(['status'], env);
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stdout, /^  forwarder +no-credential +forwarder +NO /m);
    assert.match(r.stdout, /^PROBLEM: forwarder\/no-credential: not ready \(actor:forwarder: .*MOOG_API_KEY/m);
  } finally {
    await broken.kill('SIGKILL');
  }
});

t.run();
