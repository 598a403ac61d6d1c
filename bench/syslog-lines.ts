// The workload's syslog events as the lines devices send to MUTT's syslog listener: every other one RFC 3164
// (the event text already reads as a Cisco line: 'Nov 12 03:04:05 host 123: %FAC-SEV-MNEMONIC: ...'), the
// others RFC 5424 with the event's host, so both parsers are exercised. 300–600 bytes each, like the events.
//   syslogLines(w.events(n, 'sys').filter((e) => e.kind === 'syslog')) -> ['<189>Nov 12 ...', '<189>1 2024-...', ...]
//   octetCounted('<13>hi') -> Buffer '6 <13>hi' (RFC 6587 framing, what rsyslog's omfwd sends over TCP)

import type { BenchItem } from './workload.ts';

const LOCAL7 = 23;

function pri(severity: number | null): number {
  const s = severity === null || !Number.isInteger(severity) ? 5 : Math.min(7, Math.max(0, severity));
  return LOCAL7 * 8 + s;
}

export function syslogLines(items: readonly BenchItem[], now = new Date()): string[] {
  const iso = now.toISOString();
  return items.map((it, i) =>
    i % 2 === 0 ? `<${pri(it.severity)}>${it.message}` : `<${pri(it.severity)}>1 ${iso} ${it.host} mutt-bench - - - ${it.message}`,
  );
}

export function octetCounted(line: string): Buffer {
  const body = Buffer.from(line, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
