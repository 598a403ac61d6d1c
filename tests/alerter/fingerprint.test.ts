import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fingerprint, maskMessage, MASK_MAX } from '../../actors/alerter/fingerprint.ts';

test('the same problem with different variable parts has one fingerprint', () => {
  assert.is(fingerprint('Interface Gi0/1 down at 10:01:02'), fingerprint('Interface Gi0/2 down at 11:22:33'));
  assert.is(fingerprint('Interface Gi0/1 down at 10:01:02'), fingerprint('Interface Te1/0/24 down at 23:59:59.123'));
  assert.is(
    fingerprint('*Mar  1 00:01:02.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down'),
    fingerprint('*Nov 28 13:14:15.999: %LINK-5-UPDOWN: Interface GigabitEthernet1/0/48, changed state to down'),
  );
  assert.is(fingerprint('BGP neighbor 10.1.1.1 Down'), fingerprint('BGP neighbor 192.168.200.17 Down'));
  assert.is(fingerprint('login failed for session 3f2a9c1d77'), fingerprint('login failed for session 00ab12cd34ef'));
});

test('different texts have different fingerprints', () => {
  assert.is.not(fingerprint('Interface Gi0/1 down'), fingerprint('Interface Gi0/1 up'));
  assert.is.not(fingerprint('%LINK-3-UPDOWN: x'), fingerprint('%SYS-3-RESTART: x'));
  assert.is.not(fingerprint("process 'nginx' died"), fingerprint("process 'sshd' died"), 'quoted text is kept by default');
  assert.is.not(fingerprint('fan failed'), fingerprint('fan failed!'));
  assert.match(fingerprint('anything'), /^[0-9a-f]{16}$/);
});

test('the fingerprint of a text never changes (it keys KV counters and Moogsoft signatures)', () => {
  assert.is(fingerprint('Interface Gi0/1 down at 10:01:02'), '099110ee963f9ba6');
  assert.is(fingerprint(''), fingerprint(''));
  assert.is.not(fingerprint(''), fingerprint(' x'));
});

test('the fingerprint is the first 16 hex characters of the SHA-256 of the masked text (UTF-8)', () => {
  // An operator can recompute it: printf %s '<masked text>' | sha256sum | cut -c1-16
  for (const message of ['Interface Gi0/1 down at 10:01:02', '', 'Lüfter 3 ausgefallen: 4200 U/min', "user 'bob' failed"]) {
    assert.is(fingerprint(message), createHash('sha256').update(maskMessage(message), 'utf8').digest('hex').slice(0, 16), message);
  }
  assert.is(
    fingerprint("user 'bob' failed", { quoted: true }),
    createHash('sha256').update('user <str> failed').digest('hex').slice(0, 16),
  );
});

test('each kind of variable part is masked', () => {
  const cases: [string, string][] = [
    ['id 123e4567-e89b-12d3-a456-426614174000 gone', 'id <uuid> gone'],
    ['at 2025-11-08T12:00:00.123Z and 2025-11-08 12:00:00+01:00', 'at <ts> and <ts>'],
    ['*Mar  1 00:01:02.123: boot', '<ts>: boot'],
    ['Nov 11 16:34:50 host sshd[4242]: x', '<ts> host sshd[<n>]: x'],
    ['March 3 2024 10:00:00 x', '<ts> x'],
    ['mac 00:1a:2b:3c:4d:5e and 00-1A-2B-3C-4D-5E and 001a.2b3c.4d5e', 'mac <mac> and <mac> and <mac>'],
    [
      'addr fe80::1ff:fe23:4567:890a and 2001:db8::1 and ::1 and 2001:0db8:0000:0000:0000:ff00:0042:8329',
      'addr <ip> and <ip> and <ip> and <ip>',
    ],
    ['ipv6 x509', 'ipv<n> x<n>'],
    ['from 10.1.1.1:514 to 192.168.0.0/16', 'from <ip> to <ip>'],
    ['uptime 10:01:02', 'uptime <time>'],
    ['Gi0/1 Te1/0/24 GigabitEthernet0/1 ge-0/0/1 xe-0/0/0.100 Ethernet1/1', '<if> <if> <if> <if> <if> <if>'],
    ['eth0 ens192 enp0s3 Vlan100 Po1 lo0 Loopback0 bond0.10', '<if> <if> <if> <if> <if> <if> <if> <if>'],
    ['code 0x1F3a and 0XDEAD', 'code <hex> and <hex>'],
    ['token 1234abcd99 and 12345678 and deadbeef', 'token <hex> and <n> and deadbeef'],
    ['%LINEPROTO-5-UPDOWN: took 3.25 s, 17 retries', '%LINEPROTO-<n>-UPDOWN: took <n> s, <n> retries'],
    ['std::string a:b Marching band', 'std::string a:b Marching band'],
    ['  spaced\tout \r\n twice  ', 'spaced out twice'],
  ];
  for (const [text, masked] of cases) assert.is(maskMessage(text), masked, text);
});

