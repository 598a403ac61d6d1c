// deploy/prometheus/slo-rules.yml, written from the SLO definitions (slo-definitions.ts): the recording rules
// (error ratio per window, objective, latency quantile) and the multi-window burn-rate alerts for Prometheus,
// from the same series, objectives and thresholds MUTT computes GET /api/v2/slo with — one source, so the two
// cannot drift. `npm run docs:slo` rewrites the file; tests/api/slo-rules.test.ts checks it is current.
//   writeFileSync('deploy/prometheus/slo-rules.yml', sloRulesYaml())

import { BURN_THRESHOLDS, SLOS, type LatencySlo, type RatioSlo, type SeriesSelector } from './slo-definitions.ts';

/** Error-ratio windows recorded: the two of each burn-rate alert, and 24 h (MUTT's default slo_window_hours). */
const WINDOWS = ['5m', '30m', '1h', '6h', '24h'] as const;
/** The short window confirming each long one, so an alert stops soon after its cause does. */
const CONFIRM = { critical: { long: '1h', short: '5m', for: '2m' }, warning: { long: '6h', short: '30m', for: '15m' } } as const;

function selector(s: SeriesSelector): string {
  const labels = Object.entries(s.labels ?? {}).map(([k, v]) => (v.length === 1 ? `${k}="${v[0]}"` : `${k}=~"${v.join('|')}"`));
  return labels.length ? `${s.metric}{${labels.join(',')}}` : s.metric;
}

const rate = (sels: readonly SeriesSelector[], w: string) => sels.map((s) => `(sum(rate(${selector(s)}[${w}])) or vector(0))`).join(' + ');

function ratioRules(s: RatioSlo): string[] {
  return WINDOWS.map((w) =>
    [
      `      - record: mutt:slo_error_ratio:rate${w}`,
      `        labels: { slo: ${s.name} }`,
      '        expr: |',
      `          ${rate(s.bad, w)}`,
      `          / (${rate(s.good, w)} + ${rate(s.bad, w)})`,
    ].join('\n'),
  );
}

function latencyRules(s: LatencySlo): string[] {
  const h = s.histogram;
  const q = Math.round(s.quantile * 100);
  return [
    `      # Bad = delivered later than ${s.thresholdSeconds} s (the le="${s.thresholdSeconds}" bucket of the histogram is the threshold).`,
    ...WINDOWS.map((w) =>
      [
        `      - record: mutt:slo_error_ratio:rate${w}`,
        `        labels: { slo: ${s.name} }`,
        `        expr: 1 - sum(rate(${h}_bucket{le="${s.thresholdSeconds}"}[${w}])) / sum(rate(${h}_count[${w}]))`,
      ].join('\n'),
    ),
    ...(['1h', '24h'] as const).map((w) =>
      [
        `      - record: mutt:slo_${s.name}_seconds:p${q}_rate${w}`,
        `        expr: histogram_quantile(${s.quantile}, sum by (le) (rate(${h}_bucket[${w}])))`,
      ].join('\n'),
    ),
  ];
}

function describe(): string[] {
  const out = ['# SLOs:'];
  for (const s of SLOS) {
    const words = s.description.split(' ');
    let line = `#   ${s.name.padEnd(20)} `;
    for (const w of words) {
      if (line.length + w.length > 116) {
        out.push(line.trimEnd());
        line = `#   ${''.padEnd(20)} `;
      }
      line += `${w} `;
    }
    out.push(line.trimEnd());
  }
  return out;
}

