// A steady HTTP load for chaos tests: batches posted to the gateway at a fixed pace; only events the gateway
// acknowledged (2xx) count as sent — a 503 or a dropped connection is retried later, as a real sender would.
//   const load = startLoad(url, { perSecond: 200, prefix: 'c1' }); ...; const sent = await load.stop()

import { postEvents } from './pipeline.ts';

export interface Load {
  /** Event ids the gateway acknowledged so far. */
  accepted: Set<string>;
  rejected: number;
  stop(): Promise<Set<string>>;
}

export function startLoad(url: () => string, opts: { perSecond: number; prefix: string; message?: (i: number) => string }): Load {
  const accepted = new Set<string>();
  let rejected = 0;
  let running = true;
  let n = 0;
  const batch = Math.max(1, Math.round(opts.perSecond / 10));
  const loop = (async () => {
    let next = Date.now();
    while (running) {
      const items = Array.from({ length: batch }, () => {
        const i = n++;
        return { id: `${opts.prefix}-${i}`, host: `chaos${i % 20}`, message: opts.message?.(i) ?? `LINK-DOWN chaos ${opts.prefix} ${i}` };
      });
      // Retry the same ids until stored: the per-event id makes a retry idempotent.
      for (let attempt = 0; running || attempt === 0; attempt++) {
        try {
          const r = await postEvents(url(), items);
          if (r.status === 202) {
            const body = (await r.json()) as { ids: string[] };
            for (const id of body.ids) accepted.add(id);
            break;
          }
          rejected++;
          await r.body?.cancel();
        } catch {
          rejected++;
        }
        await new Promise((res) => setTimeout(res, 200));
        if (!running) break;
      }
      next += 100;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  return {
    accepted,
    get rejected() {
      return rejected;
    },
    async stop() {
      running = false;
      await loop;
      return accepted;
    },
  };
}
