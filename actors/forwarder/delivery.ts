// The HTTP client that POSTs payloads to Moogsoft: keep-alive connections (a node:http(s) Agent with
// maxSockets = concurrency, so a burst reuses warm sockets instead of paying a TCP/TLS handshake each), a
// per-request deadline covering connect, response and body, and failures normalised to DeliveryError
// ('transport' with Node's code, or 'timeout') for classifyOutcome. Redirects are not followed.
// The credential is sent only in its header; response excerpts and error messages are scrubbed of it.
//   const moog = createMoogClient({ url, apiKey: cred, auth: 'bearer', timeoutMs: 10_000, concurrency: 32 })
//   createMoogClient({ ..., timeoutMs: () => cfg.get().moog_timeout_ms, concurrency: () => cfg.get().moog_concurrency })  // live
//   const r = await moog.send(payload)         // { status, headers, bodyExcerpt, durationMs }
//   const d = await deliver(moog, payload, { retryStatuses })   // { classification, status?, durationMs }
//   await moog.close()

import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { classifyOutcome, DeliveryError, type Classification, type ClassifyConfig } from './classify.ts';
import { authHeader, Secret, type AuthMode, type CredentialSource } from './credentials.ts';
import { excerpt, scrubSecrets } from './scrub.ts';

export interface MoogClientOptions {
  url: string;
  /** The credential: a plain string, a Secret, or a source that follows a rotating key file. */
  apiKey: string | Secret | CredentialSource;
  auth: AuthMode;
  /** Deadline of one request; a function is read at every request (live config). */
  timeoutMs: number | (() => number);
  /** Sockets kept to Moogsoft; requests beyond this wait for a free one. A function is read at every request,
   *  so the agent follows a live moog_concurrency instead of capping it at its start-up value. */
  concurrency: number | (() => number);
  userAgent?: string;
  /** Extra CA certificate(s) for a Moogsoft with a private CA. TLS verification is always on. */
  ca?: string | Buffer;
}

export interface MoogResponse {
  status: number;
  headers: Record<string, string>;
  /** The start of the response body, scrubbed of credentials, ≤ 500 characters. */
  bodyExcerpt: string;
  durationMs: number;
}

