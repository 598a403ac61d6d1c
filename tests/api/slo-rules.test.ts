// deploy/prometheus/slo-rules.yml agrees with the code: promtool accepts it, it reads only metrics the code
// exposes, and promtool's unit tests (generated here from the SLO definitions) see the same objectives and
// burn-rate thresholds fire.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { actorMetrics } from '../../actors/runtime/metrics.ts';
import { ingestMetrics } from '../../gateway/ingest/metrics.ts';
import { BURN_THRESHOLDS, SLOS, sloMetricNames } from '../../gateway/services/slo-definitions.ts';
import { quantileFromBuckets } from '../../gateway/services/slo-math.ts';

import { sloRulesYaml } from '../../gateway/services/slo-rules.ts';

const t = suite('deploy/prometheus/slo-rules.yml');
const root = new URL('../../', import.meta.url).pathname;
const RULES = join(root, 'deploy/prometheus/slo-rules.yml');
const yaml = readFileSync(RULES, 'utf8');

function promtool(args: string[], cwd?: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function sourceText(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) text += sourceText(p);
    else if (name.endsWith('.ts')) text += readFileSync(p, 'utf8');
  }
  return text;
}

t('it is what the SLO definitions generate (npm run docs:slo)', () => {
  assert.ok(yaml === sloRulesYaml(), 'deploy/prometheus/slo-rules.yml is stale: run npm run docs:slo');
});

t('promtool check rules accepts it', () => {
  const r = promtool(['check', 'rules', RULES]);
  assert.ok(r.ok, r.out);
  assert.match(r.out, /SUCCESS/);
});

t('it reads exactly the SLO metrics, and the code exposes each of them', () => {
  const used = new Set([...yaml.matchAll(/\b(mutt_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_(bucket|count|sum)$/, '')));
  assert.equal([...used].sort(), [...sloMetricNames()].sort());
  const reg = new Registry();
  actorMetrics(reg, 'alerter');
  actorMetrics(reg, 'forwarder');
  ingestMetrics(reg);
  const registered = new Set(reg.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name));
  const code = sourceText(join(root, 'actors')) + sourceText(join(root, 'gateway/ingest'));
  for (const name of used) assert.ok(registered.has(name) || code.includes(`'${name}'`), `${name} is not exposed by the code`);
});

t('thresholds and windows are the ones MUTT itself uses', () => {
  const { critical, warning } = BURN_THRESHOLDS;
  assert.match(yaml, new RegExp(`rate${critical.windowHours}h > on \\(slo\\) \\(${critical.rate} \\* \\(1 - mutt:slo_objective\\)\\)`));
  assert.match(yaml, new RegExp(`rate${warning.windowHours}h > on \\(slo\\) \\(${warning.rate} \\* \\(1 - mutt:slo_objective\\)\\)`));
  for (const slo of SLOS) assert.ok(yaml.includes(`slo: ${slo.name}`), slo.name);
  const latency = SLOS.find((s) => s.kind === 'latency');
  assert.ok(latency && latency.kind === 'latency' && yaml.includes(`le="${latency.thresholdSeconds}"`));
});

