// Upgraded installations hold never-expiring 'unhandled.*' keys in mutt_state (one per spoofed host, from before
// mutt_unhandled). `mutt setup` and the alerter of `mutt up` remove them once, say how many, and leave every
// other key of mutt_state alone. Driven through bin/mutt.js.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { startShipped } from '../helpers/shipped.ts';
import { waitFor } from '../helpers/wait.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { Bucket } from '../../protocol/streams.ts';
import { mutt } from '../cli/run-cli.ts';

const LEGACY = 3_000;
let nats: TestNats;
let nc: NatsConnection;
let state: KV;

test.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({}));
  state = await new Kvm(nc).open(Bucket.state);
});
test.after(async () => {
  await nc?.close();
  await nats?.stop();
});

async function plantLegacy(prefix: string): Promise<void> {
  const writes: Promise<number>[] = [];
  for (let i = 0; i < LEGACY; i++)
    writes.push(state.put(`unhandled.${prefix}-${i}=2eexample=2enet.fp${i}`, JSON.stringify({ count: 1, windowStart: 0 })));
  await Promise.all(writes);
  await state.put('breaker.moog', JSON.stringify({ state: 'closed' }));
}

async function keys(filter: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of await state.keys(filter)) out.push(k);
  return out;
}

test('mutt setup removes the legacy unhandled.* keys, names the count, keeps the rest; a second run removes nothing', async () => {
  await plantLegacy('setup');
  assert.is((await keys('unhandled.>')).length, LEGACY);
  const r = await mutt(['setup'], { NATS_URL: nats.url });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`removed ${LEGACY} legacy unhandled\\.\\* key\\(s\\) from mutt_state`));
  assert.equal(await keys('unhandled.>'), []);
  assert.ok(await state.get('breaker.moog'), 'other mutt_state keys kept');
  const again = await mutt(['setup'], { NATS_URL: nats.url });
  assert.is(again.code, 0);
  assert.not.match(again.stdout, /legacy unhandled/);
});

test('the alerter of mutt up removes them at start and logs the count', async () => {
  await plantLegacy('up');
  const m = await startShipped({ natsUrl: nats.url });
  try {
    await waitFor(async () => (await keys('unhandled.>')).length === 0, 30_000, 'legacy keys removed');
    await m.proc.waitForOutput(new RegExp(`removed ${LEGACY} legacy unhandled counter`), 10_000);
    assert.ok(await state.get('breaker.moog'));
    await m.canary(30_000);
  } finally {
    await m.stop();
  }
});

test.run();
