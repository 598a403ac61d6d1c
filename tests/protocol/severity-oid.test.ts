// The edges of severity and OID normalisation that senders hit (and that mutation testing showed untested):
// non-integer and out-of-range numbers, digit strings that are not one digit, multi-digit OID components,
// surrounding whitespace, 'iso.' only as a prefix, and prefixes that share leading characters but not components.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseSeverity } from '../../protocol/severity.ts';
import { normaliseOid, oidHasPrefix } from '../../protocol/oid.ts';

test('severity numbers: integers 0–7 only', () => {
  for (const n of [0, 3, 7]) assert.is(normaliseSeverity(n), n);
  for (const n of [-1, 8, 2.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.is(normaliseSeverity(n), null, String(n));
});

test('severity text: one digit, a known name, whitespace and case ignored', () => {
  assert.is(normaliseSeverity(' 3 '), 3);
  assert.is(normaliseSeverity('0'), 0);
  for (const s of ['17', '8', '-1', '3a', 'x7', '07', '', '   ']) assert.is(normaliseSeverity(s), null, JSON.stringify(s));
  assert.is(normaliseSeverity(' WARNING '), 4);
  assert.is(normaliseSeverity('Informational'), 6);
  assert.is(normaliseSeverity('toString'), null, 'no Object.prototype member is a severity');
  for (const v of [null, undefined, true, {}, ['3']]) assert.is(normaliseSeverity(v), null);
});

test('OIDs: dotted decimal with multi-digit components, one leading dot, trimmed', () => {
  assert.is(normaliseOid('10.20.300'), '.10.20.300');
  assert.is(normaliseOid('.1.3.6.1.4.1.9999.12'), '.1.3.6.1.4.1.9999.12');
  assert.is(normaliseOid('  1.3.6.1  '), '.1.3.6.1');
  assert.is(normaliseOid('ISO.3.6.1'), '.1.3.6.1');
  for (const s of ['1.iso.3', '1..3', '1.3.', '..1.3', 'a.1', '1.3 6', '']) assert.is(normaliseOid(s), null, JSON.stringify(s));
  for (const v of [5, null, undefined, { toString: () => '1.3' }]) assert.is(normaliseOid(v), null);
});

test('OID prefixes compare whole components', () => {
  assert.ok(oidHasPrefix('.1.3.6.1', '.1.3.6.1'));
  assert.ok(oidHasPrefix('.1.3.6.1.4', '.1.3.6'));
  assert.not.ok(oidHasPrefix('.1.3.6', '.1.4'), 'different component, even though the lengths line up on a dot');
  assert.not.ok(oidHasPrefix('.1.3.65', '.1.3.6'));
  assert.not.ok(oidHasPrefix('.1.3', '.1.3.6'), 'a longer prefix never matches');
});

test.run();