export interface SendOptions {
  /** Aborts the request (e.g. shutdown): it then fails as DeliveryError 'transport' with code ABORT_ERR. */
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface MoogClient {
  send(payload: unknown, opts?: SendOptions): Promise<MoogResponse>;
  /** Requests started and not yet finished. */
  readonly inFlight: number;
  close(): Promise<void>;
}

// Enough of an error page to explain a rejection; the rest is drained (to keep the socket) but not kept.
const KEEP_BODY_BYTES = 16 * 1024;

export function createMoogClient(opts: MoogClientOptions): MoogClient {
  const url = new URL(opts.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Moogsoft URL must be http(s), got ${url.protocol}`);
  const secure = url.protocol === 'https:';
  const timeoutOf =
    typeof opts.timeoutMs === 'function'
      ? opts.timeoutMs
      : (
          (ms: number) => () =>
            ms
        )(opts.timeoutMs);
  const concurrencyOf =
    typeof opts.concurrency === 'function'
      ? opts.concurrency
      : (
          (n: number) => () =>
            n
        )(opts.concurrency);
  const sockets0 = concurrencyOf();
  const agentOpts = { keepAlive: true, maxSockets: sockets0, maxFreeSockets: sockets0, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent({ ...agentOpts, ...(opts.ca ? { ca: opts.ca } : {}) }) : new http.Agent(agentOpts);
  const request = secure ? https.request : http.request;
  const source: CredentialSource =
    typeof opts.apiKey === 'string' ? fixed(new Secret(opts.apiKey)) : opts.apiKey instanceof Secret ? fixed(opts.apiKey) : opts.apiKey;
  // The header is rebuilt only when the credential changes (rotation), not per request.
  let lastSecret: Secret | undefined;
  let header: [string, string] = ['', ''];
  const credentialHeader = (): [string, string] => {
    const s = source.current();
    if (s !== lastSecret) {
      header = authHeader(opts.auth, s);
      lastSecret = s;
    }
    return header;
  };
  credentialHeader(); // a malformed credential fails at start-up, not on the first alert
  const userAgent = opts.userAgent ?? 'MUTT/3 forwarder';
  let inFlight = 0;
  let closed = false;

  const once = (body: Buffer, so: SendOptions): Promise<{ res: MoogResponse } | { retry: true }> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const timeoutMs = timeoutOf();
      // Node's Agent reads both limits as each request is added: set here, they follow the config live.
      const sockets = concurrencyOf();
      agent.maxSockets = sockets;
      agent.maxFreeSockets = sockets;
      const [authName, authValue] = credentialHeader();
      const secrets = [lastSecret!.reveal()];
      let settled = false;
      let responded = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        so.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const req = request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: url.pathname + url.search,
        method: 'POST',
        agent,
        headers: {
          ...so.headers,
          'content-type': 'application/json',
          'content-length': body.length,
          accept: 'application/json',
          'user-agent': userAgent,
          [authName]: authValue,
        },
      });
      const timer = setTimeout(
        () => req.destroy(new DeliveryError('timeout', `no complete response within ${timeoutMs} ms`, { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
      const onAbort = () => req.destroy(new DeliveryError('transport', 'request aborted', { code: 'ABORT_ERR' }));
      if (so.signal?.aborted) onAbort();
      else so.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => {
        // A keep-alive socket the server closed just as we reused it: the request never reached Moogsoft's
        // handler, so one immediate retry on a fresh socket is safe (Node's documented pattern).
        const stale = req.reusedSocket && !responded && (err as { code?: string }).code === 'ECONNRESET';
        finish(() => (stale ? resolve({ retry: true }) : reject(normalise(err, secrets))));
      });
      req.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < KEEP_BODY_BYTES) {
            chunks.push(c);
            kept += c.length;
          }
        });
        res.on('error', (err) => finish(() => reject(normalise(err, secrets))));
        res.on('end', () =>
          finish(() =>
            resolve({
              res: {
                status: res.statusCode ?? 0,
                headers: flattenHeaders(res.headers),
                bodyExcerpt: excerpt(Buffer.concat(chunks).toString('utf8'), secrets),
                durationMs: performance.now() - started,
              },
            }),
          ),
        );
        // The socket died mid-body: no 'end' will come.
        res.on('close', () => {
          if (!res.complete)
            finish(() =>
              reject(new DeliveryError('transport', 'connection closed before the response was complete', { code: 'ECONNRESET' })),
            );
        });
      });
      req.end(body);
    });

  return {
    get inFlight() {
      return inFlight;
    },
    async send(payload, so = {}) {
      if (closed) throw new DeliveryError('transport', 'Moogsoft client is closed', { code: 'ERR_CLIENT_CLOSED' });
      const body =
        typeof payload === 'string'
          ? Buffer.from(payload)
          : payload instanceof Uint8Array
            ? Buffer.from(payload)
            : Buffer.from(JSON.stringify(payload));
      inFlight++;
      try {
        const first = await once(body, so);
        if ('res' in first) return first.res;
        const second = await once(body, so);
        if ('res' in second) return second.res;
        throw new DeliveryError('transport', 'ECONNRESET: connection reset on a fresh socket', { code: 'ECONNRESET' });
      } finally {
        inFlight--;
      }
    },
    async close() {
      closed = true;
      agent.destroy();
    },
  };
}

function fixed(secret: Secret): CredentialSource {
  return { current: () => secret };
}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function normalise(err: Error, secrets: string[]): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const raw = (err as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : 'ERR_TRANSPORT';
  const reason = code === 'ETIMEDOUT' ? 'timeout' : 'transport';
  return new DeliveryError(reason, `${code}: ${scrubSecrets(err.message, secrets)}`.slice(0, 300), { code, cause: err });
}

export interface Delivered {
  classification: Classification;
  status?: number;
  durationMs: number;
  response?: MoogResponse;
}

/** One attempt: send, then classify the outcome (never throws for a delivery failure). */
export async function deliver(client: MoogClient, payload: unknown, cfg: ClassifyConfig, so?: SendOptions): Promise<Delivered> {
  const started = performance.now();
  try {
    const response = await client.send(payload, so);
    return { classification: classifyOutcome(response, cfg), status: response.status, durationMs: response.durationMs, response };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { classification: classifyOutcome({ error }, cfg), durationMs: performance.now() - started };
  }
}
