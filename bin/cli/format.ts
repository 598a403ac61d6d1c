// Small formatting helpers shared by the commands: ages and durations ('3m 12s'), byte sizes, times (ISO, UTC),
// and the --json writer, which turns byte arrays into base64 so any value prints.
//   formatDuration(192_000) === '3m 12s'; printJson({ seq: 4 })

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

export function formatAge(at: number | null | undefined, now = Date.now()): string {
  return at ? `${formatDuration(now - at)} ago` : '-';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function isoTime(at: number | null | undefined): string {
  return at ? new Date(at).toISOString() : '-';
}

/** A config or rule value as one line: strings bare, everything else as JSON. */
export function valueText(v: unknown): string {
  if (v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v), 2);
}

export function printJson(value: unknown): void {
  process.stdout.write(toJson(value) + '\n');
}

/**
 * A list for --json, the one shape every list command prints: {items, total, next_cursor} (what the HTTP API's
 * paged lists return), with any extra keys after them. A complete list has total = items.length and no cursor.
 */
export function printList(
  items: unknown[],
  page: { total?: number | null; nextCursor?: number | string | null } = {},
  extra: Record<string, unknown> = {},
): void {
  printJson({ items, total: page.total === undefined ? items.length : page.total, next_cursor: page.nextCursor ?? null, ...extra });
}
