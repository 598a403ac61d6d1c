// `mutt rules` and `mutt hosts` against a real nats-server with MUTT v2.5's exports (psql \copy ... csv header:
// §2.3's seed rules plus broken rows): every row validated like an API write, each rejected row reported with
// its line and reason, the rest written and audited; --dry-run plans create / update / unchanged per id; export
// writes the same formats back, and export -> import changes nothing (CSV and JSON).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { startNats, type TestNats } from '../helpers/nats-server.ts';
import { readStream } from '../helpers/streams.ts';
import { provision } from '../../actors/runtime/provision.ts';
import { loadEnv } from '../../protocol/env.ts';
import { ConfigAuditRecord } from '../../protocol/messages.ts';
import { Bucket, StreamName } from '../../protocol/streams.ts';
import { hostKey, RuleInput } from '../../protocol/rules.ts';
import { mutt, ROOT } from './run-cli.ts';

const t = suite('mutt rules / hosts');
const FIX = join(ROOT, 'tests/cli/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'mutt-rules-'));
let nats: TestNats;
let nc: NatsConnection;
let rules: KV;
let hosts: KV;
let env: Record<string, string>;

const stored = async (id: string) => {
  const e = await rules.get(id);
  return e && e.operation === 'PUT' ? RuleInput.parse(JSON.parse(Buffer.from(e.value).toString())) : null;
};

t.before(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
  await provision(nc, loadEnv({ MUTT_STORAGE: 'memory' }));
  rules = await new Kvm(nc).open(Bucket.rules);
  hosts = await new Kvm(nc).open(Bucket.hosts);
  env = { NATS_URL: nats.url };
});

t.after(async () => {
  await nc.close();
  await nats.stop();
});

t('import --dry-run: rejected rows by line and reason, the rest planned as creates; nothing written', async () => {
  const r = await mutt(['rules', 'import', join(FIX, 'alert_rules.csv'), '--dry-run'], env);
  assert.is(r.code, 1, 'a rejected row makes the exit code 1');
  const out = r.stdout;
  assert.match(out, /^alert_rules from alert_rules\.csv: 11 row\(s\): 6 to create, 0 to update, 0 unchanged, 5 rejected/);
  assert.match(out, /line 8 \(7\): REJECTED match_string: catastrophic backtracking/);
  assert.match(out, /line 9 \(8\): REJECTED match_string: contains rules need match_string/);
  assert.match(
    out,
    /line 10 \(9\): REJECTED syslog_severity: Too big: expected number to be <=7/,
    'a record over two lines is reported at the line it starts',
  );
  assert.match(out, /line 12 \(10\): REJECTED prod_handling: Invalid option/);
  assert.match(out, /line 13 \(3\): REJECTED duplicate id \(first on line 4\)/);
  for (const id of ['1', '2', '3', '4', '5', '6']) assert.match(out, new RegExp(`: create ${id}\\n`));
  assert.match(out, /dry run: nothing was written/);
  assert.is(await stored('1'), null);
});

t('import writes the valid rows (audited as the operator); a second import is all unchanged', async () => {
  const r = await mutt(['rules', 'import', join(FIX, 'alert_rules.csv'), '--as', 'migration', '--reason', 'v2.5 cut-over'], env);
  assert.is(r.code, 1);
  assert.match(r.stdout, /written: 6 created, 0 updated, 0 unchanged/);
  const six = await stored('6');
  assert.equal(
    { ms: six!.match_string, sev: six!.syslog_severity, type: six!.match_type, active: six!.is_active, prod: six!.prod_handling },
    { ms: 'LINK-(UP|DOWN), "quoted"', sev: 3, type: 'regex', active: false, prod: 'page_and_ticket' },
  );
  assert.is((await stored('5'))!.trap_oid, '.1.3.6.1.4.1.9.9.41.2');
  assert.is(await stored('7'), null, 'a rejected row is not written');
  const audit = (await readStream(nc, StreamName.auditConfig, ConfigAuditRecord, 'mutt.audit.config.rule.>')).map((a) => a.value);
  assert.is(audit.length, 6);
  assert.ok(audit.every((a) => a.actor === 'migration' && a.operation === 'create' && a.reason?.startsWith('v2.5 cut-over (line ')));
  const ls = await mutt(['rules', 'ls'], env);
  assert.equal(
    ls.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]),
    ['3', '6', '1', '5', '2', '4'],
    'matching order: priority, then id',
  );
});

