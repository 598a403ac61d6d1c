// throwaway: gateway HTTP batch ingest alone, CPU per event, optional profile
import { randomBytes } from 'node:crypto';
import { startNats } from '../../tests/helpers/nats-server.ts';
import { spawnMutt } from '../mutt-processes.ts';
import { HttpSender, sendAll } from '../http-sender.ts';
import { buildWorkload, toHttpItem } from '../workload.ts';
import { cpuSeconds, findPid } from '../proc-stats.ts';
const ROOT = new URL('../../', import.meta.url).pathname;
const nats = await startNats();
const natsPid = findPid(['nats-server', nats.storeDir])!;
const apiKey = randomBytes(18).toString('base64url');
const env = { NATS_URL: nats.url, MOOG_WEBHOOK_URL: 'http://127.0.0.1:9/x', MOOG_API_KEY: 'k', MUTT_API_KEYS: `b:ingest+read+admin:${apiKey}`, MUTT_HTTP_PORT: '0', MUTT_HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const gw = await spawnMutt('gateway', 'gateway', ROOT, env, process.env.PROF ? { profileDir: process.env.PROF } : {});
const w = buildWorkload(10);
const http = new HttpSender(`http://127.0.0.1:${gw.httpPort}`, apiKey, 64);
const N = Number(process.env.N ?? 30000);
for (let round = 0; round < 6; round++) {
  const items = w.events(N, `r${round}`);
  const bodies: string[] = [];
  for (let i = 0; i < items.length; i += 1) bodies.push(JSON.stringify(toHttpItem(items[i], Date.now())));
  const c0 = cpuSeconds(gw.pid), n0 = cpuSeconds(natsPid);
  const r = await sendAll(http, bodies, 64);
  const c1 = cpuSeconds(gw.pid), n1 = cpuSeconds(natsPid);
  console.log(`round ${round}: ${Math.round(N / r.seconds)} ev/s, gateway ${(1000 * (c1 - c0) / N).toFixed(3)} CPU s/1k, nats ${(1000 * (n1 - n0) / N).toFixed(3)}, retries ${r.retries}`);
  await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`);
}
http.close(); await gw.stop(); await nats.stop();
