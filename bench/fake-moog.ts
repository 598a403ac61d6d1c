// A fake Moogsoft for tests, benchmarks and demos: a real HTTP server (node:http, keep-alive, no per-request
// logging) that accepts events the way a REST LAM or the Cloud Events API does, checks the credential,
// de-duplicates, counts, and can be told to misbehave (status, latency, random failures, Retry-After,
// connection resets). See docs/FAKE_MOOG.md.
//   const moog = await startFakeMoog({ apiKey: 'k', auth: 'bearer' })
//   moog.control({ failNext: 3, failStatus: 503, retryAfterSeconds: 2 })
//   ... moog.stats().accepted ... await moog.close()
//   CLI: node --import tsx bench/fake-moog.ts --port 18083 --api-key k     (or: mutt fake-moog ...)

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { closestName } from '../bin/cli/closest.ts';

export type FakeAuth = 'bearer' | 'apikey' | 'basic' | 'any';

export interface FakeMoogOptions {
  port?: number;
  host?: string;
  /** Expected credential; without one every request is authorised. For basic: the password or user:password. */
  apiKey?: string;
  /** Which header form is accepted (default 'any': Bearer, apiKey header or Basic). */
  auth?: FakeAuth;
  /** Events kept for events() / GET /events, oldest dropped first (default 50,000). */
  maxEvents?: number;
  /** De-duplication keys remembered, oldest forgotten first (default 1,000,000). */
  maxKeys?: number;
  /** Largest request body (default 5 MB; 413 beyond). */
  maxBodyBytes?: number;
  /** Called with each event accepted (not a duplicate): `mutt fake-moog` prints it. */
  onEvent?: (e: { seq: number; path: string; event: unknown }) => void;
}

export interface Control {
  /** Status for requests not selected to fail (default 200; 202 or 204 to test those answers). */
  status: number;
  /** Delay before answering (or resetting) each event POST. */
  latencyMs: number;
  /** Fraction of event POSTs selected to fail at random. */
  failureRatio: number;
  /** The next n event POSTs are selected to fail. */
  failNext: number;
  /** Status of a failing request (default 503). */
  failStatus: number;
  /** Sent as Retry-After on every non-2xx answer when set. */
  retryAfterSeconds: number | null;
  /** 'connection': selected requests get their TCP connection destroyed instead of an answer; with neither
   *  failNext nor failureRatio set, every event POST is reset. */
  reset: 'connection' | null;
  /** Event keys refused: a request holding any of them is answered 400 naming it, and nothing of it is kept
   *  (as a receiver that validates a whole batch before taking any of it). At most 1,000 keys. */
  rejectKeys: string[];
}

/** How a request carried its events: one object, a REST LAM { events: [...] }, or an Events API array. */
export type BodyShape = 'object' | 'events' | 'array';

export interface RecordedEvent {
  seq: number;
  receivedAt: number;
  path: string;
  /** Request headers without any credential. */
  headers: Record<string, string>;
  key: string | null;
  event: unknown;
  /** The number of the event POST that carried it (Stats.requests at its arrival): shared by one batch. */
  request: number;
  /** How that request carried its events, and how many there were. */
  body: BodyShape;
  batchSize: number;
}

export interface Stats {
  /** Event POSTs received (any outcome). */
  requests: number;
  /** Event objects in requests that were answered 2xx (an Events API array counts each element). */
  received: number;
  /** Received events seen for the first time (kept). */
  accepted: number;
  /** Received events whose key had been seen before. */
  duplicates: number;
  unauthorized: number;
  /** 400s for bodies that are not JSON objects or arrays of objects. */
  invalid: number;
  /** Connections destroyed on purpose. */
  resets: number;
  /** TCP connections accepted since start (or reset): few, with keep-alive. */
  connections: number;
  byStatus: Record<string, number>;
  firstReceivedAt: number | null;
  lastReceivedAt: number | null;
  /** Accepted events per second between the first and last accepted request. */
  rate: number;
  /** Events currently kept, and dropped because of maxEvents. */
  stored: number;
  dropped: number;
  /** Event POSTs being handled right now (read, waiting out latencyMs, or being answered). */
  inFlight: number;
  /** The most event POSTs in flight at once since start (or reset): how many requests a client runs in parallel. */
  maxInFlight: number;
}

