// The full pipeline in separate processes (gateway, alerter, forwarder, remediation, syslog, traps) on a real
// nats-server with the fake Moogsoft: HTTP (v2 batch and legacy), syslog UDP/TCP and SNMP traps in, alerts out,
// counted end to end (sent = delivered + dead-lettered + ignored + unhandled) and traced by id through audit;
// a rule added while running applies without restart; a rejected alert is dead-lettered and replayed;
// a full MUTT_EVENTS answers 503 + Retry-After and accepts again once drained.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { jetstreamManager } from '@nats-io/jetstream';
import { startPipeline, postEvents, E2E_KEY, type Pipeline } from '../helpers/pipeline.ts';
import { requireBinary } from '../deploy/helpers.ts';
import { waitFor } from '../helpers/wait.ts';
import { readStream, streamCount } from '../helpers/streams.ts';
import { EventAuditRecord } from '../../protocol/messages.ts';
import { StreamName } from '../../protocol/streams.ts';
import { hostKey } from '../../protocol/rules.ts';
import { listEntries, replayEntry } from '../../actors/remediation/replay.ts';

const t = suite('e2e pipeline');
let p: Pipeline;
let syslogPort = 0;
let trapPort = 0;
/** Each process's HTTP port (health and /metrics), by its `mutt` command. */
const httpPorts: Record<string, number> = {};

interface MoogEvent {
  custom_info: { event_id: string; rule: string; correlation_id: string; decision: string };
  source: string;
}
const delivered = () => p.moog.events(0, 1_000_000).map((e) => e.event as MoogEvent);
const audits = () => readStream(p.nc, StreamName.auditEvents, EventAuditRecord);

t.before(async () => {
  p = await startPipeline({ env: { MUTT_EVENTS_MAX_MSGS: '200' } });
  await p.putRule({
    id: 'link-down',
    match_type: 'contains',
    match_string: 'LINK-DOWN',
    priority: 5,
    prod_handling: 'page_and_ticket',
    dev_handling: 'ticket_only',
    team_assignment: 'NetOps',
  });
  await p.putRule({
    id: 'error',
    match_type: 'contains',
    match_string: 'ERROR',
    priority: 20,
    prod_handling: 'ticket_only',
    dev_handling: 'ignore',
    team_assignment: 'NETO',
  });
  await p.putRule({
    id: 'linkdown-trap',
    match_type: 'oid_prefix',
    trap_oid: '1.3.6.1.6.3.1.1.5.3',
    priority: 15,
    prod_handling: 'page_only',
    dev_handling: 'ignore',
    team_assignment: 'NetOps',
  });
  await p.hosts.put(hostKey('dev', 'dev-sw1'), JSON.stringify({ hostname: 'dev-sw1', note: '' }));
  for (const what of ['gateway', 'alerter', 'forwarder', 'remediation'] as const) httpPorts[what] = (await p.spawn(what)).httpPort;
  const syslog = await p.spawn('syslog');
  const traps = await p.spawn('traps');
  [syslogPort, trapPort, httpPorts.syslog, httpPorts.traps] = [syslog.listenPort!, traps.listenPort!, syslog.httpPort, traps.httpPort];
});

t.after(async () => {
  await p.stop();
});

