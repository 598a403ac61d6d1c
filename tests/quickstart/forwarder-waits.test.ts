// `mutt run forwarder` (the shipped entry point) without MOOG_WEBHOOK_URL or a Moogsoft credential: it waits
// instead of crash-looping — one warning line naming what is missing, /readyz 503 naming it too, no restart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { spawnNode, type Spawned } from '../helpers/processes.ts';
import { waitFor } from '../helpers/wait.ts';
import { ROOT } from '../helpers/shipped.ts';
import { join } from 'node:path';

const t = suite('forwarder without Moogsoft settings');
let nats: TestNats;
let proc: Spawned | undefined;

t.before(async () => {
  nats = await startNats();
});

t.after.each(async () => {
  await proc?.kill('SIGKILL');
  proc = undefined;
});

t.after(async () => {
  await nats.stop();
});

async function startForwarder(env: Record<string, string>): Promise<string> {
  proc = spawnNode(join(ROOT, 'bin/mutt.js'), ['run', 'forwarder'], {
    NATS_URL: nats.url,
    MOOG_WEBHOOK_URL: '',
    MOOG_API_KEY: '',
    MOOG_API_KEY_FILE: '',
    LOG_LEVEL: 'info',
    ...env,
  });
  const line = await proc.waitForOutput(/HTTP listening on [^"]*:(\d+)/, 60_000);
  return `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}`;
}

t('no MOOG_WEBHOOK_URL: one warning, /readyz names it, no crash loop', async () => {
  const url = await startForwarder({});
  let body: { status: string; components: Record<string, { ready: boolean; detail?: string }> } | undefined;
  await waitFor(
    async () => {
      const r = await fetch(`${url}/readyz`);
      body = (await r.json()) as typeof body;
      return r.status === 503 && /MOOG_WEBHOOK_URL/.test(body!.components['actor:forwarder']?.detail ?? '');
    },
    20_000,
    '/readyz naming MOOG_WEBHOOK_URL',
  );
  assert.is(body!.status, 'not_ready');
  assert.match(body!.components['actor:forwarder'].detail!, /Moogsoft credential missing/);
  // A crash loop restarts after 1 s, then 2 s: after 4 s of uptime it would have crashed three times.
  await waitFor(
    async () => ((await (await fetch(`${url}/healthz`)).json()) as { uptimeSeconds: number }).uptimeSeconds >= 4,
    20_000,
    '4 s of uptime',
  );
  const out = proc!.output();
  assert.not.match(out, /actor crashed/, out.slice(-2000));
  const warnings = out.split('\n').filter((l) => /"level":"?(warn|40)/.test(l) && /MOOG_WEBHOOK_URL/.test(l));
  assert.is(warnings.length, 1, out.slice(-2000));
});

t('a URL but no credential: waits naming MOOG_API_KEY', async () => {
  const url = await startForwarder({ MOOG_WEBHOOK_URL: 'http://127.0.0.1:9/events' });
  await waitFor(
    async () => {
      const r = await fetch(`${url}/readyz`);
      const b = (await r.json()) as { components: Record<string, { detail?: string }> };
      return (
        r.status === 503 &&
        /MOOG_API_KEY/.test(b.components['actor:forwarder']?.detail ?? '') &&
        !/MOOG_WEBHOOK_URL/.test(b.components['actor:forwarder']?.detail ?? '')
      );
    },
    20_000,
    '/readyz naming MOOG_API_KEY',
  );
  assert.not.match(proc!.output(), /actor crashed/);
});

t.run();
