import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  moogBody,
  moogEventText,
  toMoogPayload,
  type EventsApiEvent,
  type PayloadConfig,
  type RestLamEvent,
} from '../../actors/forwarder/payload.ts';
import { moogSeverityName, toMoogSeverity, DEFAULT_SEVERITY_MAP } from '../../actors/forwarder/moog-severity.ts';
import { renderSignature, DEFAULT_SIGNATURE, SIGNATURE_MAX_BYTES } from '../../actors/forwarder/signature.ts';
import { configDefaults } from '../../protocol/config-keys.ts';
import { makeAlert } from './alert-fixture.ts';

const defaults = configDefaults();
const lam: PayloadConfig = {
  format: 'rest_lam',
  signature: defaults.moog_signature,
  severityMap: defaults.moog_severity_map,
  manager: defaults.moog_manager,
};
const api: PayloadConfig = { ...lam, format: 'events_api' };

test('the default severity map sends each syslog level to its Moogsoft level', () => {
  // syslog 0 emerg,1 alert,2 crit → 5 critical; 3 err → 4 major; 4 warning → 3 minor; 5 notice, 6 info → 2 warning; 7 debug → 1
  const want = [5, 5, 5, 4, 3, 2, 2, 1];
  for (let level = 0; level <= 7; level++) {
    const p = toMoogPayload(makeAlert({ severity: level }), lam) as RestLamEvent;
    assert.is(p.severity, want[level], `syslog ${level}`);
  }
  assert.equal([...DEFAULT_SEVERITY_MAP], want);
  assert.equal(defaults.moog_severity_map, want, 'protocol default and module default agree');
});

test('a missing severity is treated as syslog warning, not silently critical or clear', () => {
  assert.is((toMoogPayload(makeAlert({ severity: null }), lam) as RestLamEvent).severity, 3);
  assert.is(toMoogSeverity(null, [0, 0, 0, 0, 5, 0, 0, 0]), 5, 'goes through the map');
  assert.is(toMoogSeverity(9 as number, DEFAULT_SEVERITY_MAP), 3, 'out-of-range level');
  assert.is(toMoogSeverity(0, [7, 1]), 5, 'bad map entry falls back to the default');
  assert.is(toMoogSeverity(6, [5]), 2, 'short map falls back');
});

test('a custom severity map is honoured', () => {
  const p = toMoogPayload(makeAlert({ severity: 6 }), { ...lam, severityMap: [5, 5, 5, 5, 5, 5, 0, 0] }) as RestLamEvent;
  assert.is(p.severity, 0);
});

test('REST LAM event carries the documented fields', () => {
  const alert = makeAlert({ trapOid: '.1.3.6.1.6.3.1.1.5.3' });
  const p = toMoogPayload(alert, lam) as RestLamEvent;
  assert.is(p.signature, 'sw1.lab.example.com:bgp-down:%BGP-5-ADJCHANGE: neighbor <ip> Down');
  assert.is(p.source_id, alert.host);
  assert.is(p.source, alert.host);
  assert.is(p.external_id, alert.id);
  assert.is(p.manager, 'MUTT');
  assert.is(p.class, 'NETO');
  assert.is(p.agent, 'MUTT');
  assert.is(p.agent_location, 'syslog-udp@10.9.9.9');
  assert.is(p.type, 'Alert');
  assert.is(p.description, alert.message);
  assert.is(p.agent_time, 1_700_000_000, 'event time in whole seconds');
  assert.equal(p.custom_info.decision, 'page_and_ticket');
  assert.is(p.custom_info.rule, 'bgp-down');
  assert.is(p.custom_info.environment, 'prod');
  assert.is(p.custom_info.team, 'NETO');
  assert.is(p.custom_info.correlation_id, 'corr-1');
  assert.is(p.custom_info.trap_oid, '.1.3.6.1.6.3.1.1.5.3');
  assert.is(p.custom_info.fingerprint, alert.fingerprint);
  assert.equal(p.custom_info.event, alert.event);
  assert.is((toMoogPayload(makeAlert({ kind: 'meta', ruleId: '_meta', decision: 'meta_alert' }), lam) as RestLamEvent).type, 'MetaAlert');
  assert.is((toMoogPayload(makeAlert({ event: { source: { input: 'http' } } }), lam) as RestLamEvent).agent_location, 'http');
  assert.is((toMoogPayload(makeAlert(), lam) as RestLamEvent).custom_info.trap_oid, null);
});

