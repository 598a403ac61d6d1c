// Reads a request body under a byte cap while it streams in: a declared Content-Length over the cap is refused
// before reading, and a body that grows past it is cancelled at the first chunk beyond, so an oversized upload
// never sits in memory whole. 413 either way (rendered by http-error.ts).
//   app.post('/x', bodyLimit({ maxBytes: 1 << 20 }), (c) => c.json({ n: c.get('rawBody').length }))
//   const bytes = await readBodyLimited(c.req.raw, 1 << 20)

import type { Context } from 'hono';
import { httpError } from '../http-error.ts';

function tooLarge(maxBytes: number) {
  return httpError(413, {
    message: `request body exceeds ${maxBytes} bytes`,
    legacyMessage: `Payload Too Large - request body exceeds ${maxBytes} bytes`,
    body: { limit: maxBytes },
  });
}

export async function readBodyLimited(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
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

export function bodyLimit(opts: { maxBytes: number }) {
  return async function bodyLimit(c: Context, next: () => Promise<void>) {
    c.set('rawBody', await readBodyLimited(c.req.raw, opts.maxBytes));
    await next();
  };
}
