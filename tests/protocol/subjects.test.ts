import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeToken, encodeToken, parseEventSubject, subjects } from '../../protocol/subjects.ts';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { normaliseOid, oidHasPrefix } from '../../protocol/oid.ts';

test('host names become one readable subject token and back', () => {
  assert.is(encodeToken('router1.prod.example.com'), 'router1_prod_example_com');
  assert.is(decodeToken('router1_prod_example_com'), 'router1.prod.example.com');
  assert.is(encodeToken('Core-SW1.Example.com'), 'core-sw1_example_com');
  assert.is(encodeToken('host_with_underscore'), 'host%5Fwith%5Funderscore', '_ stands for a dot, so a real _ is escaped');
  assert.is(encodeToken('\u212A.lab'), 'k_lab', 'the Kelvin sign lower-cases to k, the same in both paths');
  for (const h of ['Core-SW1.example.com', 'host_with_underscore', 'a b*c>d', 'ünïcode.host', '10.0.0.1', '']) {
    const t = encodeToken(h);
    assert.not.match(t, /[.\s*>]/, `token ${t} is a single safe token`);
    assert.is(decodeToken(t), h.toLowerCase());
  }
});

test('event subjects parse back to kind and host', () => {
  assert.equal(parseEventSubject(subjects.event('trap', 'sw1.lab')), { kind: 'trap', host: 'sw1.lab' });
  assert.is(parseEventSubject('mutt.alerts.x'), null);
  assert.is(parseEventSubject('mutt.events.other.h'), null);
});

test('severities normalise from names and numbers', () => {
  assert.is(normaliseSeverity('Warning'), 4);
  assert.is(normaliseSeverity('crit'), 2);
  assert.is(normaliseSeverity(' 3 '), 3);
  assert.is(normaliseSeverity(7), 7);
  assert.is(normaliseSeverity(8), null);
  assert.is(normaliseSeverity('loud'), null);
  assert.is(normaliseSeverity(undefined), null);
});

test('OIDs normalise to a leading dot and prefix-match by component', () => {
  assert.is(normaliseOid('1.3.6.1.4'), '.1.3.6.1.4');
  assert.is(normaliseOid('.1.3.6.1.4'), '.1.3.6.1.4');
  assert.is(normaliseOid('iso.3.6.1'), '.1.3.6.1');
  assert.is(normaliseOid('1.3.x'), null);
  assert.ok(oidHasPrefix('.1.3.6.1.2.1', '.1.3.6.1.2'));
  assert.ok(oidHasPrefix('.1.3.6.1.2', '.1.3.6.1.2'));
  assert.not.ok(oidHasPrefix('.1.3.6.1.25', '.1.3.6.1.2'));
});

test.run();
