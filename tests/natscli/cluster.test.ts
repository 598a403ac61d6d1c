// docs/OPERATIONS.md "NATS node loss", step 3, with the real nats CLI: on a 3-node cluster holding MUTT's streams
// (`mutt setup` with MUTT_REPLICAS=3), a node that is gone for good is removed from the raft groups with
// `nats server raft peer-remove <name> --force` as the system user, and `nats stream info MUTT_EVENTS` shows the
// stream's leader and replicas.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { startCluster, type Cluster } from '../helpers/nats-cluster.ts';
import { natsCli } from '../helpers/nats-cli.ts';
import { mutt } from '../cli/run-cli.ts';
import { waitFor } from '../helpers/wait.ts';
import { docMentions, shellWords } from './doc-commands.ts';

const sysPass = `p${randomBytes(16).toString('hex')}`;
// A system account for the raft commands; MUTT's clients land in a JetStream account without credentials.
const CONF = `accounts { SYS: { users: [{user: sys, password: ${sysPass}}] }, MUTT: { jetstream: enabled, users: [{user: mutt, password: mutt}] } }
system_account: SYS
no_auth_user: mutt
`;
let cluster: Cluster;

const docCommand = (prefix: string) => {
  const found = docMentions().find(([f, t]) => f.endsWith('docs/OPERATIONS.md') && t.startsWith(prefix));
  assert.ok(found, `docs/OPERATIONS.md names \`${prefix}…\``);
  return found![1];
};

test.before(async () => {
  cluster = await startCluster(3, { conf: CONF });
});
test.after(async () => {
  await cluster?.stop();
});

test('nats server raft peer-remove (as the system user) drops a lost node; nats stream info MUTT_EVENTS shows leader and replicas', async () => {
  const setup = await mutt(['setup'], { NATS_URL: cluster.url, MUTT_REPLICAS: '3' });
  assert.is(setup.code, 0, setup.stderr + setup.stdout);
  const env = { NATS_URL: cluster.urls.slice(0, 2).join(','), NATS_CONTEXT: '' };
  const info = docCommand('nats stream info MUTT_EVENTS');
  const before = await natsCli(shellWords(info).slice(1), { env });
  assert.is(before.code, 0, before.stderr);
  assert.match(before.stdout, /Leader: n\d/);
  assert.is([...before.stdout.matchAll(/Replica: n\d/g)].length, 2, before.stdout);

  await cluster.kill('n3');
  const remove = docCommand('nats server raft peer-remove');
  // When n3 led the meta group, the other two elect a new leader first (a few seconds): until then the CLI says so.
  let r = { code: null as number | null, stdout: '', stderr: '' };
  await waitFor(
    async () => {
      r = await natsCli(['--user', 'sys', '--password', sysPass, ...shellWords(remove.replace('<name>', 'n3')).slice(1)], { env });
      return r.code === 0;
    },
    20_000,
    'peer-remove',
  ).catch(() => assert.unreachable(`peer-remove: ${r.stderr}${r.stdout}`));
  const meta = async () => (await natsCli(['--user', 'sys', '--password', sysPass, 'server', 'report', 'jetstream'], { env })).stdout;
  await waitFor(
    async () => {
      const out = await meta();
      return /│ n1 /.test(out) && /│ n2 /.test(out) && !/│ n3 /.test(out);
    },
    10_000,
    'n3 gone from the meta group',
  );

  await waitFor(
    async () => /Leader: n[12]/.test((await natsCli(shellWords(info).slice(1), { env })).stdout),
    15_000,
    'MUTT_EVENTS led by a remaining node',
  );
});

test.run();
