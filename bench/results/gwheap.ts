// throwaway: in-process gateway, sampling heap profile including collected objects
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { startNats } from '../../tests/helpers/nats-server.ts';
import { loadEnv } from '../../protocol/env.ts';
import { startProcess } from '../../actors/runtime/process.ts';
import { gatewayApp } from '../../gateway/app.ts';
import { HttpSender, sendAll } from '../http-sender.ts';
import { buildWorkload, toHttpItem } from '../workload.ts';
const nats = await startNats();
const apiKey = randomBytes(18).toString('base64url');
const env = loadEnv({ NATS_URL: nats.url, MOOG_WEBHOOK_URL: 'http://127.0.0.1:9/x', MOOG_API_KEY: 'k', MUTT_API_KEYS: `b:ingest+read+admin:${apiKey}`, MUTT_HTTP_PORT: '0', MUTT_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
const proc = await startProcess({ env, name: 'gateway', actors: [], http: gatewayApp, handleSignals: false });
const w = buildWorkload(10);
const http = new HttpSender(`http://127.0.0.1:${proc.httpPort}`, apiKey, 8);
const N = 20000;
const mk = (r: string) => { const items = w.events(N, r); const bodies: string[] = []; for (let i = 0; i < items.length; i += 100) bodies.push(JSON.stringify(items.slice(i, i + 100).map((it) => toHttpItem(it, Date.now())))); return bodies; };
await sendAll(http, mk('warm'), 8);
const bodies = mk('m');
const s = new Session(); s.connect();
await s.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as any);
await sendAll(http, bodies, 8);
const { profile } = await s.post('HeapProfiler.stopSampling') as any;
const agg = new Map<string, number>(); let total = 0;
const walk = (n: any, stack: string[]) => {
  const f = n.callFrame; const name = `${f.functionName || '(anon)'} ${(f.url || '').replace(/^.*\/(node_modules\/)?/, '')}:${f.lineNumber}`;
  const st = [...stack, name];
  if (n.selfSize) { total += n.selfSize; const key = st.filter((x) => !x.includes('node:internal/process')).slice(-7).join(' < '); agg.set(key, (agg.get(key) ?? 0) + n.selfSize); }
  for (const c of n.children) walk(c, st);
};
walk(profile.head, []);
console.log(`total ${(total / 1e6).toFixed(0)} MB for ${N} events = ${(total / N / 1024).toFixed(1)} KB/event`);
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / N).toFixed(0).padStart(6)} B/ev  ${k}`);
http.close(); await proc.stop(); await nats.stop(); process.exit(0);
