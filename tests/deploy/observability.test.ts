// deploy/prometheus and deploy/grafana: the real promtool checks the configuration and the rules and runs the
// rule unit tests; every alert has a test; every metric the alerts and the dashboard use is one the code
// registers (MUTT v2.5 alerted on metrics that did not exist); the dashboard and its provisioning are sound.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ACTOR_NAMES } from '../../bin/actors.ts';
import { readYaml, repoPath, requireBinary, run } from './helpers.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = Record<string, any>;
const prom = (f: string) => repoPath('deploy/prometheus', f);
const dashboard = JSON.parse(readFileSync(repoPath('deploy/grafana/dashboards/mutt-pipeline.json'), 'utf8')) as Doc;

/** Every metric name the code registers: literal names, plus the runtime's mutt_<actor>_<suffix> family. */
function exposedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/['"`](mutt_[a-z0-9_]+)['"`]/g)) names.add(m[1]);
    }
  };
  for (const d of ['actors', 'gateway', 'bin']) walk(repoPath(d));
  const runtime = readFileSync(repoPath('actors/runtime/metrics.ts'), 'utf8');
  const suffixes = [...runtime.matchAll(/`\$\{p\}_([a-z0-9_]+)`/g)].map((m) => m[1]);
  assert.ok(suffixes.includes('processed_total') && suffixes.includes('consumer_pending'), 'read the runtime metric names');
  for (const a of ACTOR_NAMES) for (const s of suffixes) names.add(`mutt_${a}_${s}`);
  return names;
}

function metricsUsedIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\bmutt_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))];
}

test('promtool check config: prometheus.yml and the rule files it loads', async () => {
  const r = await run(requireBinary('promtool', 'prometheus'), ['check', 'config', prom('prometheus.yml')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /SUCCESS/);
});

test('promtool check rules: alerts.yml', async () => {
  const r = await run(requireBinary('promtool', 'prometheus'), ['check', 'rules', prom('alerts.yml')]);
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test('promtool test rules: alerts.test.yml passes', async () => {
  const r = await run(requireBinary('promtool', 'prometheus'), ['test', 'rules', prom('alerts.test.yml')], { cwd: repoPath('deploy/prometheus') });
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /SUCCESS/);
});

test('every alert has at least one firing test case in alerts.test.yml, and runbook text', () => {
  const rules = readYaml(prom('alerts.yml')) as Doc;
  const alerts = new Set<string>();
  for (const g of rules.groups) for (const r of g.rules) if (r.alert) {
    alerts.add(r.alert);
    assert.ok(r.labels?.severity, `${r.alert} has a severity`);
    assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert} tells the operator what to do`);
  }
  const tests = readYaml(prom('alerts.test.yml')) as Doc;
  const firing = new Set<string>();
  for (const t of tests.tests) for (const a of t.alert_rule_test ?? []) if (a.exp_alerts?.length) firing.add(a.alertname);
  for (const a of alerts) assert.ok(firing.has(a), `a test where ${a} fires`);
  for (const required of ['MuttBacklogGrowing', 'MuttDeadLettersGrowing', 'MuttBreakerOpen', 'MuttTargetDown', 'MuttActorAbsent', 'MuttNoIngest', 'MuttActorRestarting']) {
    assert.ok(alerts.has(required), required);
  }
});

test('alerts and dashboard use only metrics the code registers', () => {
  const exposed = exposedMetrics();
  const rules = readYaml(prom('alerts.yml')) as Doc;
  const ruleExprs = rules.groups.flatMap((g: Doc) => g.rules.map((r: Doc) => r.expr as string)).join('\n');
  const panelExprs = (dashboard.panels as Doc[]).flatMap((p) => (p.targets ?? []).map((t: Doc) => t.expr as string)).join('\n');
  const used = [
    ...metricsUsedIn(ruleExprs).map((m) => ['alerts.yml', m]),
    ...metricsUsedIn(panelExprs).map((m) => ['mutt-pipeline.json', m]),
  ];
  const missing = used.filter(([, m]) => !exposed.has(m));
  assert.equal(missing, [], `not registered anywhere in actors/, gateway/, bin/: ${missing.map((x) => x.join(': ')).join(', ')}`);
  assert.ok(used.length > 30);
});

test('docs/OBSERVABILITY.md documents every metric the code registers', () => {
  const doc = readFileSync(repoPath('docs/OBSERVABILITY.md'), 'utf8');
  const runtime = readFileSync(repoPath('actors/runtime/metrics.ts'), 'utf8');
  const suffixes = [...runtime.matchAll(/`\$\{p\}_([a-z0-9_]+)`/g)].map((m) => m[1]);
  for (const s of suffixes) assert.ok(doc.includes(`mutt_<actor>_${s}`), `the per-actor family mutt_<actor>_${s}`);
  const family = new RegExp(`^mutt_(${ACTOR_NAMES.join('|')})_(${suffixes.join('|')})$`);
  // Names with at least two underscores: metric names (bucket names such as mutt_rules have one).
  const undocumented = [...exposedMetrics()].filter((n) => /^mutt_[a-z0-9]+_[a-z0-9_]+$/.test(n) && !family.test(n) && !doc.includes(`\`${n}\``));
  assert.equal(undocumented, [], 'add them to docs/OBSERVABILITY.md');
});

test('dashboard: unique panel ids, every query on the datasource variable, the pipeline views present', () => {
  assert.is(dashboard.uid, 'mutt-pipeline');
  const panels = dashboard.panels as Doc[];
  const ids = panels.map((p) => p.id);
  assert.is(new Set(ids).size, ids.length);
  for (const p of panels.filter((x) => x.type !== 'row')) {
    assert.is(p.datasource.uid, '${datasource}', p.title);
    assert.ok(p.targets.length > 0 && p.targets.every((t: Doc) => t.expr && t.datasource.uid === '${datasource}'), p.title);
    assert.ok(p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the grid`);
  }
  const text = JSON.stringify(dashboard);
  for (const needle of ['mutt_gateway_events_accepted_total', 'consumer_pending', 'handler_duration_seconds_bucket', 'dead_lettered_total', 'mutt_forwarder_breaker_state', 'restarts_total']) {
    assert.ok(text.includes(needle), `the dashboard shows ${needle}`);
  }
  const variable = dashboard.templating.list.find((v: Doc) => v.name === 'datasource');
  assert.is(variable.current.value, 'mutt-prometheus');
});

test('grafana provisioning: the datasource uid the dashboard defaults to, the dashboards folder compose mounts', () => {
  const ds = readYaml(repoPath('deploy/grafana/provisioning/datasources/prometheus.yml')) as Doc;
  assert.is(ds.datasources[0].uid, 'mutt-prometheus');
  assert.is(ds.datasources[0].url, 'http://prometheus:9090');
  const provider = readYaml(repoPath('deploy/grafana/provisioning/dashboards/mutt.yml')) as Doc;
  assert.is(provider.providers[0].options.path, '/etc/grafana/dashboards/mutt');
  assert.match(readFileSync(repoPath('docker-compose.yml'), 'utf8'), /\.\/deploy\/grafana\/dashboards:\/etc\/grafana\/dashboards\/mutt:ro/);
});

test.run();