export interface FakeMoog {
  url: string;
  port: number;
  stats(): Stats;
  events(since?: number, limit?: number): RecordedEvent[];
  control(c: Partial<Control>): Control;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_CONTROL: Control = {
  status: 200,
  latencyMs: 0,
  failureRatio: 0,
  failNext: 0,
  failStatus: 503,
  retryAfterSeconds: null,
  reset: null,
  rejectKeys: [],
};
const MAX_REJECT_KEYS = 1000;
const PROCESSED_ONE = { success: true, message: 'Processed 1 event(s)' };
const PROCESSED_ONE_TEXT = JSON.stringify(PROCESSED_ONE);
const CREDENTIAL_HEADERS = new Set(['authorization', 'apikey', 'x-api-key', 'cookie', 'proxy-authorization']);

export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Validates a control object from JSON (POST /control) or code; throws ControlError naming the field. */
export function parseControl(input: unknown): Partial<Control> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ControlError('control must be a JSON object');
  const c = input as Record<string, unknown>;
  const out: Partial<Control> = {};
  const num = (k: keyof Control, min: number, max: number, int: boolean) => {
    if (!(k in c)) return;
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
      throw new ControlError(`${k}: expected ${int ? 'an integer' : 'a number'} in ${min}–${max}, got ${JSON.stringify(v)}`);
    }
    (out as Record<string, number>)[k] = v;
  };
  num('status', 100, 599, true);
  num('failStatus', 100, 599, true);
  num('latencyMs', 0, 600_000, true);
  num('failureRatio', 0, 1, false);
  num('failNext', 0, 1e9, true);
  if ('retryAfterSeconds' in c) {
    if (c.retryAfterSeconds === null) out.retryAfterSeconds = null;
    else num('retryAfterSeconds', 0, 86_400, true);
  }
  if ('reset' in c) {
    if (c.reset !== null && c.reset !== 'connection')
      throw new ControlError(`reset: expected "connection" or null, got ${JSON.stringify(c.reset)}`);
    out.reset = c.reset as Control['reset'];
  }
  if ('rejectKeys' in c) {
    const k = c.rejectKeys;
    if (!Array.isArray(k) || k.length > MAX_REJECT_KEYS || !k.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 500))
      throw new ControlError(`rejectKeys: expected at most ${MAX_REJECT_KEYS} non-empty strings of ≤ 500 characters`);
    out.rejectKeys = [...k] as string[];
  }
  const unknown = Object.keys(c).filter((k) => !(k in DEFAULT_CONTROL));
  if (unknown.length) throw new ControlError(`unknown control field ${unknown[0]}`);
  return out;
}

function authorised(req: http.IncomingMessage, key: string | undefined, mode: FakeAuth): boolean {
  if (!key) return true;
  const authz = req.headers.authorization;
  const bearer = authz !== undefined && authz === `Bearer ${key}`;
  const apikey = req.headers.apikey === key;
  let basic = false;
  if (authz?.startsWith('Basic ')) {
    const decoded = Buffer.from(authz.slice(6), 'base64').toString('utf8');
    basic = decoded === key || decoded.slice(decoded.indexOf(':') + 1) === key;
  }
  if (mode === 'bearer') return bearer;
  if (mode === 'apikey') return apikey;
  if (mode === 'basic') return basic;
  return bearer || apikey || basic;
}

/** The identity of one event for de-duplication: the alert id when the payload carries one. */
export function eventKey(event: unknown): string | null {
  if (event === null || typeof event !== 'object') return null;
  const e = event as Record<string, unknown>;
  const tags = e.tags as Record<string, unknown> | undefined;
  for (const v of [e.external_id, tags?.mutt_alert_id, e.dedupe_key, e.deduplication_key]) {
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

function shapeOf(body: unknown): BodyShape {
  return Array.isArray(body) ? 'array' : Array.isArray((body as { events?: unknown }).events) ? 'events' : 'object';
}

/** The events in a body: one REST LAM object, a REST LAM { events: [...] } batch, or an Events API array. */
function eventsOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body.every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)) ? body : null;
  if (body === null || typeof body !== 'object') return null;
  const batch = (body as { events?: unknown }).events;
  if (Array.isArray(batch)) return eventsOf(batch);
  return [body];
}