test('Events API body is an array with severity names, dedupe key, seconds and flat tags', () => {
  const alert = makeAlert({ severity: 2, trapOid: '.1.3.6.1.4.1.9' });
  const body = toMoogPayload(alert, api) as EventsApiEvent[];
  assert.ok(Array.isArray(body));
  assert.is(body.length, 1);
  const e = body[0];
  assert.is(e.source, alert.host);
  assert.is(e.check, 'bgp-down');
  assert.is(e.description, alert.message);
  assert.is(e.severity, 'critical');
  assert.is(e.dedupe_key, 'sw1.lab.example.com:bgp-down:%BGP-5-ADJCHANGE: neighbor <ip> Down');
  assert.is(e.time, 1_700_000_000);
  assert.is(e.manager, 'MUTT');
  assert.equal(e.service, ['NETO']);
  assert.is(e.tags.mutt_alert_id, alert.id);
  assert.is(e.tags.trap_oid, '.1.3.6.1.4.1.9');
  assert.is(e.tags.facility, 'local7');
  for (const [k, v] of Object.entries(e.tags)) assert.type(v, 'string', `tag ${k} is flat`);
  assert.is((toMoogPayload(makeAlert({ severity: 7 }), api) as EventsApiEvent[])[0].severity, 'unknown');
  assert.is((toMoogPayload(makeAlert({ severity: 4 }), api) as EventsApiEvent[])[0].severity, 'minor');
  assert.is(moogSeverityName(0), 'clear');
  assert.is(moogSeverityName(9), 'critical');
  assert.not.ok('trap_oid' in (toMoogPayload(makeAlert(), api) as EventsApiEvent[])[0].tags);
});

test('default signature keeps distinct problems on one host distinct; repeats of one problem collide', () => {
  const a = renderSignature(DEFAULT_SIGNATURE, makeAlert({ ruleId: 'bgp-down' }));
  const b = renderSignature(DEFAULT_SIGNATURE, makeAlert({ ruleId: 'fan-fail', fingerprint: 'fan <n> failed' }));
  const c = renderSignature(DEFAULT_SIGNATURE, makeAlert({ ruleId: 'bgp-down', id: 'another-alert', host: 'SW1.LAB.example.com' }));
  assert.is.not(a, b);
  assert.is(a, c, 'same problem, host case ignored');
});

test('signature template placeholders, unknown placeholders and length cap', () => {
  const alert = makeAlert({ trapOid: '.1.3.6.1.6.3.1.1.5.3' });
  assert.is(renderSignature('{host}::{oid}::{team}', alert), 'sw1.lab.example.com::.1.3.6.1.6.3.1.1.5.3::NETO');
  assert.is(renderSignature('{host}::{oid}', makeAlert()), 'sw1.lab.example.com::');
  assert.is(renderSignature('{host}-{nope}', alert), 'sw1.lab.example.com-{nope}');
  const long1 = renderSignature('{fingerprint}', makeAlert({ fingerprint: 'é'.repeat(600) + 'A' }));
  const long2 = renderSignature('{fingerprint}', makeAlert({ fingerprint: 'é'.repeat(600) + 'B' }));
  assert.ok(Buffer.byteLength(long1) <= SIGNATURE_MAX_BYTES);
  assert.is.not(long1, long2, 'a hash keeps long signatures distinct');
  assert.ok(long1.startsWith('éé'));
});

test('no credential reaches the payload, even when a sender attached one to the event', () => {
  const secret = 'S3CR3T-moog-key-value';
  const alert = makeAlert({
    event: {
      fields: { api_key: secret, nested: { password: secret, keep: 'yes' }, list: [{ token: secret }], site: 'lab' },
      raw: `{"hostname":"sw1","api_key":"${secret}","message":"x"}`,
    },
  });
  for (const cfg of [lam, api]) {
    const text = JSON.stringify(toMoogPayload(alert, cfg));
    assert.not.ok(text.includes(secret), `${cfg.format} payload is clean`);
  }
  const kept = (toMoogPayload(alert, lam) as RestLamEvent).custom_info.event;
  assert.equal(kept.fields, { nested: { keep: 'yes' }, list: [{}], site: 'lab' });
  assert.ok(kept.raw!.includes('"hostname":"sw1"'), 'the rest of raw survives');
  const clean = makeAlert({ event: { fields: { site: 'lab' }, raw: 'plain line' } });
  assert.is((toMoogPayload(clean, lam) as RestLamEvent).custom_info.event, clean.event, 'clean events are not copied');
});

test('a one-alert request body (what the forwarder sends) is toMoogPayload, in both formats', () => {
  for (const cfg of [lam, api]) {
    const alert = makeAlert({ severity: 4 });
    assert.equal(JSON.parse(moogBody(cfg.format, [moogEventText(alert, cfg)])), JSON.parse(JSON.stringify(toMoogPayload(alert, cfg))));
  }
});

test('several alerts: REST LAM {"events":[...]}, Events API one array', () => {
  const texts = [moogEventText(makeAlert({ id: 'a1' }), lam), moogEventText(makeAlert({ id: 'a2' }), lam)];
  assert.is((JSON.parse(moogBody('rest_lam', texts)) as { events: unknown[] }).events.length, 2);
  const apiTexts = [moogEventText(makeAlert({ id: 'a1' }), api), moogEventText(makeAlert({ id: 'a2' }), api)];
  assert.is((JSON.parse(moogBody('events_api', apiTexts)) as unknown[]).length, 2);
});

test.run();
