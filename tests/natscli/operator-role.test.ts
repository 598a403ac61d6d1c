// The runbook's nats CLI commands (docs/OPERATIONS.md "With the nats CLI") as the `operator` user of the shipped
// nats.conf / deploy/nats/accounts.conf, which the doc says may run all of them: each exits 0 with no permission
// error, against `mutt up` (as admin) holding a dead letter published with `nats req` as the `syslog` user.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startShippedNats, type ShippedNats } from '../deploy/nats-server.ts';
import { startShipped, type Shipped } from '../helpers/shipped.ts';
import { natsCli, startNatsCli } from '../helpers/nats-cli.ts';
import { waitFor } from '../helpers/wait.ts';
import { runbookCommands, shellWords } from './doc-commands.ts';

let nats: ShippedNats;
let m: Shipped;
// Each user of the shipped accounts may subscribe only to its own inboxes (docs/DEPLOYMENT.md "Inboxes").
const withInbox = (role: 'operator' | 'syslog', args: string[]) => ['--inbox-prefix', `_INBOX_${role}`, ...args];
const as = (role: 'operator' | 'syslog') => ({
  NATS_URL: nats.url,
  NATS_USER: role,
  NATS_PASSWORD: nats.passwords[role],
  NATS_CONTEXT: '',
});

test.before(async () => {
  nats = await startShippedNats();
  m = await startShipped({ natsUrl: nats.url, env: { NATS_USER: 'admin', NATS_PASS: nats.passwords.admin } });
  const r = await m.request('POST', '/api/v2/rules', {
    id: 'operator-rule',
    match_type: 'contains',
    match_string: 'OPERATOR-RULE',
    prod_handling: 'page_and_ticket',
    dev_handling: 'page_and_ticket',
    team_assignment: 'NETOPS',
  });
  assert.is(r.status, 201, await r.text());
  // A value in mutt_config, so `kv watch mutt_config` has one to print.
  assert.is((await m.request('PUT', '/api/v2/config/unhandled_threshold', { value: 51, reason: 'natscli operator test' })).status, 200);
});
test.after(async () => {
  await m?.stop();
  await nats?.stop();
});

test('the syslog user publishes with nats req; a schema-invalid event is quarantined', async () => {
  const bad = JSON.stringify({
    kind: 'syslog',
    id: 'op-bad-1',
    correlationId: 'op-bad-1',
    host: 'r1',
    message: 'x',
    severity: 'high',
    time: Date.now(),
    receivedAt: Date.now(),
    source: { input: 'nats' },
    parse: 'json',
  });
  const r = await natsCli(
    withInbox('syslog', ['req', 'mutt.events.syslog.r1', '-H', 'Nats-Msg-Id:op-bad-1', '-H', 'Content-Type:application/json', bad]),
    { env: as('syslog') },
  );
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /"stream":\s*"MUTT_EVENTS"/);
  await waitFor(
    async () =>
      (await natsCli(withInbox('operator', ['stream', 'subjects', 'MUTT_DLQ']), { env: as('operator') })).stdout.includes(
        'mutt.dlq.quarantine.schema_invalid',
      ),
    15_000,
    'quarantined dead letter',
  );
});

test('every runbook command runs as the operator user', async () => {
  for (const line of runbookCommands()) {
    const args = shellWords(line.replace('<rule-id>', 'operator-rule')).slice(1);
    if (line.startsWith('nats kv watch')) {
      const w = startNatsCli(withInbox('operator', args), { env: as('operator') });
      try {
        await waitFor(() => /PUT /.test(w.output()) || /error|violation/i.test(w.output()), 10_000, line);
        assert.not.match(w.output(), /error|violation/i, `${line}: ${w.output()}`);
      } finally {
        await w.stop();
      }
      continue;
    }
    const r = await natsCli(withInbox('operator', args), { env: as('operator'), tty: line.startsWith('nats stream view') });
    assert.is(r.code, 0, `${line} as operator: ${r.stderr}${r.stdout}`);
    // `stream view` acknowledges what its pager consumer showed, which the operator may not (no acks): the CLI
    // reports that refusal after the messages (documented in docs/OPERATIONS.md); nothing else may be refused.
    const out = (r.stdout + r.stderr).replace(
      /.*Permissions Violation for Publish to "\$JS\.ACK\.MUTT_DLQ\.stream_pager_[^"]*".*\n?/gi,
      '',
    );
    assert.not.match(out, /permissions violation|authorization/i, `${line}: ${r.stdout}${r.stderr}`);
  }
});

test('the operator user may not purge or delete a MUTT stream, nor remove a durable, with the CLI', async () => {
  for (const args of [
    ['stream', 'purge', 'MUTT_DLQ', '--force'],
    ['stream', 'rm', 'MUTT_EVENTS', '--force'],
    ['consumer', 'rm', 'MUTT_EVENTS', 'alerter', '--force'],
  ]) {
    const r = await natsCli(withInbox('operator', args), { env: as('operator') });
    assert.is.not(r.code, 0, `nats ${args.join(' ')} as operator succeeded`);
  }
  const still = await natsCli(withInbox('operator', ['stream', 'subjects', 'MUTT_DLQ']), { env: as('operator') });
  assert.match(still.stdout, /mutt\.dlq\.quarantine\.schema_invalid/);
});

test.run();