t('promtool unit tests: objectives from the code, ratios, and which alerts fire', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutt-slo-rules-'));
  try {
    copyFileSync(RULES, join(dir, 'slo-rules.yml'));
    // MUTT's own quantile arithmetic must agree with Prometheus' histogram_quantile on the same buckets.
    const p99 =
      Math.round(
        quantileFromBuckets(0.99, [
          [1, 900],
          [5, 995],
          [Infinity, 1000],
        ])! * 1000,
      ) / 1000;
    const objectives = SLOS.map((s) => `          - labels: '{slo="${s.name}"}'\n            value: ${s.objective}`).join('\n');
    writeFileSync(
      join(dir, 'test.yml'),
      `rule_files: [slo-rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # ingest: 90 stored and 10 refused with 503 per minute (10 % errors); 429s do not count.
      - series: 'mutt_gateway_events_accepted_total{input="http", instance="gw"}'
        values: '0+90x90'
      - series: 'mutt_gateway_events_rejected_total{input="http", reason="stream_full", instance="gw"}'
        values: '0+10x90'
      - series: 'mutt_gateway_events_rejected_total{input="http", reason="rate_limited", instance="gw"}'
        values: '0+500x90'
      # forwarder: all delivered (retries are not failures).
      - series: 'mutt_forwarder_deliveries_total{outcome="delivered", instance="fw"}'
        values: '0+100x90'
      - series: 'mutt_forwarder_deliveries_total{outcome="retry", instance="fw"}'
        values: '0+100x90'
      # alerter: 1 in 100 dead-lettered (1 %, ten times its budget: a warning, not critical).
      - series: 'mutt_alerter_processed_total{instance="al"}'
        values: '0+99x90'
      - series: 'mutt_alerter_dead_lettered_total{reason="poison", instance="al"}'
        values: '0+1x90'
      # latency: 995 of 1000 within 5 s (0.5 %, inside the 1 % budget).
      - series: 'mutt_forwarder_end_to_end_seconds_bucket{le="1", instance="fw"}'
        values: '0+900x90'
      - series: 'mutt_forwarder_end_to_end_seconds_bucket{le="5", instance="fw"}'
        values: '0+995x90'
      - series: 'mutt_forwarder_end_to_end_seconds_bucket{le="+Inf", instance="fw"}'
        values: '0+1000x90'
      - series: 'mutt_forwarder_end_to_end_seconds_count{instance="fw"}'
        values: '0+1000x90'
    promql_expr_test:
      - expr: sort(round(mutt:slo_error_ratio:rate1h, 0.0001))
        eval_time: 70m
        exp_samples:
          - labels: '{slo="forwarder_success"}'
            value: 0
          - labels: '{slo="end_to_end_latency"}'
            value: 0.005
          - labels: '{slo="alerter_success"}'
            value: 0.01
          - labels: '{slo="ingest_availability"}'
            value: 0.1
      - expr: mutt:slo_objective
        eval_time: 1m
        exp_samples:
${objectives.replace(/'\{slo=/g, `'mutt:slo_objective{slo=`)}
      - expr: round(mutt:slo_end_to_end_latency_seconds:p99_rate1h, 0.001)
        eval_time: 70m
        exp_samples:
          - labels: '{}'
            value: ${p99}
    alert_rule_test:
      - eval_time: 30m
        alertname: MuttSloBurnRateCritical
        exp_alerts:
          - exp_labels: { severity: critical, slo: ingest_availability }
            exp_annotations:
              summary: "SLO ingest_availability is burning its error budget fast"
              description: "Error ratio over 1 h is 10%, more than 14.4 times the budget. GET /api/v2/slo shows MUTT's own view; check /api/v2/metrics (DLQ by reason, breaker, consumer lag)."
      - eval_time: 30m
        alertname: MuttSloBurnRateWarning
        exp_alerts:
          - exp_labels: { severity: warning, slo: ingest_availability }
            exp_annotations:
              summary: "SLO ingest_availability is burning its error budget"
              description: "Error ratio over 6 h is 10%, more than 6 times the budget."
          - exp_labels: { severity: warning, slo: alerter_success }
            exp_annotations:
              summary: "SLO alerter_success is burning its error budget"
              description: "Error ratio over 6 h is 1%, more than 6 times the budget."
      - eval_time: 1m
        alertname: MuttSloBurnRateCritical
        exp_alerts: []
      - eval_time: 80m
        alertname: MuttSloBelowTarget
        exp_alerts:
          - exp_labels: { severity: info, slo: alerter_success }
            exp_annotations:
              summary: "SLO alerter_success is below its objective over 24 h"
              description: "Error ratio over 24 h is 1%; the error budget for the window is spent."
          - exp_labels: { severity: info, slo: ingest_availability }
            exp_annotations:
              summary: "SLO ingest_availability is below its objective over 24 h"
              description: "Error ratio over 24 h is 10%; the error budget for the window is spent."
`,
    );
    const r = promtool(['test', 'rules', 'test.yml'], dir);
    assert.ok(r.ok, r.out);
    assert.match(r.out, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
