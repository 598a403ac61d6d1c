// serverFeatures against both real servers: Debian's nats-server 2.9.10 (none of the newer features) and the
// current one CI installs (2.15.3: per-message TTL, atomic batch, fast ingest). Each suite spawns the binary it
// names; one that is not installed is skipped with a note. The version parsing itself without a server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { atLeast, parseVersion, serverFeatures } from '../../actors/runtime/server-features.ts';
import { startNats } from '../helpers/nats-server.ts';

const t = suite('server features');

t('versions: parsed with or without v and pre-release tags, compared field by field', () => {
  assert.equal(parseVersion('2.15.3'), [2, 15, 3]);
  assert.equal(parseVersion('v2.12.0-RC.1'), [2, 12, 0]);
  assert.is(parseVersion('dev'), null);
  assert.ok(atLeast('2.12.0', '2.12.0'));
  assert.ok(atLeast('2.15.3', '2.12.0'));
  assert.ok(atLeast('3.0.0', '2.14.0'));
  assert.not.ok(atLeast('2.9.10', '2.11.0'));
  assert.not.ok(atLeast('2.11.9', '2.12.0'));
  assert.not.ok(atLeast('garbage', '2.11.0'));
});

t('no JetStream: no JetStream feature, whatever the version', () => {
  const f = serverFeatures({ version: '2.15.3', jetstream: false });
  assert.equal([f.perMessageTtl, f.atomicBatch, f.fastIngest], [false, false, false]);
});

const SERVERS: { binary: string; version: string; features: [boolean, boolean, boolean] }[] = [
  { binary: '/usr/sbin/nats-server', version: '2.9.10', features: [false, false, false] },
  {
    binary: join(homedir(), '.cache/mutt-ci/nats-server-v2.15.3/bin/nats-server'),
    version: '2.15.3',
    features: [true, true, true],
  },
];

for (const s of SERVERS) {
  t(`nats-server ${s.version}: what its INFO says it can do`, async () => {
    if (!existsSync(s.binary)) {
      console.log(`  (skipped: ${s.binary} is not installed)`);
      return;
    }
    const before = process.env.MUTT_NATS_SERVER;
    process.env.MUTT_NATS_SERVER = s.binary;
    const nats = await startNats();
    if (before === undefined) delete process.env.MUTT_NATS_SERVER;
    else process.env.MUTT_NATS_SERVER = before;
    const nc = await connect({ servers: nats.url });
    try {
      const f = serverFeatures(nc.info!);
      assert.is(f.version, s.version);
      assert.ok(f.jetstream);
      assert.equal([f.perMessageTtl, f.atomicBatch, f.fastIngest], s.features);
    } finally {
      await nc.close();
      await nats.stop();
    }
  });
}

t.run();