export async function startFakeMoog(opts: FakeMoogOptions = {}): Promise<FakeMoog> {
  const maxEvents = opts.maxEvents ?? 50_000;
  const maxKeys = opts.maxKeys ?? 1_000_000;
  const maxBody = opts.maxBodyBytes ?? 5 * 1024 * 1024;
  const mode = opts.auth ?? 'any';
  let control: Control = { ...DEFAULT_CONTROL };
  // Ring buffer of kept events: seq n sits at ring[(n - 1) % maxEvents]. Headers are kept as Node parsed
  // them and cleaned of credentials when read, to keep the hot path free of copying. An event is kept as the
  // request's text (and its place in the request's list), parsed again when read: tens of thousands of parsed
  // events are millions of live objects, and the benchmark's process (which hosts this fake) then spent
  // 15–40 ms in every young-generation GC, in the middle of the latencies it measures.
  type Kept = Omit<RecordedEvent, 'headers' | 'event' | 'body' | 'batchSize'> & {
    headers: http.IncomingHttpHeaders;
    text: string;
    index: number;
  };
  let ring: Kept[] = [];
  let seq = 0;
  let keys = new Map<string, true>();
  let s: Stats = emptyStats();
  const sockets = new Set<Socket>();
  // Outside the stats a reset replaces: requests in flight across a reset still end (and are counted down).
  let inFlight = 0;
  let maxInFlight = 0;

  function emptyStats(): Stats {
    return {
      requests: 0,
      received: 0,
      accepted: 0,
      duplicates: 0,
      unauthorized: 0,
      invalid: 0,
      resets: 0,
      connections: 0,
      byStatus: {},
      firstReceivedAt: null,
      lastReceivedAt: null,
      rate: 0,
      stored: 0,
      dropped: 0,
      inFlight: 0,
      maxInFlight: 0,
    };
  }

  const reset = () => {
    control = { ...DEFAULT_CONTROL };
    ring = [];
    seq = 0;
    keys = new Map();
    s = emptyStats();
    maxInFlight = inFlight;
  };

  const record = (path: string, headers: http.IncomingHttpHeaders, text: string, list: unknown[], now: number, request: number) => {
    for (let index = 0; index < list.length; index++) {
      const event = list[index];
      s.received++;
      const key = eventKey(event);
      if (key !== null) {
        if (keys.has(key)) {
          s.duplicates++;
          continue;
        }
        keys.set(key, true);
        if (keys.size > maxKeys) keys.delete(keys.keys().next().value as string);
      }
      s.accepted++;
      seq++;
      ring[(seq - 1) % maxEvents] = { seq, receivedAt: now, path, headers, key, text, index, request };
      opts.onEvent?.({ seq, path, event });
    }
    s.firstReceivedAt ??= now;
    s.lastReceivedAt = now;
  };

  const events = (since = 0, limit = 1000): RecordedEvent[] => {
    const oldest = Math.max(1, seq - maxEvents + 1);
    const out: RecordedEvent[] = [];
    // The events of one request are neighbours in the ring and share its text: parse it once for all of them.
    let parsedText: string | undefined;
    let parsed: unknown[] = [];
    let body: BodyShape = 'object';
    for (let n = Math.max(since + 1, oldest); n <= seq && out.length < limit; n++) {
      const { text, index, ...e } = ring[(n - 1) % maxEvents];
      if (text !== parsedText) {
        const whole: unknown = JSON.parse(text);
        parsed = eventsOf(whole)!;
        body = shapeOf(whole);
        parsedText = text;
      }
      out.push({ ...e, headers: cleanHeaders(e.headers), event: parsed[index], body, batchSize: parsed.length });
    }
    return out;
  };

  const stats = (): Stats => {
    const span = s.firstReceivedAt !== null && s.lastReceivedAt !== null ? (s.lastReceivedAt - s.firstReceivedAt) / 1000 : 0;
    const stored = Math.min(seq, maxEvents);
    return {
      ...s,
      byStatus: { ...s.byStatus },
      rate: span > 0 ? s.accepted / span : 0,
      stored,
      dropped: seq - stored,
      inFlight,
      maxInFlight,
    };
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, extra?: Record<string, string>) => {
    s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
    if (status === 204 || body === undefined) {
      res.writeHead(status, extra);
      res.end();
      return;
    }
    const text = body === PROCESSED_ONE ? PROCESSED_ONE_TEXT : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const readBody = (req: http.IncomingMessage, limit: number, done: (body: Buffer | null) => void) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => done(over ? null : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  };

  const handleEvent = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    const request = ++s.requests;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // 'close' comes once the answer is sent or the connection is gone (a reset, a client that timed out).
    res.once('close', () => inFlight--);
    readBody(req, maxBody, (body) => {
      if (body === null) return send(res, 413, { success: false, message: 'request body too large' });
      if (!authorised(req, opts.apiKey, mode)) {
        s.unauthorized++;
        return send(res, 401, { success: false, message: 'authentication failed', statusCode: 3001 });
      }
      let list: unknown[] | null = null;
      const text = body.toString('utf8');
      try {
        list = eventsOf(JSON.parse(text));
      } catch {
        list = null;
      }
      if (list === null) {
        s.invalid++;
        return send(res, 400, { success: false, message: 'body is not a JSON event, event array or {events:[...]}', statusCode: 5002 });
      }
      const c = control;
      if (c.rejectKeys.length > 0) {
        const refused = list.map(eventKey).find((k) => k !== null && c.rejectKeys.includes(k));
        if (refused !== undefined)
          return send(res, 400, { success: false, message: `event ${refused} rejected: invalid event`, statusCode: 4000 });
      }
      let failing = false;
      const resetting = c.reset === 'connection';
      if (c.failNext > 0) {
        c.failNext--;
        failing = true;
        // Resets tied to a count end with it; otherwise 'reset' alone would then mean "reset everything".
        if (c.failNext === 0 && c.failureRatio === 0) c.reset = null;
      } else if (c.failureRatio > 0) failing = Math.random() < c.failureRatio;
      else if (resetting) failing = true;
      const act = () => {
        if (resetting && failing) {
          s.resets++;
          req.socket.destroy();
          return;
        }
        const status = failing ? c.failStatus : c.status;
        if (status >= 200 && status < 300) {
          record(path, req.headers, text, list!, Date.now(), request);
          return send(res, status, list!.length === 1 ? PROCESSED_ONE : { success: true, message: `Processed ${list!.length} event(s)` });
        }
        const extra = c.retryAfterSeconds !== null ? { 'retry-after': String(c.retryAfterSeconds) } : undefined;
        send(res, status, { success: false, message: `fake Moogsoft answers ${status}`, statusCode: status >= 500 ? 1000 : 4000 }, extra);
      };
      if (c.latencyMs > 0) setTimeout(act, c.latencyMs);
      else act();
    });
  };

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (req.method === 'POST') {
      if (path === '/control' || path === '/reset') {
        return readBody(req, 64 * 1024, (body) => {
          if (path === '/reset') {
            reset();
            return json(res, 200, { ok: true });
          }
          try {
            control = { ...control, ...parseControl(JSON.parse(body?.toString('utf8') || '{}')) };
            json(res, 200, control);
          } catch (err) {
            json(res, 400, { error: err instanceof ControlError ? err.message : `invalid JSON: ${(err as Error).message}` });
          }
        });
      }
      return handleEvent(req, res, path);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
      if (path === '/health') return json(res, 200, { status: 'healthy', service: 'fake-moog' });
      if (path === '/stats') return json(res, 200, stats());
      if (path === '/control') return json(res, 200, control);
      if (path === '/events') {
        const since = Number(params.get('since') ?? 0);
        const limit = Number(params.get('limit') ?? 1000);
        if (!Number.isInteger(since) || since < 0) return json(res, 400, { error: 'since: expected a non-negative integer' });
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          return json(res, 400, { error: 'limit: expected an integer in 1–10000' });
        const list = events(since, limit);
        return json(res, 200, { events: list, next: list.length ? list[list.length - 1].seq : since, total: seq });
      }
      // A GET on an event path answers like a Moogsoft that is up (404: no such page) or down (the configured
      // 5xx, connection reset): MUTT's remediation probes health this way without posting an event.
      if (control.reset === 'connection' && control.failNext === 0 && control.failureRatio === 0) {
        req.socket.destroy();
        return;
      }
      if (control.status >= 500) return json(res, control.status, { error: 'unavailable' });
      return json(res, 404, { error: `no such path ${path}` });
    }
    res.writeHead(405, { allow: 'GET, POST' });
    res.end();
  });
  server.on('connection', (sock) => {
    s.connections++;
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${addr.port}`,
    port: addr.port,
    stats,
    events,
    control(c) {
      control = { ...control, ...parseControl(c) };
      return { ...control };
    },
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const sock of sockets) sock.destroy();
      }),
  };
}

function cleanHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || CREDENTIAL_HEADERS.has(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** A command-line mistake; the message names the flag. */
const FLAG_NAMES = ['port', 'host', 'api-key', 'auth', 'max-events', 'quiet', 'help'];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: mutt fake-moog [--port N] [--host H] [--api-key K] [--auth bearer|apikey|basic|any] [--max-events N] [--quiet]
  A fake Moogsoft: POST events to any path; GET /stats, GET /events?since=N&limit=M, POST /control, POST /reset, GET /health.
  Prints one line per event it accepts (--quiet: only the start line).
  The API key may also come from FAKE_MOOG_API_KEY.`;

export function parseFakeMoogArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): FakeMoogOptions & { help?: boolean; quiet?: boolean } {
  const out: FakeMoogOptions & { help?: boolean; quiet?: boolean } = {
    port: 18083,
    host: '127.0.0.1',
    apiKey: env.FAKE_MOOG_API_KEY || undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      out.help = true;
      continue;
    }
    if (flag === '--quiet') {
      out.quiet = true;
      continue;
    }
    const value = argv[i + 1];
    const need = () => {
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag}: missing value`);
      i++;
      return value;
    };
    const int = (min: number, max: number) => {
      const v = need();
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
        throw new UsageError(`${flag}: expected an integer ${min}–${max}, got '${v}'`);
      return Number(v);
    };
    switch (flag) {
      case '--port':
        out.port = int(0, 65535);
        break;
      case '--host':
        out.host = need();
        break;
      case '--api-key':
        out.apiKey = need();
        break;
      case '--auth': {
        const v = need();
        if (!['bearer', 'apikey', 'basic', 'any'].includes(v))
          throw new UsageError(`--auth: expected bearer, apikey, basic or any, got '${v}'`);
        out.auth = v as FakeAuth;
        break;
      }
      case '--max-events':
        out.maxEvents = int(1, 10_000_000);
        break;
      default: {
        const near = closestName(flag.replace(/^--/, ''), FLAG_NAMES);
        throw new UsageError(
          `unknown flag ${flag}${near ? ` (did you mean --${near}?)` : ''} (known: ${FLAG_NAMES.map((f) => `--${f}`).join(', ')})`,
        );
      }
    }
  }
  return out;
}

/**
 * `mutt fake-moog`: starts the server, prints where it listens, and stops on SIGINT/SIGTERM.
 * Resolves once listening; `stopped` resolves after a signal (or close()) has shut it down.
 */
export async function fakeMoogMain(
  argv: string[],
  out: (line: string) => void = (l) => console.log(l),
): Promise<(FakeMoog & { stopped: Promise<void> }) | null> {
  const args = parseFakeMoogArgs(argv, process.env);
  if (args.help) {
    out(USAGE);
    return null;
  }
  // One line per alert, so whoever tries MUTT sees the alert arrive; cut short, since a rule can forward long messages.
  const onEvent = args.quiet
    ? undefined
    : (e: { seq: number; path: string; event: unknown }) => out(`event ${e.seq} on ${e.path}: ${JSON.stringify(e.event).slice(0, 400)}`);
  const moog = await startFakeMoog({ ...args, onEvent });
  out(`fake Moogsoft listening on ${moog.url} (auth: ${args.apiKey ? (args.auth ?? 'any') : 'none'})`);
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const close = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await moog.close();
    resolveStopped();
  };
  const onSignal = () => void close();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { ...moog, close, stopped };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  fakeMoogMain(process.argv.slice(2)).catch((err: Error) => {
    console.error(err instanceof UsageError ? err.message : err);
    process.exit(2);
  });
}