export function sloRulesYaml(): string {
  const c = BURN_THRESHOLDS.critical;
  const wn = BURN_THRESHOLDS.warning;
  const burn = (rate: number, w: { long: string; short: string }) => [
    '        expr: |',
    `          (mutt:slo_error_ratio:rate${w.long} > on (slo) (${rate} * (1 - mutt:slo_objective)))`,
    '          and on (slo)',
    `          (mutt:slo_error_ratio:rate${w.short} > on (slo) (${rate} * (1 - mutt:slo_objective)))`,
  ];
  const lines = [
    "# MUTT's SLOs for Prometheus, generated from gateway/services/slo-definitions.ts (npm run docs:slo) — the same",
    '# series, objectives and burn-rate thresholds MUTT computes GET /api/v2/slo with — as recording rules and',
    '# multi-window burn-rate alerts. tests/api/slo-rules.test.ts checks the file is current, runs `promtool check',
    '# rules` and unit-tests the rules with promtool. Do not edit by hand.',
    '#   promtool check rules deploy/prometheus/slo-rules.yml',
    '#',
    `# Recorded, per SLO (label slo) and window (${WINDOWS.join(', ')}):`,
    '#   mutt:slo_error_ratio:rate<window>   bad events / all events (NaN when there were none)',
    '#   mutt:slo_objective                  the objective (fraction of good events)',
    ...SLOS.filter((s): s is LatencySlo => s.kind === 'latency').map(
      (s) => `#   mutt:slo_${s.name}_seconds:p${Math.round(s.quantile * 100)}_rate<1h|24h>`,
    ),
    "# Burn rate = error ratio / (1 - objective). 24h is MUTT's default slo_window_hours; Prometheus cannot read",
    "# MUTT's dynamic configuration, so change it here too when you change it there.",
    '#',
    ...describe(),
    '',
    'groups:',
    '  - name: mutt.slo.objectives',
    '    rules:',
    ...SLOS.flatMap((s) => [
      '      - record: mutt:slo_objective',
      `        expr: vector(${s.objective})`,
      `        labels: { slo: ${s.name} }`,
    ]),
    ...SLOS.flatMap((s) => ['', `  - name: mutt.slo.${s.name}`, '    rules:', ...(s.kind === 'ratio' ? ratioRules(s) : latencyRules(s))]),
    '',
    '  - name: mutt.slo.alerts',
    '    rules:',
    `      # Spending the error budget ${c.rate} times too fast over ${c.windowHours} h, confirmed over the last ${CONFIRM.critical.short} so the alert stops`,
    '      # soon after the cause does.',
    '      - alert: MuttSloBurnRateCritical',
    ...burn(c.rate, CONFIRM.critical),
    `        for: ${CONFIRM.critical.for}`,
    '        labels:',
    '          severity: critical',
    '        annotations:',
    '          summary: "SLO {{ $labels.slo }} is burning its error budget fast"',
    `          description: "Error ratio over ${c.windowHours} h is {{ $value | humanizePercentage }}, more than ${c.rate} times the budget. GET /api/v2/slo shows MUTT's own view; check /api/v2/metrics (DLQ by reason, breaker, consumer lag)."`,
    `      # ${wn.rate} times too fast over ${wn.windowHours} h, confirmed over ${CONFIRM.warning.short}.`,
    '      - alert: MuttSloBurnRateWarning',
    ...burn(wn.rate, CONFIRM.warning),
    `        for: ${CONFIRM.warning.for}`,
    '        labels:',
    '          severity: warning',
    '        annotations:',
    '          summary: "SLO {{ $labels.slo }} is burning its error budget"',
    `          description: "Error ratio over ${wn.windowHours} h is {{ $value | humanizePercentage }}, more than ${wn.rate} times the budget."`,
    "      # Below target over the SLO window (MUTT's 'breaching').",
    '      - alert: MuttSloBelowTarget',
    '        expr: mutt:slo_error_ratio:rate24h > on (slo) (1 - mutt:slo_objective)',
    '        for: 1h',
    '        labels:',
    '          severity: info',
    '        annotations:',
    '          summary: "SLO {{ $labels.slo }} is below its objective over 24 h"',
    '          description: "Error ratio over 24 h is {{ $value | humanizePercentage }}; the error budget for the window is spent."',
  ];
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(sloRulesYaml());