t('HTTP, syslog and SNMP in; every event accounted for and traceable through audit', async () => {
  const batch = [
    ...Array.from({ length: 20 }, (_, i) => ({
      host: `sw${i}.prod.example.com`,
      message: `%LINK-3-UPDOWN: LINK-DOWN on Gi0/${i}`,
      severity: 'err',
    })),
    ...Array.from({ length: 5 }, (_, i) => ({ host: 'dev-sw1', message: `ERROR fan ${i}`, severity: 'warning' })),
    ...Array.from({ length: 5 }, (_, i) => ({ host: 'sw-unmatched', message: `nothing to see ${i}` })),
  ];
  const r = await postEvents(p.gatewayUrl, batch, { 'x-correlation-id': 'e2e-batch-1' });
  assert.is(r.status, 202);
  const body = (await r.json()) as { accepted: number; ids: string[] };
  assert.is(body.accepted, 30);
  assert.is(r.headers.get('x-correlation-id'), 'e2e-batch-1');
  for (let i = 0; i < 5; i++) {
    const legacy = await fetch(`${p.gatewayUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-API-KEY': E2E_KEY },
      body: JSON.stringify({
        hostname: `legacy${i}`,
        message: `LINK-DOWN legacy ${i}`,
        timestamp: '2025-01-15T14:30:22Z',
        severity: 'Error',
        facility: 'local7',
        source: 'rsyslog',
      }),
    });
    assert.is(legacy.status, 200);
    assert.is(((await legacy.json()) as { status: string }).status, 'queued');
  }
  for (let i = 0; i < 3; i++) {
    execFileSync('logger', [
      '--server',
      '127.0.0.1',
      '--port',
      String(syslogPort),
      '--udp',
      '--rfc5424',
      '-t',
      'e2e',
      `LINK-DOWN udp ${i}`,
    ]);
    execFileSync('logger', [
      '--server',
      '127.0.0.1',
      '--port',
      String(syslogPort),
      '--tcp',
      '--octet-count',
      '--rfc3164',
      '-t',
      'e2e',
      `LINK-DOWN tcp ${i}`,
    ]);
  }
  const snmpEnv = { ...process.env, SNMP_PERSISTENT_DIR: '/tmp/mutt-e2e-snmp' };
  for (let i = 0; i < 2; i++) {
    execFileSync(
      'snmptrap',
      [
        '-v',
        '2c',
        '-c',
        'public',
        '-M',
        '/dev/null',
        '-m',
        '',
        `127.0.0.1:${trapPort}`,
        '',
        '.1.3.6.1.6.3.1.1.5.3',
        '.1.3.6.1.2.1.2.2.1.1.2',
        'i',
        String(i),
      ],
      { env: snmpEnv, stdio: 'pipe' },
    );
  }
  execFileSync(
    'snmptrap',
    [
      '-v',
      '1',
      '-c',
      'public',
      '-M',
      '/dev/null',
      '-m',
      '',
      `127.0.0.1:${trapPort}`,
      '.1.3.6.1.4.1.8072.3.2.10',
      '10.0.0.5',
      '2',
      '0',
      '',
      '.1.3.6.1.2.1.2.2.1.1.3',
      'i',
      '3',
    ],
    { env: snmpEnv, stdio: 'pipe' },
  );

  const sent = 30 + 5 + 6 + 3;
  await waitFor(async () => (await audits()).length === sent, 20_000, `${sent} audit records`);
  const expectedAlerts = 20 + 5 + 6 + 3;
  await waitFor(() => delivered().length === expectedAlerts, 20_000, `${expectedAlerts} alerts delivered`);
  const all = await audits();
  const ignored = all.filter((a) => a.value.decision === 'ignore').length;
  const unhandled = all.filter((a) => a.value.decision === 'unhandled').length;
  const dlq = await listEntries(await jetstreamManager(p.nc), { limit: 1000 });
  assert.is(ignored, 5);
  assert.is(unhandled, 5);
  assert.is(dlq.length, 0);
  assert.is(delivered().length + dlq.length + ignored + unhandled, sent, 'sent = delivered + dead-lettered + ignored + unhandled');
  // Traceable: every delivered alert's event id and correlation id appear in a forwarded audit record.
  const byEvent = new Map(all.map((a) => [a.value.eventId, a.value]));
  for (const d of delivered()) {
    const audit = byEvent.get(d.custom_info.event_id);
    assert.ok(audit && audit.forwarded, `audit for ${d.custom_info.event_id}`);
    assert.is(audit!.correlationId, d.custom_info.correlation_id);
  }
  assert.ok(delivered().filter((d) => d.custom_info.correlation_id === 'e2e-batch-1').length === 20);
  assert.ok(
    delivered().some((d) => d.custom_info.rule === 'linkdown-trap'),
    'v2c trap alert',
  );
  assert.is(await streamCount(p.nc, StreamName.events), 0);
});

t('a rule added while running applies to the next event without a restart', async () => {
  // The alerter logs each rule set it compiles: the event is sent once it runs with the new rule.
  const alerter = p.procs.get('alerter')![0];
  const from = alerter.output().length;
  await p.putRule({
    id: 'psu',
    match_type: 'regex',
    match_string: 'power supply \\d+ (failed|removed)',
    priority: 1,
    prod_handling: 'page_only',
    dev_handling: 'ignore',
    team_assignment: 'Facilities',
  });
  await waitFor(() => alerter.output().slice(from).includes('rule set compiled'), 10_000, 'the alerter compiling the new rule');
  const r = await postEvents(p.gatewayUrl, { host: 'chassis1', message: 'Power supply 2 failed' });
  assert.is(r.status, 202);
  await waitFor(() => delivered().some((d) => d.custom_info.rule === 'psu'), 10_000, 'psu alert delivered');
});

t('a rejected alert is dead-lettered with its status and delivered after replay', async () => {
  p.moog.control({ failNext: 1, failStatus: 400 });
  const r = await postEvents(p.gatewayUrl, { host: 'sw-dlq', message: 'LINK-DOWN for the DLQ' });
  const [id] = ((await r.json()) as { ids: string[] }).ids;
  const jsm = await jetstreamManager(p.nc);
  let entry: Awaited<ReturnType<typeof listEntries>>[number] | undefined;
  await waitFor(
    async () => {
      entry = (await listEntries(jsm, { limit: 1000 })).find((e) => e.entry.reason === 'rejected' || e.entry.stage === 'quarantine');
      return !!entry;
    },
    15_000,
    'dead letter',
  );
  assert.is(entry!.entry.status, 400);
  assert.not.ok(delivered().some((d) => d.custom_info.event_id === id));
  await replayEntry(p.js, jsm, entry!.seq, entry!.entry);
  await waitFor(() => delivered().some((d) => d.custom_info.event_id === id), 15_000, 'delivered after replay');
});

t('a full MUTT_EVENTS gives 503 + Retry-After, and accepts again once drained', async () => {
  for (const a of p.procs.get('alerter') ?? []) await a.kill('SIGTERM');
  let accepted = 0;
  let full: Response | undefined;
  for (let i = 0; i < 10 && !full; i++) {
    const r = await postEvents(
      p.gatewayUrl,
      Array.from({ length: 50 }, (_, j) => ({ host: 'bp', message: `LINK-DOWN bp ${i}-${j}` })),
    );
    if (r.status === 503) full = r;
    else accepted += ((await r.json()) as { accepted: number }).accepted;
  }
  assert.ok(full, 'a 503 once the stream is full');
  assert.ok(Number(full!.headers.get('retry-after')) > 0, 'Retry-After set');
  const stored = await streamCount(p.nc, StreamName.events);
  assert.ok(stored <= 200, `stream capped (${stored})`);
  httpPorts.alerter = (await p.spawn('alerter')).httpPort;
  await waitFor(async () => (await streamCount(p.nc, StreamName.events)) === 0, 20_000, 'drained');
  const again = await postEvents(p.gatewayUrl, { host: 'bp', message: 'LINK-DOWN after drain' });
  assert.is(again.status, 202);
  const bpDelivered = () => delivered().filter((d) => d.source === 'bp').length;
  // Nothing answered 2xx is missing: every accepted event (+ the one after the drain) reached Moogsoft.
  await waitFor(() => bpDelivered() === accepted + 1, 20_000, `${accepted + 1} backpressure alerts delivered`);
});

t('every process serves /metrics that promtool check metrics passes without a lint finding', async () => {
  // Run last: by now every process has counted events, so the histograms and labelled series exist.
  const promtool = requireBinary('promtool', 'prometheus');
  assert.equal(Object.keys(httpPorts).sort(), ['alerter', 'forwarder', 'gateway', 'remediation', 'syslog', 'traps']);
  for (const [what, port] of Object.entries(httpPorts)) {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.is(r.status, 200, `${what} /metrics`);
    const text = await r.text();
    assert.match(text, /^# TYPE mutt_/m, `${what} exposes MUTT's own metrics`);
    const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.is(check.status, 0, `${what}: promtool check metrics exited ${check.status}: ${(check.stdout + check.stderr).slice(0, 1500)}`);
  }
});

t.run();
