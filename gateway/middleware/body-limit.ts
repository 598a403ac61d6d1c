// Reads a request body under a byte cap while it streams in: a declared Content-Length over the cap is refused
// before reading, and a body that grows past it is refused at the first chunk beyond (nothing more is kept), so an
// oversized upload never sits in memory whole. 413 either way (rendered by http-error.ts). Under @hono/node-server
// the body is read from node's IncomingMessage, not through a WHATWG Request built for the purpose.
// Every body limit (bytes here, items / depth / values of a JSON body in gateway/bounded-json.ts) is refused the
// same way: 413 with `exceeded` naming the limit and `limit` its value, in the api and the legacy style alike.
//   app.post('/x', bodyLimit({ maxBytes: 1 << 20 }), (c) => c.json({ n: c.get('rawBody').length }))
//   const bytes = await readBodyLimited(c, 1 << 20)
//   throw limitExceeded(new JsonLimitError('depth', 32))   // 413 {error: 'request body nested deeper than 32 levels', exceeded: 'depth', limit: 32}

import type { Context } from 'hono';
import type { JsonLimitError, JsonLimitName } from '../bounded-json.ts';
import { httpError, type ApiHttpError } from '../http-error.ts';

const LIMIT_TEXT: Record<JsonLimitName, (n: number) => string> = {
  bytes: (n) => `request body exceeds ${n} bytes`,
  items: (n) => `an array in the request body holds more than ${n} items`,
  depth: (n) => `request body nested deeper than ${n} levels`,
  values: (n) => `request body holds more than ${n} JSON values`,
};

/** The 413 for a body over one of its limits; `message` replaces the standard wording (e.g. "more than N events"). */
export function limitExceeded(
  err: Pick<JsonLimitError, 'limit' | 'max'>,
  opts: { message?: string; legacyMessage?: string; body?: Record<string, unknown> } = {},
): ApiHttpError {
  const message = opts.message ?? LIMIT_TEXT[err.limit](err.max);
  const named = { exceeded: err.limit, limit: err.max };
  return httpError(413, {
    message,
    legacyMessage: opts.legacyMessage ?? `Payload Too Large - ${message}`,
    body: { ...named, ...opts.body },
    legacy: named,
  });
}

function tooLarge(maxBytes: number) {
  return limitExceeded({ limit: 'bytes', max: maxBytes });
}

/** The parts of node's IncomingMessage read here (the request under @hono/node-server, as `c.env.incoming`). */
interface NodeBody {
  on(event: 'data', cb: (chunk: Buffer) => void): unknown;
  on(event: 'end', cb: () => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'aborted', cb: () => void): unknown;
  off(event: 'data' | 'end' | 'error' | 'aborted', cb: (...args: never[]) => void): unknown;
  pause(): unknown;
  readonly readableDidRead?: boolean;
  readonly readableEnded?: boolean;
}

/** The node request behind a Hono context, when it runs under @hono/node-server and nobody has read its body. */
function nodeBodyOf(c: { env: unknown }): NodeBody | undefined {
  const incoming = (c.env as { incoming?: NodeBody } | undefined)?.incoming;
  return incoming && typeof incoming.on === 'function' && !incoming.readableDidRead ? incoming : undefined;
}

/** What is read of a Hono context: its request, and the node request under it when there is one. */
export interface BodySource {
  req: { raw: Request };
  env: unknown;
}

export async function readBodyLimited(c: BodySource, maxBytes: number): Promise<Uint8Array> {
  const req = c.req.raw;
  const node = nodeBodyOf(c);
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  // Straight from node's stream when we have it: going through req.body makes @hono/node-server build a WHATWG
  // Request and a web stream over the socket for every request (docs/PERFORMANCE.md, change L).
  if (node) return readNodeBody(node, maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw httpError(400, { message: 'request body could not be read', legacyMessage: 'Invalid request body', cause: err });
    }
    if (chunk.done) break;
    total += chunk.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk.value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

function readNodeBody(node: NodeBody, maxBytes: number): Promise<Uint8Array> {
  if (node.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    // Only our own listeners come off: node and @hono/node-server keep theirs.
    const stop = () => {
      node.off('data', onData);
      node.off('end', onEnd);
      node.off('aborted', onAborted);
      node.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        // Keep nothing more. Once the 413 is sent, @hono/node-server drains what is left of the body (bounded in
        // bytes and time) or closes the connection, so the answer reaches the client.
        stop();
        node.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    };
    const unreadable = (err: Error) => {
      stop();
      reject(httpError(400, { message: 'request body could not be read', legacyMessage: 'Invalid request body', cause: err }));
    };
    const onAborted = () => unreadable(new Error('client went away'));
    const onError = (err: Error) => unreadable(err);
    node.on('data', onData);
    node.on('end', onEnd);
    node.on('aborted', onAborted);
    node.on('error', onError);
  });
}

export function bodyLimit(opts: { maxBytes: number }) {
  return async function bodyLimit(c: Context, next: () => Promise<void>) {
    c.set('rawBody', await readBodyLimited(c, opts.maxBytes));
    await next();
  };
}
