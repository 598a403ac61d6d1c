// HTTP load on the gateway's POST /api/v2/events with node:http and a keep-alive Agent (warm sockets, no
// per-request handshake): closed-loop senders keeping `concurrency` requests in flight for the throughput
// phases, and a fire-and-forget post for the open-loop latency phases. An answer other than 202 (503 while
// MUTT_EVENTS is full, a dropped socket) is retried with the same event ids, as a real sender would.
//   const http = new HttpSender(gatewayUrl, apiKey, 64); await sendAll(http, bodies, 8); http.close()

import http from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export class HttpSender {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
    maxSockets: number,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  post(path: string, body: string | Buffer): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      const req = http.request(
        {
          hostname: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': data.length, 'x-api-key': this.apiKey },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface SendResult {
  requests: number;
  retries: number;
  seconds: number;
  startedAt: number;
  endedAt: number;
  /** The first non-202 answer, to explain retries. */
  firstRefusal?: string;
}

const PATH = '/api/v2/events';

/** Posts every body (a JSON array or object) with `concurrency` requests in flight, until each got a 202. */
export async function sendAll(sender: HttpSender, bodies: readonly string[], concurrency: number): Promise<SendResult> {
  let next = 0;
  let retries = 0;
  let firstRefusal: string | undefined;
  const startedAt = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (let attempt = 1; ; attempt++) {
        const r = await sender.post(PATH, body).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 202) break;
        retries++;
        firstRefusal ??= `${r.status} ${r.body.slice(0, 200)}`;
        if (attempt >= 20) throw new Error(`POST ${PATH} refused ${attempt} times: ${firstRefusal}`);
        await new Promise((res) => setTimeout(res, 100 * attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  const endedAt = performance.now();
  return { requests: bodies.length, retries, seconds: (endedAt - startedAt) / 1000, startedAt, endedAt, firstRefusal };
}

/** For open-loop sending: one post, retried until 202 in the background; never awaited by the scheduler. */
export function postUntilAccepted(sender: HttpSender, body: string, onRefused: (why: string) => void): Promise<void> {
  return (async () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const r = await sender.post(PATH, body).catch((err: Error) => ({ status: 0, body: err.message }));
      if (r.status === 202) return;
      onRefused(`${r.status} ${r.body.slice(0, 200)}`);
      await new Promise((res) => setTimeout(res, 100 * attempt));
    }
  })();
}
