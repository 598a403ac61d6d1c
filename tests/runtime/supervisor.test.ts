// The supervisor restarts an actor that crashes (counted in mutt_<actor>_restarts_total), the backlog gate
// closes above its limit and opens below it, and dynamic config changes reach a running process within a second.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { setConfig } from '../helpers/mutt-config.ts';
import { loadEnv } from '../../protocol/env.ts';
import { StreamName } from '../../protocol/streams.ts';
import { subjects } from '../../protocol/subjects.ts';
import { defineActor } from '../../actors/runtime/define.ts';
import { startProcess, type RunningProcess } from '../../actors/runtime/process.ts';
import { createLogger } from '../../actors/runtime/logger.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { BacklogGate } from '../../actors/runtime/backlog-gate.ts';
import { Semaphore } from '../../actors/runtime/semaphore.ts';
import { subjectMatches } from '../../actors/runtime/define.ts';
import { scheduledDelay } from '../../actors/runtime/consume.ts';
import { RetryableError } from '../../actors/runtime/errors.ts';

const t = suite('runtime supervisor, gate, config');
let nats: TestNats;
let nc: NatsConnection;
let proc: RunningProcess;
let runs = 0;
const configSeen: number[] = [];

const crashy = defineActor({
  name: 'crashy',
  publishes: [],
  async run(rt) {
    runs++;
    if (runs < 3) throw new Error(`crash number ${runs}`);
    configSeen.push(rt.config.get().unhandled_threshold);
    rt.config.onChange((v) => configSeen.push(v.unhandled_threshold));
    await new Promise<void>((r) => rt.signal.addEventListener('abort', () => r(), { once: true }));
  },
});

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  const env = loadEnv({ NATS_URL: nats.url, MUTT_HTTP_PORT: '0' });
  await provision(nc, env);
  proc = await startProcess({ env, name: 'sup-test', actors: [crashy], log: createLogger('silent') });
});

t.after(async () => {
  await proc.stop();
  await nc.close();
  await nats.stop();
});

t('a crashing actor is restarted with backoff and the restarts are counted', async () => {
  await waitFor(() => runs >= 3, 10_000, 'third run');
  await waitFor(() => proc.health.ready(), 2000, 'ready after restarts');
  const metrics = await proc.registry.metrics();
  assert.match(metrics, /mutt_crashy_restarts_total\{instance="[^"]+"\} 2/);
});

t('a dynamic config write reaches the running actor', async () => {
  const before = configSeen.length;
  await setConfig(nc, { unhandled_threshold: 7 });
  await waitFor(() => configSeen.slice(before).includes(7), 10_000, 'config change seen');
  assert.is(proc.config.get().unhandled_threshold, 7);
});

t('an invalid stored config value is ignored and the previous value kept', async () => {
  const { Kvm } = await import('@nats-io/kv');
  const kv = await new Kvm(nc).open('mutt_config');
  await kv.put('unhandled_threshold', JSON.stringify(-5));
  await kv.put('moog_rate_limit', 'not json');
  // A valid write after the invalid ones: once it is in effect, the two before it have been seen (a watch
  // delivers in order).
  await setConfig(nc, { remediation_interval_seconds: 77 });
  await waitFor(() => proc.config.get().remediation_interval_seconds === 77, 10_000, 'the later valid write in effect');
  assert.is(proc.config.get().unhandled_threshold, 7);
  assert.is(proc.config.get().moog_rate_limit, 50);
});

t('the backlog gate closes above the limit and opens below it', async () => {
  const js = jetstream(nc);
  let limit = 2;
  const gate = new BacklogGate(nc, StreamName.alerts, () => limit, 50).start();
  assert.is(gate.wait(), undefined);
  for (let i = 0; i < 4; i++) await js.publish(subjects.alert('t'), new Uint8Array([0x80]));
  await waitFor(() => gate.wait() !== undefined, 3000, 'gate closed');
  const opened = gate.wait()!;
  limit = 10;
  await opened;
  assert.is(gate.wait(), undefined);
  gate.stop();
});

t('pure helpers: semaphore, subject patterns, backoff schedule', async () => {
  const s = new Semaphore(2);
  await s.acquire();
  await s.acquire();
  let third = false;
  const p = s.acquire().then(() => (third = true));
  assert.is(s.free, 0);
  assert.not.ok(third);
  s.release();
  await p;
  assert.ok(third);
  s.release();
  s.release();
  await s.idle();
  assert.ok(subjectMatches('mutt.alerts.>', 'mutt.alerts.netops'));
  assert.not.ok(subjectMatches('mutt.alerts.>', 'mutt.alerts'));
  assert.ok(subjectMatches('mutt.dlq.*.x', 'mutt.dlq.alerter.x'));
  assert.not.ok(subjectMatches('mutt.dlq.*.x', 'mutt.dlq.alerter.y'));
  assert.not.ok(subjectMatches('a.b', 'a.b.c'));
  const retry = { backoffMs: [1000, 5000] };
  assert.is(
    scheduledDelay(retry, 1, new Error('x'), () => 0.5),
    1000,
  );
  assert.is(
    scheduledDelay(retry, 2, new Error('x'), () => 0),
    4000,
  );
  assert.is(
    scheduledDelay(retry, 9, new Error('x'), () => 1),
    6000,
  );
  assert.is(
    scheduledDelay(retry, 1, new RetryableError('status', 'x', { retryAfterMs: 9000 }), () => 0.5),
    9000,
  );
});

t('subjectMatches agrees with a split-based reference on every small pattern and subject', () => {
  const reference = (pattern: string, subject: string) => {
    const p = pattern.split('.');
    const s = subject.split('.');
    for (let i = 0; i < p.length; i++) {
      if (p[i] === '>') return s.length > i;
      if (i >= s.length) return false;
      if (p[i] !== '*' && p[i] !== s[i]) return false;
    }
    return p.length === s.length;
  };
  const tokens = ['a', 'b', 'ab', '*', '>', ''];
  const all = (n: number): string[] => (n === 1 ? tokens : all(n - 1).flatMap((x) => tokens.map((t) => `${x}.${t}`)));
  const strings = [...all(1), ...all(2), ...all(3)];
  let checked = 0;
  for (const pattern of strings) {
    for (const subject of strings) {
      if (subjectMatches(pattern, subject) !== reference(pattern, subject)) assert.unreachable(`'${pattern}' vs '${subject}'`);
      checked++;
    }
  }
  assert.is(checked, strings.length ** 2);
});

t.run();
