// A producer that publishes straight to JetStream as fast as the server acknowledges: a window of unacknowledged
// publishes kept full (async publish), each refilled as its PubAck arrives. A failed publish is retried with the
// same Nats-Msg-Id, so a retry can never store an event twice. It publishes through MUTT's own hot-path
// publisher (actors/runtime/js-publisher.ts), so the limit and the producers cost what MUTT's ingest costs.
//   const r = await publishAll(jsPublisher(nc), messages, { window: 1024 })   // { published, seconds, perSecond, retries }

import type { JsPublish } from '../actors/runtime/js-publisher.ts';

export interface OutMessage {
  subject: string;
  data: Uint8Array;
  /** Nats-Msg-Id (dedupe); none for the raw limit measurement. */
  msgId?: string;
  headers?: Record<string, string>;
}

export interface PublishResult {
  published: number;
  seconds: number;
  perSecond: number;
  retries: number;
  /** performance.now() of the first publish and of the last PubAck. */
  startedAt: number;
  endedAt: number;
}

const MAX_ATTEMPTS = 8;

export async function publishAll(
  js: JsPublish,
  messages: readonly OutMessage[],
  opts: { window: number; timeoutMs?: number },
): Promise<PublishResult> {
  let next = 0;
  let inFlight = 0;
  let done = 0;
  let retries = 0;
  const startedAt = performance.now();
  await new Promise<void>((resolve, reject) => {
    const send = (m: OutMessage, attempt: number) => {
      inFlight++;
      js.publish(m.subject, m.data, { msgID: m.msgId, headers: m.headers, timeout: opts.timeoutMs ?? 10_000 }).then(
        () => {
          inFlight--;
          done++;
          pump();
        },
        (err: unknown) => {
          inFlight--;
          if (attempt >= MAX_ATTEMPTS)
            return reject(new Error(`publish to ${m.subject} failed ${attempt} times: ${(err as Error).message}`));
          retries++;
          setTimeout(() => send(m, attempt + 1), 50 * attempt);
        },
      );
    };
    const pump = () => {
      while (inFlight < opts.window && next < messages.length) send(messages[next++], 1);
      if (done === messages.length) resolve();
    };
    pump();
  });
  const endedAt = performance.now();
  const seconds = (endedAt - startedAt) / 1000;
  return { published: messages.length, seconds, perSecond: messages.length / seconds, retries, startedAt, endedAt };
}

/** One publish for the open-loop generator: not awaited by the scheduler, retried in the background. */
export async function publishWithRetry(js: JsPublish, m: OutMessage, onRetry?: () => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await js.publish(m.subject, m.data, { msgID: m.msgId, headers: m.headers, timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS)
        throw new Error(`publish to ${m.subject} failed ${attempt} times: ${(err as Error).message}`, { cause: err });
      onRetry?.();
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}