t('changed rows: --dry-run names each changed field; the import updates only those rules; export -> import is unchanged', async () => {
  const text = readFileSync(join(FIX, 'alert_rules.csv'), 'utf8')
    .split('\n')
    .slice(0, 6)
    .join('\n')
    .replace('3,LINK-DOWN,,,contains,5,', '3,LINK-DOWN,,,contains,7,')
    .replace('2,ERROR,,,contains,20,Ticket_only,Ignore,NETO,t', '2,ERROR,,,contains,20,Ticket_only,Ignore,NETO,f');
  writeFileSync(join(dir, 'changed.csv'), text + '\n');
  const plan = await mutt(['rules', 'import', join(dir, 'changed.csv'), '--dry-run'], env);
  assert.is(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /2 to update, 3 unchanged, 0 rejected/);
  assert.match(plan.stdout, /line 3: update 2: is_active: true -> false\n/);
  assert.match(plan.stdout, /line 4: update 3: priority: 5 -> 7\n/);
  assert.match(plan.stdout, /unchanged: 1, 4, 5/);
  const apply = await mutt(['rules', 'import', join(dir, 'changed.csv')], env);
  assert.is(apply.code, 0);
  assert.match(apply.stdout, /written: 0 created, 2 updated, 3 unchanged/);
  assert.is((await stored('3'))!.priority, 7);

  const csv = await mutt(['rules', 'export'], env);
  assert.is(csv.code, 0);
  assert.is(
    csv.stdout.split('\n')[0],
    'id,match_string,trap_oid,syslog_severity,match_type,priority,prod_handling,dev_handling,team_assignment,is_active',
  );
  assert.ok(csv.stdout.includes('6,"LINK-(UP|DOWN), ""quoted""",,3,regex,5,Page_and_ticket,Ticket_only,NetOps,f\n'), csv.stdout);
  assert.ok(csv.stdout.includes('5,,.1.3.6.1.4.1.9.9.41.2,,oid_prefix,15,Page_and_ticket,Ignore,NetOps,t\n'));
  writeFileSync(join(dir, 'export.csv'), csv.stdout);
  const json = await mutt(['rules', 'export', '--format', 'json', '--out', join(dir, 'export.json')], env);
  assert.is(json.code, 0);
  assert.match(json.stderr, /wrote 6 row\(s\) of alert_rules to .*export\.json \(json\)/);
  const rows = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8')) as Record<string, unknown>[];
  assert.equal(
    rows.find((x) => x.id === 2),
    {
      id: 2,
      match_string: 'ERROR',
      trap_oid: null,
      syslog_severity: null,
      match_type: 'contains',
      priority: 20,
      prod_handling: 'Ticket_only',
      dev_handling: 'Ignore',
      team_assignment: 'NETO',
      is_active: false,
    },
  );
  for (const file of ['export.csv', 'export.json']) {
    const again = await mutt(['rules', 'import', join(dir, file)], env);
    assert.is(again.code, 0, again.stdout);
    assert.match(again.stdout, /6 row\(s\): 0 to create, 0 to update, 6 unchanged, 0 rejected/, file);
  }
  // The CSV export of what the CSV import wrote is byte-identical (the round trip loses nothing).
  assert.is((await mutt(['rules', 'export'], env)).stdout, csv.stdout);
});

t('JSON rows are reported by line; a description column survives the round trip; show and rm', async () => {
  writeFileSync(
    join(dir, 'api.json'),
    JSON.stringify(
      {
        alert_rules: [
          {
            id: 'core-bgp',
            match_string: '%BGP-5-ADJCHANGE',
            priority: 8,
            prod_handling: 'Page_only',
            dev_handling: 'Ignore',
            team_assignment: 'NetOps',
            is_active: true,
            description: 'BGP neighbour flaps',
          },
          {
            id: 'bad',
            match_type: 'regex',
            match_string: '(x+x+)+y',
            prod_handling: 'Ignore',
            dev_handling: 'Ignore',
            team_assignment: 'NetOps',
          },
        ],
      },
      null,
      2,
    ),
  );
  const r = await mutt(['rules', 'import', join(dir, 'api.json')], env);
  assert.is(r.code, 1);
  assert.match(r.stdout, /line 13 \(bad\): REJECTED match_string: catastrophic backtracking/);
  assert.match(r.stdout, /line 3: create core-bgp/);
  const csv = (await mutt(['rules', 'export'], env)).stdout;
  assert.match(csv.split('\n')[0], /,is_active,description$/);
  assert.ok(csv.includes('core-bgp,%BGP-5-ADJCHANGE,,,contains,8,Page_only,Ignore,NetOps,t,BGP neighbour flaps\n'));
  const show = await mutt(['rules', 'show', 'core-bgp'], env);
  assert.match(show.stdout, /^id +core-bgp$/m);
  assert.match(show.stdout, /^trap_oid +NULL$/m);
  const rm = await mutt(['rules', 'rm', 'core-bgp', '--reason', 'test'], env);
  assert.is(rm.code, 0);
  assert.is(await stored('core-bgp'), null);
  const gone = await mutt(['rules', 'show', 'core-bgp'], env);
  assert.is(gone.code, 1);
  assert.match(gone.stderr, /mutt rules: rule 'core-bgp' not found/);
  const nofile = await mutt(['rules', 'import', join(dir, 'nope.csv')], env);
  assert.is(nofile.code, 1, 'a missing file is a failed operation, not a usage error');
  assert.match(nofile.stderr, /<file>: cannot read .*nope\.csv: ENOENT/);
});

