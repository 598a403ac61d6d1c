// The source a failed authentication is counted against: an IPv4 address as it is, an IPv6 address by its /64
// (one host is routinely given a whole /64, so counting per exact address let it walk 2^64 addresses around
// the throttle), an IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a dual-stack socket reports) as the IPv4
// address. Anything else (a unix socket, 'unknown') is used as written.
//   throttleKey('2001:db8:1:2::7') === '2001:db8:1:2::/64'; throttleKey('::ffff:10.0.0.1') === '10.0.0.1'

import { isIPv4, isIPv6 } from 'node:net';

export function throttleKey(address: string): string {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return address;
  const groups = expandIPv6(a);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with '::' and a dotted IPv4 tail resolved). */
function expandIPv6(a: string): number[] {
  let text = a;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}
