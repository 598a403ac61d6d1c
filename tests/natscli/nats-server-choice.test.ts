// MUTT_NATS_SERVER names the nats-server binary on a machine with two (CI: the current release and Debian's
// 2.9.10): the test helpers spawn it, and the shipped `mutt up` starts it as its embedded server, so a suite and
// the product it starts run the same server.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { findNatsServer } from '../../bin/embedded-nats.ts';
import { freeTcpPort as freePort } from '../helpers/ports.ts';
import { natsServerBinary, startNats } from '../helpers/nats-server.ts';
import { startShipped } from '../helpers/shipped.ts';

const versionOf = (binary: string) => /v?(\d+\.\d+\.\d+)/.exec(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout)![1];
const serverVersion = async (url: string) => {
  const nc = await connect({ servers: url });
  try {
    return nc.info!.version;
  } finally {
    await nc.close();
  }
};

test('findNatsServer prefers MUTT_NATS_SERVER to PATH and the sbin directories', () => {
  assert.is(findNatsServer('/usr/sbin:/usr/bin', '/opt/nats/nats-server'), '/opt/nats/nats-server');
  assert.is.not(findNatsServer('/usr/sbin:/usr/bin', undefined), '/opt/nats/nats-server');
});

test('startNats runs the server natsServerBinary() names', async () => {
  const nats = await startNats();
  try {
    assert.is(await serverVersion(nats.url), versionOf(natsServerBinary()));
  } finally {
    await nats.stop();
  }
});

test('mutt up starts MUTT_NATS_SERVER as its embedded server', async () => {
  const binary = natsServerBinary();
  const port = await freePort();
  const m = await startShipped({ natsUrl: 'nats://unused', env: { NATS_URL: '', MUTT_NATS_PORT: String(port), MUTT_NATS_SERVER: binary } });
  try {
    assert.match(m.proc.output(), /started embedded nats-server/);
    assert.ok(m.proc.output().includes(`"binary":"${binary}"`), m.proc.output().slice(-2000));
    assert.is(await serverVersion(`nats://127.0.0.1:${port}`), versionOf(binary));
  } finally {
    await m.stop();
  }
});

test('mutt up with a MUTT_NATS_SERVER that is not executable exits 1 naming the variable', async () => {
  const port = await freePort();
  const err = await startShipped({
    natsUrl: 'nats://unused',
    waitReady: false,
    env: { NATS_URL: '', MUTT_NATS_PORT: String(port), MUTT_NATS_SERVER: '/nonexistent/nats-server' },
  }).then(
    async (m) => {
      await m.stop();
      return null;
    },
    (e: Error) => e,
  );
  assert.ok(err, 'mutt up started without a nats-server');
  assert.match(err!.message, /MUTT_NATS_SERVER=\/nonexistent\/nats-server is not an executable file/);
});

test.run();
