// The publisher's reply subscription can fail (here: the NATS user may publish but not subscribe to the inbox,
// a permissions violation). A failed subscription answers nothing: the publishes waiting on it, and any made
// after, must fail at once with that error — not crash on the missing message, nor wait out the publish timeout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { JsPublisher, PublishTimeoutError } from '../../actors/runtime/js-publisher.ts';

let nats: TestNats;
let dir: string;
let admin: NatsConnection;
const bytes = (s: string) => new TextEncoder().encode(s);

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mutt-pubperm-'));
  const conf = join(dir, 'nats.conf');
  await writeFile(
    conf,
    `authorization { users = [
    { user: admin, password: admin }
    { user: nosub, password: nosub, permissions: { publish: ">", subscribe: { deny: "_INBOX.>" } } }
  ] }\n`,
  );
  nats = await startNats({ args: ['-c', conf] });
  admin = await connect({ servers: nats.url, user: 'admin', pass: 'admin' });
  await (await jetstreamManager(admin)).streams.add({ name: 'PERM', subjects: ['perm.>'] });
});
test.after(async () => {
  await admin.close();
  await nats.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a reply subscription refused by the server fails pending and later publishes at once with its error', async () => {
  const nc = await connect({ servers: nats.url, user: 'nosub', pass: 'nosub' });
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const pub = new JsPublisher(nc);
    const err = await pub.publish('perm.a', bytes('x'), { timeout: 20_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(err, Error);
    assert.not.instance(err, PublishTimeoutError, 'failed by the subscription error, not after the timeout');
    assert.match(String((err as Error).message), /permission/i);
    assert.is(pub.inFlight, 0);
    const later = await pub.publish('perm.b', bytes('x'), { timeout: 20_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.match(String((later as Error)?.message), /permission/i, 'a later publish is refused with the same cause');
    assert.equal(uncaught, [], 'no exception escaped the subscription callback');
  } finally {
    process.off('uncaughtException', onUncaught);
    await nc.close().catch(() => {});
  }
});

test.run();
