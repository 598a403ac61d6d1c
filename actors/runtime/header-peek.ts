// Reads one header of a received message without decoding the whole header block. nats.js's `msg.headers`
// builds a MsgHdrs per message (text decode, line split, key canonicalisation, arrays), and the consume loop
// only needs Content-Type to pick the codec; the correlation id is read only when something is logged.
// Same answer as `msg.headers?.get(name)`: the first value of an exactly named header, trimmed, '' if absent.
//   peekHeader(jsMsg, 'Content-Type')   // 'application/json' or ''

import type { JsMsg } from '@nats-io/jetstream';

/** The private fields of nats.js's MsgImpl this reads (pinned nats.js version; a fallback covers their absence). */
interface RawMsg {
  _rdata?: Uint8Array;
  _msg?: { hdr?: number };
}

const needles = new Map<string, Buffer>();
const decoder = new TextDecoder();

function needleFor(name: string): Buffer {
  let n = needles.get(name);
  if (!n) {
    n = Buffer.from(`\r\n${name}:`, 'latin1');
    needles.set(name, n);
  }
  return n;
}

export function peekHeader(msg: JsMsg, name: string): string {
  const raw = (msg as unknown as { msg?: RawMsg }).msg;
  const hdr = raw?._msg?.hdr;
  const data = raw?._rdata;
  if (hdr === undefined || !(data instanceof Uint8Array)) return msg.headers?.get(name) ?? '';
  if (hdr < 0) return '';
  const block = Buffer.from(data.buffer, data.byteOffset, Math.min(hdr, data.length));
  const at = block.indexOf(needleFor(name));
  if (at < 0) return '';
  const from = at + name.length + 3;
  const end = block.indexOf('\r\n', from, 'latin1');
  return decoder.decode(block.subarray(from, end < 0 ? block.length : end)).trim();
}
