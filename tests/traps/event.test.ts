import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TrapEvent } from '../../protocol/messages.ts';
import { toTrapEvent, trapVersion } from '../../actors/traps/event.ts';
import { v1TrapOid } from '../../actors/traps/v1-to-v2.ts';
import { counter64, hex, printable, renderValue, toVarbind } from '../../actors/traps/varbind.ts';
import { renderTrapMessage, showValue } from '../../actors/traps/render.ts';
import { trapSeverity } from '../../actors/traps/severity.ts';
import { trapName, varbindName } from '../../actors/traps/names.ts';
import { rejectReason } from '../../actors/traps/receiver.ts';

const source = { address: '192.0.2.9', port: 40000 };
const NOW = Date.parse('2024-03-01T12:00:00Z');

test('RFC 3584 §3.1: v1 generic traps map under snmpTraps, enterprise-specific to enterprise.0.specific', () => {
  const names = ['coldStart', 'warmStart', 'linkDown', 'linkUp', 'authenticationFailure', 'egpNeighborLoss'];
  names.forEach((name, generic) => {
    const oid = v1TrapOid('.1.3.6.1.4.1.9', generic, 0);
    assert.is(oid, `.1.3.6.1.6.3.1.1.5.${generic + 1}`);
    assert.is(trapName(oid!), name);
  });
  assert.is(v1TrapOid('1.3.6.1.4.1.8072.3.2.10', 6, 17), '.1.3.6.1.4.1.8072.3.2.10.0.17');
  assert.is(v1TrapOid('.1.3.6.1.4.1.9', 7, 1), null);
  assert.is(v1TrapOid('.1.3.6.1.4.1.9', -1, 1), null);
  assert.is(v1TrapOid('.1.3.6.1.4.1.9', undefined, 1), null);
  assert.is(v1TrapOid('not an oid', 6, 1), null);
  assert.is(v1TrapOid('.1.3.6.1.4.1.9', 6, -2), null);
});

test('varbind values: printable text, hex for binary, Counter64 as decimal, OIDs normalised, types named', () => {
  assert.equal(toVarbind({ oid: '1.3.6.1.2.1.2.2.1.2.2', type: 4, value: Buffer.from('Gi0/2 uplink') }), {
    oid: '.1.3.6.1.2.1.2.2.1.2.2',
    type: 'OctetString',
    value: 'Gi0/2 uplink',
  });
  assert.is(renderValue('OctetString', Buffer.from([0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e])), '00 1A 2B 3C 4D 5E');
  assert.is(renderValue('OctetString', Buffer.from([0xc3, 0x28])), 'C3 28', 'invalid UTF-8 is hex');
  assert.is(renderValue('OctetString', Buffer.from('zürich\tline\n')), 'zürich\tline\n', 'UTF-8 with tab/newline is text');
  assert.is(renderValue('OctetString', Buffer.alloc(0)), '');
  assert.is(renderValue('Counter64', Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), '18446744073709551615');
  assert.is(counter64(Buffer.from([0x1c, 0xbe, 0x99, 0x1a, 0x14])), '123456789012');
  assert.is(renderValue('Opaque', Buffer.from([1, 2])), '01 02');
  assert.is(renderValue('ObjectIdentifier', '1.3.6.1.4.1.9'), '.1.3.6.1.4.1.9');
  assert.is(renderValue('ObjectIdentifier', 'weird'), 'weird');
  assert.is(renderValue('Integer', -5), -5);
  assert.is(renderValue('Boolean', true), true);
  assert.is(renderValue('Null', null), null);
  assert.is(renderValue('Counter64', 12n), '12');
  assert.is(renderValue('BitString', { bits: 1 }), '[object Object]');
  assert.is(toVarbind({ oid: '.1.3', type: 99, value: 1 }).type, 'Unknown(99)');
  for (const [code, name] of [
    [2, 'Integer'],
    [64, 'IpAddress'],
    [6, 'ObjectIdentifier'],
    [67, 'TimeTicks'],
    [70, 'Counter64'],
    [65, 'Counter32'],
    [66, 'Gauge32'],
  ] as const) {
    assert.is(toVarbind({ oid: '.1.3', type: code, value: 0 }).type, name);
  }
  assert.is(hex(Buffer.from([255])), 'FF');
  assert.is(printable(Buffer.from([7])), null);
});