test('whitespace: every ASCII and Unicode space collapses to one, other control characters stay', () => {
  const collapsed: [string, string][] = [
    ['a\tb', 'a b'],
    ['a\nb', 'a b'],
    ['a\u000bb', 'a b'],
    ['a\fb', 'a b'],
    ['a\rb', 'a b'],
    ['a\u00a0b', 'a b'],
    ['a\u2003b', 'a b'],
    ['a\u3000b', 'a b'],
    ['a\ufeffb', 'a b'],
    [' a b', 'a b'],
    ['a b ', 'a b'],
    ['a  b', 'a b'],
    ['a \tb', 'a b'],
    ['\ta', 'a'],
    ['a\n', 'a'],
  ];
  for (const [text, masked] of collapsed) assert.is(maskMessage(text), masked, JSON.stringify(text));
  // Backspace (8), shift-out (14), DEL (127) and NEL (U+0085) are not whitespace to JavaScript: kept as they are.
  for (const text of ['a\bb', 'a\u000eb', 'a\u007fb', 'a\u0085b', 'a b', 'a', '']) assert.is(maskMessage(text), text, JSON.stringify(text));
  assert.is(fingerprint('link\tdown'), fingerprint('link down'));
  assert.is.not(fingerprint('link\u0085down'), fingerprint('link down'));
});

test('hex runs: 0x/0X prefixes always, bare runs of 8+ only when they mix digits and letters', () => {
  const cases: [string, string][] = [
    ['v 0x12345678', 'v <hex>'],
    ['v 0X12345678', 'v <hex>'],
    ['v 0xabcdef', 'v <hex>'],
    ['v ABCDEF12', 'v <hex>'],
    ['v abcdef12', 'v <hex>'],
    ['v 12ABCDEF', 'v <hex>'],
    ['v 1234567890', 'v <n>'],
    ['v ABCDEFAB', 'v ABCDEFAB'],
    ['v abcdefab', 'v abcdefab'],
    ['v 1234abc', 'v <n>abc'], // seven characters: not a hex run; its digits are a number like any other
  ];
  for (const [text, masked] of cases) assert.is(maskMessage(text), masked, text);
});

test('quoted strings are masked only when asked', () => {
  assert.is(maskMessage(`user 'bob' failed "login" at 10.0.0.1`), `user 'bob' failed "login" at <ip>`);
  assert.is(maskMessage(`user 'bob' failed "login" at 10.0.0.1`, { quoted: true }), 'user <str> failed <str> at <ip>');
  assert.is(fingerprint("user 'bob' failed", { quoted: true }), fingerprint("user 'alice' failed", { quoted: true }));
});

test('only the first MASK_MAX characters shape the fingerprint', () => {
  const head = 'x'.repeat(MASK_MAX - 2) + ' y';
  assert.is(fingerprint(head + 'A'.repeat(100)), fingerprint(head + 'B'.repeat(100)));
  assert.is(maskMessage('1.'.repeat(40_000)).length <= MASK_MAX, true);
});

test('messages without variable parts come back unchanged', () => {
  const text = 'Line protocol on Interface changed state to down';
  assert.is(maskMessage(text), text);
  assert.is(maskMessage('Mar'), 'Mar');
  assert.is(maskMessage(''), '');
});

test.run();
