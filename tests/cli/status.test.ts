// `mutt status` against `mutt up` as it ships: it pings every process instead of waiting out a heartbeat period
// (a short --wait hears a healthy system), counts the active rules and says loudly when there are none, and
// shows the flow of the last complete minute by input and decision as the alerter counted it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket } from 'node:dgram';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';
import { mutt } from './run-cli.ts';
import { readMinute, minuteOf } from '../../actors/runtime/minute-tally.ts';
import { FLOW_PREFIX } from '../../protocol/flow.ts';
import { Bucket } from '../../protocol/streams.ts';

const t = suite('mutt status on a shipped mutt up');
let up: Shipped;
let nc: NatsConnection;
let env: Record<string, string>;

t.before(async () => {
  // No starter rules: this installation starts with none, so the zero-rules warning can be seen.
  up = await startShipped({ env: { MUTT_STARTER_RULES: 'off' } });
  nc = await connect({ servers: up.natsUrl });
  env = { NATS_URL: up.natsUrl };
});
t.after(async () => {
  await nc?.close();
  await up?.stop();
});

t('a 1 s --wait hears the healthy process (it answers the ping), and zero active rules is said first', async () => {
  const r = await mutt(['status', '--wait', '1s'], env);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /READY: 1 process\(es\), all ready/);
  const lines = r.stdout.split('\n');
  assert.match(lines[2], /^WARNING: 0 active rules \(0 stored\): no event will alert/, 'the warning is the first thing said');
  assert.match(r.stdout, /RULES: 0 active of 0 stored/);
  const j = JSON.parse((await mutt(['status', '--json'], env)).stdout);
  assert.is(j.processes.length, 1);
  assert.is(j.processes[0].ready, true);
  assert.equal(j.rules, { total: 0, active: 0, invalid: 0 });
});

t('with a rule: the count, and events by input and decision per minute from HTTP and syslog UDP', async () => {
  const rule = {
    id: 'status-link-down',
    match_string: 'LINK-DOWN',
    match_type: 'contains',
    priority: 10,
    prod_handling: 'page_only',
    dev_handling: 'ignore',
    team_assignment: 'NETO',
    is_active: true,
  };
  assert.is((await up.request('POST', '/api/v2/rules', rule)).status, 201);
  const http = await up.request('POST', '/api/v2/events', [
    { host: 'core-1', message: '%LINK-DOWN Gi0/1', severity: 'error' },
    { host: 'core-1', message: 'nothing matches this' },
  ]);
  assert.is(http.status, 202, await http.text());
  const udp = createSocket('udp4');
  await new Promise<void>((res, rej) =>
    udp.send('<11>Dec  7 05:00:00 edge-2 app: LINK-DOWN on uplink', up.syslogPort!, '127.0.0.1', (e) => (e ? rej(e) : res())),
  );
  udp.close();
  // The alerter's tally reaches KV within a flush; read the minute(s) it counted, as status does.
  const kv = await new Kvm(nc).open(Bucket.counters);
  const total = async () => {
    const now = minuteOf(Date.now());
    const [a, b] = await Promise.all([readMinute(kv, FLOW_PREFIX, now - 1), readMinute(kv, FLOW_PREFIX, now)]);
    const sum = (k: string) => (a[k] ?? 0) + (b[k] ?? 0);
    return { http: sum('in.http'), udp: sum('in.syslog-udp'), page: sum('decision.page_only'), unhandled: sum('decision.unhandled') };
  };
  await waitFor(
    async () => {
      const c = await total();
      return c.http === 2 && c.udp === 1 && c.page === 2 && c.unhandled === 1;
    },
    15_000,
    'the alerter counted 2 HTTP + 1 syslog-udp events: 2 page_only, 1 unhandled',
  );
  const j = JSON.parse((await mutt(['status', '--json'], env)).stdout);
  assert.equal(j.rules, { total: 1, active: 1, invalid: 0 });
  assert.ok(!j.warnings.some((w: string) => /active rules/.test(w)), 'no zero-rules warning with an active rule');
  assert.equal(Object.keys(j.flow.ingest), ['http', 'syslog-udp', 'syslog-tcp', 'snmp', 'nats'], 'every input is listed, zeros included');
  assert.match(j.flow.minute, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
  const text = (await mutt(['status'], env)).stdout;
  assert.match(text, /RULES: 1 active of 1 stored/);
  assert.match(text, /ingest by input: http \d+, syslog-udp \d+, syslog-tcp \d+, snmp \d+, nats \d+/);
  assert.match(text, /decisions: +page_and_ticket \d+, page_only \d+/);
});

t.run();