test('the message reads like the trap: name, agent, named varbinds, bookkeeping and community hidden', () => {
  const msg = renderTrapMessage({
    trapOid: '.1.3.6.1.6.3.1.1.5.3',
    agent: '10.0.0.1',
    varbinds: [
      { oid: '.1.3.6.1.2.1.1.3.0', type: 'TimeTicks', value: 100 },
      { oid: '.1.3.6.1.6.3.1.1.4.1.0', type: 'ObjectIdentifier', value: '.1.3.6.1.6.3.1.1.5.3' },
      { oid: '.1.3.6.1.2.1.2.2.1.1.2', type: 'Integer', value: 2 },
      { oid: '.1.3.6.1.2.1.2.2.1.2.2', type: 'OctetString', value: 'Gi0/2' },
      { oid: '.1.3.6.1.2.1.31.1.1.1.18.2', type: 'OctetString', value: 'uplink to "core"' },
      { oid: '.1.3.6.1.4.1.9.9.1', type: 'OctetString', value: '' },
      { oid: '.1.3.6.1.6.3.18.1.4.0', type: 'OctetString', value: 'secret-community' },
    ],
  });
  assert.is(msg, 'linkDown from 10.0.0.1: ifIndex=2 ifDescr=Gi0/2 ifAlias="uplink to \\"core\\"" .1.3.6.1.4.1.9.9.1=""');
  assert.not.match(msg, /secret/);
  assert.is(renderTrapMessage({ agent: 'h', varbinds: [] }), 'trap from h');
  assert.is(renderTrapMessage({ trapOid: '.1.3.6.1.4.1.99.0.1', agent: 'h', varbinds: [] }), '.1.3.6.1.4.1.99.0.1 from h');
  const huge = renderTrapMessage({ agent: 'h', varbinds: [{ oid: '.1.3', type: 'OctetString', value: 'x'.repeat(70_000) }] });
  assert.is(huge.length, 65_536);
  assert.is(showValue(null), 'null');
  assert.is(showValue(3), '3');
  assert.is(varbindName('.1.3.6.1.2.1.15.3.1.7.10.0.0.2'), 'bgpPeerRemoteAddr', 'multi-component instance');
  assert.is(varbindName('.1.3.6.1.4.1.99'), undefined);
});

test('severity only when a varbind states it (Cisco clogHistSeverity 1..8 → 0..7)', () => {
  assert.is(trapSeverity([]), null);
  assert.is(trapSeverity([{ oid: '.1.3.6.1.4.1.9.9.41.1.2.3.1.3.12', type: 'Integer', value: 4 }]), 3);
  assert.is(trapSeverity([{ oid: '.1.3.6.1.4.1.9.9.41.1.2.3.1.3.12', type: 'Integer', value: 9 }]), null);
  assert.is(trapSeverity([{ oid: '.1.3.6.1.4.1.9.9.41.1.2.3.1.3.12', type: 'OctetString', value: 'warning' }]), 4);
  assert.is(trapSeverity([{ oid: '.1.3.6.1.2.1.2.2.1.1.2', type: 'Integer', value: 2 }]), null, 'an ifIndex of 2 is not a severity');
});