t('hosts: development_hosts and device_teams exports import (by mutt hosts or mutt rules), export back, list', async () => {
  const dev = await mutt(['hosts', 'import', join(FIX, 'development_hosts.csv')], env);
  assert.is(dev.code, 1);
  assert.match(dev.stdout, /development_hosts from development_hosts\.csv: 4 row\(s\): 3 to create, 0 to update, 0 unchanged, 1 rejected/);
  assert.match(dev.stdout, /line 5 \(bad host\): REJECTED hostname: host names have no whitespace/);
  const teams = await mutt(['rules', 'import', join(FIX, 'device_teams.csv'), '--dry-run'], env);
  assert.is(teams.code, 0);
  assert.match(teams.stdout, /device_teams from device_teams\.csv: 4 row\(s\): 4 to create/);
  assert.is((await mutt(['hosts', 'import', join(FIX, 'device_teams.csv')], env)).code, 0);
  const team = await hosts.get(hostKey('team', 'firewall1.prod.example.com'));
  assert.is(JSON.parse(Buffer.from(team!.value).toString()).team_assignment, 'Security');
  assert.ok(await hosts.get(hostKey('dev', 'qa-firewall1')));
  const wrong = await mutt(['hosts', 'import', join(FIX, 'alert_rules.csv')], env);
  assert.is(wrong.code, 2);
  assert.match(wrong.stderr, /holds alert_rules: use mutt rules import/);
  const csv = await mutt(['hosts', 'export', '--table', 'device_teams'], env);
  assert.is(
    csv.stdout,
    'hostname,team_assignment\nfirewall1.prod.example.com,Security\nrouter1.prod.example.com,NetOps\nserver1.prod.example.com,SysAdmin\nswitch1.prod.example.com,NetOps\n',
  );
  const all = JSON.parse((await mutt(['hosts', 'export', '--table', 'all', '--format', 'json'], env)).stdout) as Record<string, unknown[]>;
  assert.equal(Object.keys(all), ['alert_rules', 'development_hosts', 'device_teams']);
  assert.equal(all.development_hosts, [{ hostname: 'dev-router1' }, { hostname: 'qa-firewall1' }, { hostname: 'test-switch1' }]);
  writeFileSync(join(dir, 'all.json'), JSON.stringify(all, null, 2));
  const again = await mutt(['rules', 'import', join(dir, 'all.json'), '--dry-run'], env);
  assert.is(again.code, 0, again.stdout);
  assert.is((again.stdout.match(/0 to create, 0 to update/g) ?? []).length, 3, again.stdout);
  const ls = await mutt(['hosts', 'ls', '--teams'], env);
  assert.match(ls.stdout, /^HOST +TEAM +CHANGED +BY\nfirewall1\.prod\.example\.com +Security/);
  const allCsv = await mutt(['hosts', 'export', '--table', 'all'], env);
  assert.is(allCsv.code, 2);
  assert.match(allCsv.stderr, /--table all needs --format json/);
});

t('a long host import shows its progress on stderr and ends with every entry written', async () => {
  const lines = ['hostname,team_assignment', ...Array.from({ length: 12_000 }, (_, i) => `bulk-${i}.example.com,BULK`)];
  writeFileSync(join(dir, 'bulk.csv'), lines.join('\n') + '\n');
  const r = await mutt(['hosts', 'import', join(dir, 'bulk.csv')], env);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /written: 12000 created, 0 updated, 0 unchanged/);
  const progress = r.stderr.trim().split('\n');
  assert.match(progress.at(-1)!, /^device_teams: 12,000 of 12,000 written \([\d,]+\/s\)$/);
  const team = await hosts.get(hostKey('team', 'bulk-11999.example.com'));
  assert.is(JSON.parse(Buffer.from(team!.value).toString()).team_assignment, 'BULK');
});

t.run();