test('v2c trap → TrapEvent: trap OID from snmpTrapOID.0, host from the packet, every varbind kept', () => {
  const e = toTrapEvent({
    pdu: {
      type: 167,
      id: 77,
      varbinds: [
        { oid: '1.3.6.1.2.1.1.3.0', type: 67, value: 12345 },
        { oid: '1.3.6.1.6.3.1.1.4.1.0', type: 6, value: '1.3.6.1.6.3.1.1.5.3' },
        { oid: '1.3.6.1.6.3.1.1.4.3.0', type: 6, value: '1.3.6.1.4.1.9' },
        { oid: '1.3.6.1.6.3.18.1.3.0', type: 64, value: '10.9.9.9' },
        { oid: '1.3.6.1.6.3.18.1.4.0', type: 4, value: Buffer.from('private') },
        { oid: '1.3.6.1.2.1.2.2.1.1.2', type: 2, value: 2 },
      ],
    },
    source,
    receivedAt: NOW,
  });
  assert.ok(TrapEvent.safeParse(e).success);
  assert.is(e.version, 'v2c');
  assert.is(e.trapOid, '.1.3.6.1.6.3.1.1.5.3');
  assert.is(e.enterprise, '.1.3.6.1.4.1.9');
  assert.is(e.agentAddress, '10.9.9.9');
  assert.is(e.host, '192.0.2.9', 'v2c host is the UDP source');
  assert.is(e.message, 'linkDown from 192.0.2.9: ifIndex=2');
  assert.is(e.varbinds.length, 6);
  assert.is(e.varbinds[4].value, '[redacted]', 'a forwarded community is never stored');
  assert.not.match(e.raw!, /private/);
  assert.equal(JSON.parse(e.raw!).requestId, 77);
  assert.is(e.severity, null);
  assert.is(e.time, NOW);
  assert.is(e.correlationId, e.id);
  assert.equal(e.source, { input: 'snmp', address: '192.0.2.9' });
  assert.is(e.genericTrap, undefined);
});

test('v1 trap → TrapEvent: host is the agent address, generic/specific kept, uptime in fields', () => {
  const e = toTrapEvent({
    pdu: { type: 164, enterprise: '1.3.6.1.4.1.8072.3.2.10', agentAddr: '10.0.0.5', generic: 6, specific: 17, upTime: 999, varbinds: [] },
    source,
    receivedAt: NOW,
  });
  assert.ok(TrapEvent.safeParse(e).success);
  assert.is(e.version, 'v1');
  assert.is(e.host, '10.0.0.5');
  assert.is(e.trapOid, '.1.3.6.1.4.1.8072.3.2.10.0.17');
  assert.is(e.enterprise, '.1.3.6.1.4.1.8072.3.2.10');
  assert.is(e.genericTrap, 6);
  assert.is(e.specificTrap, 17);
  assert.equal(e.fields, { upTime: 999 });
  assert.is(e.message, '.1.3.6.1.4.1.8072.3.2.10.0.17 from 10.0.0.5');
  const unset = toTrapEvent({
    pdu: { type: 164, enterprise: '1.3.6.1.4.1.9', agentAddr: '0.0.0.0', generic: 0, specific: 0, varbinds: [] },
    source,
    receivedAt: NOW,
  });
  assert.is(unset.host, '192.0.2.9', 'agent 0.0.0.0 is no name');
  assert.is(unset.message, 'coldStart from 192.0.2.9');
});

test('informs and unknown PDU types are labelled; odd PDUs still give a valid event', () => {
  assert.is(trapVersion(166), 'inform');
  assert.is(trapVersion(160), 'unknown');
  const odd = toTrapEvent({ pdu: { type: 999, varbinds: undefined as never }, source, receivedAt: NOW });
  assert.ok(TrapEvent.safeParse(odd).success);
  assert.is(odd.trapOid, undefined);
  assert.equal(odd.varbinds, []);
  const big = toTrapEvent({
    pdu: { type: 167, varbinds: [{ oid: '1.3.6.1.4.1.1', type: 4, value: Buffer.alloc(65_000, 1) }] },
    source,
    receivedAt: NOW,
  });
  assert.ok(TrapEvent.safeParse(big).success, 'a huge binary varbind still fits the schema');
  assert.equal(big.fields, { rawOmitted: true });
  assert.is(big.raw, undefined);
});

test('net-snmp errors map to reject reasons by class', () => {
  const named = (name: string, message = '') => Object.assign(new Error(message), { name });
  assert.is(rejectReason(named('RequestFailedError', 'Local community not found for message with community x')), 'community');
  assert.is(rejectReason(named('RequestFailedError', 'Local user not found')), 'auth');
  assert.is(rejectReason(named('ProcessingError')), 'malformed');
  assert.is(rejectReason(named('ResponseInvalidError')), 'malformed');
  assert.is(rejectReason(named('RequestInvalidError')), 'unsupported');
  assert.is(rejectReason(new TypeError('x')), 'other');
});

test.run();
