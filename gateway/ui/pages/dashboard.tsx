// The dashboard (GET /ui/) and its live feed (GET /ui/events, Server-Sent Events): ingest rates (this minute,
// last minute, 15 min and 1 h averages), the 24 h per-hour chart (inline SVG), each stage's stream depth and
// consumer lag, dead letters by stage and reason, the forwarder's circuit breaker, SLOs, and the health of
// every process and actor, and a warning while no rule is active. The page is complete without script; dashboard.js applies a `dashboard` event
// every 2 s. The stream re-checks the session before every push and says `expired` when it has ended.
//   dashboardRoutes(app, deps)

import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { CHART, type ChartGeometry } from '../dashboard/chart.ts';
import { TABLE_COLUMNS, type Cell, type DashboardView, type TableName } from '../dashboard/view.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { renderPage } from '../render.tsx';
import { currentPrincipal } from '../session/middleware.ts';

const BADGES = new Set(['ok', 'warn', 'bad', 'info', 'muted']);

function CellView(props: { cell: Cell }) {
  const { cell } = props;
  const classes = (cell.cls ?? '').split(' ').filter(Boolean);
  const badge = classes.find((c) => BADGES.has(c));
  const tdClass = cell.span ? 'empty' : classes.includes('num') ? 'num' : undefined;
  const content = cell.href?.startsWith('/ui/') ? (
    <a href={cell.href}>{cell.text}</a>
  ) : badge ? (
    <span class={`badge ${badge}`}>{cell.text}</span>
  ) : (
    cell.text
  );
  return (
    <td class={tdClass} colspan={cell.span}>
      {content}
    </td>
  );
}

export function LiveTable(props: { name: TableName; rows: Cell[][] }) {
  return (
    <table data-testid={`table-${props.name}`}>
      <thead>
        <tr>
          {TABLE_COLUMNS[props.name].map((c) => (
            <th class={c.num ? 'num' : undefined}>{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody data-table={props.name}>
        {props.rows.map((r) => (
          <tr>
            {r.map((cell) => (
              <CellView cell={cell} />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function IngestChart(props: { chart: ChartGeometry }) {
  const g = props.chart;
  const bottom = CHART.height - CHART.bottom;
  const mid = CHART.top + (bottom - CHART.top) / 2;
  return (
    <svg
      class="chart"
      data-chart
      viewBox={`0 0 ${g.width} ${g.height}`}
      role="img"
      aria-label="Average events per minute by hour, last 24 hours (UTC)"
    >
      <line class="axis" x1={CHART.left} y1={CHART.top} x2={CHART.left} y2={bottom} />
      <line class="axis" x1={CHART.left} y1={bottom} x2={g.width - CHART.right} y2={bottom} />
      <line class="axis" x1={CHART.left} y1={mid} x2={g.width - CHART.right} y2={mid} stroke-dasharray="3 4" />
      <text x={CHART.left - 6} y={CHART.top + 4} text-anchor="end" data-ymax>
        {g.maxLabel}
      </text>
      <text x={CHART.left - 6} y={mid + 4} text-anchor="end" data-ymid>
        {g.midLabel}
      </text>
      <text x={CHART.left - 6} y={bottom + 4} text-anchor="end">
        0
      </text>
      {g.bars.map((b, i) => (
        <rect class="bar" data-bar={i} x={b.x} y={b.y} width={b.w} height={b.h}>
          <title>{b.title}</title>
        </rect>
      ))}
      {g.labels.map((l, i) => (
        <text x={l.x} y={CHART.height - 6} text-anchor="middle" data-xlabel={i}>
          {l.text}
        </text>
      ))}
    </svg>
  );
}

function StatCard(props: { label: string; stat: string; view: DashboardView; unit?: string }) {
  const s = props.view.stats[props.stat];
  const cls = s?.cls && BADGES.has(s.cls) ? ` ${s.cls}` : '';
  return (
    <div class="card">
      <div class="label">{props.label}</div>
      <div class={`value${cls}`} data-stat={props.stat} data-base-class="value">
        {s?.text ?? '—'}
      </div>
      {props.unit && <div class="unit">{props.unit}</div>}
    </div>
  );
}

/** Loud on purpose: with no active rule every event is audited as unhandled and nothing reaches Moogsoft. */
function NoActiveRules(props: { view: DashboardView }) {
  return (
    <div class="flash error" role="alert" data-no-active-rules data-testid="no-active-rules" hidden={props.view.activeRules !== 0}>
      <strong>No active rules: events will not alert.</strong> Every event is recorded as unhandled and nothing is sent to Moogsoft until a
      rule matches it. <a href="/ui/rules">Create or enable a rule</a>.
    </div>
  );
}

function DashboardBody(props: { view: DashboardView }) {
  const v = props.view;
  return (
    <div data-dashboard data-events="/ui/events" data-updated={String(v.at)}>
      <div class="toolbar">
        <div>
          <h1>Dashboard</h1>
          <p class="subtitle">Events in, alerts out, and what is waiting in between. Updates every 2 s.</p>
        </div>
        <span class="spacer" />
        <span class="live" data-live-status>{`snapshot ${v.updated} UTC`}</span>
      </div>
      <NoActiveRules view={v} />
      <div class="flash error" role="alert" data-errors-wrap hidden={v.errors.length === 0}>
        <ul data-errors>
          {v.errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      </div>
      <div class="cards">
        <StatCard label="This minute" stat="ingest.this_minute" view={v} unit="events so far" />
        <StatCard label="Last minute" stat="ingest.rate_1m" view={v} unit="events/min" />
        <StatCard label="15 min average" stat="ingest.avg_15m" view={v} unit="events/min" />
        <StatCard label="1 h average" stat="ingest.avg_1h" view={v} unit="events/min" />
        <StatCard label="Waiting in stages" stat="backlog.total" view={v} unit="pending + in progress" />
        <StatCard label="Dead letters" stat="dlq.total" view={v} unit="entries" />
        <StatCard label="Moogsoft breaker" stat="breaker.status" view={v} />
      </div>
      <div class="panel">
        <h2>
          Ingest, last 24 hours <span class="muted small">(average events per minute in each UTC hour)</span>
        </h2>
        <IngestChart chart={v.chart} />
      </div>
      <div class="panel">
        <h2>Stages: depth and consumer lag</h2>
        <LiveTable name="stages" rows={v.tables.stages} />
      </div>
      <div class="grid cols-2">
        <div class="panel">
          <h2>Dead letters by stage and reason</h2>
          <LiveTable name="dlq" rows={v.tables.dlq} />
          <h3>Circuit breaker</h3>
          <p data-stat="breaker.detail" class="muted">
            {v.stats['breaker.detail']?.text}
          </p>
        </div>
        <div class="panel">
          <h2>Actors</h2>
          <LiveTable name="actors" rows={v.tables.actors} />
        </div>
      </div>
      <div class="panel">
        <h2>Service level objectives</h2>
        <LiveTable name="slo" rows={v.tables.slo} />
      </div>
      <div class="panel">
        <h2>Processes</h2>
        <LiveTable name="processes" rows={v.tables.processes} />
      </div>
      <div class="panel">
        <h2>Streams</h2>
        <LiveTable name="streams" rows={v.tables.streams} />
      </div>
    </div>
  );
}

export function dashboardRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  const feed = deps.feed!;
  const every = deps.pushEveryMs ?? 2000;

  app.get('/ui/', async (c) =>
    renderPage(c, { title: 'Dashboard', nav: 'dashboard', scripts: ['dashboard.js'] }, <DashboardBody view={await feed.current()} />),
  );

  app.get('/ui/events', (c) => {
    const token = c.get('sessionToken');
    c.header('Cache-Control', 'no-store');
    return streamSSE(
      c,
      async (stream) => {
        let open = true;
        stream.onAbort(() => {
          open = false;
        });
        let id = 0;
        while (open) {
          let live: boolean;
          try {
            const s = await deps.sessions.get(token);
            live = s !== null && currentPrincipal(deps.auth, s.principal) !== null;
          } catch (err) {
            await stream.writeSSE({ event: 'unavailable', data: JSON.stringify({ error: (err as Error).message }) });
            await stream.sleep(every);
            continue;
          }
          if (!live) {
            await stream.writeSSE({ event: 'expired', data: '{}' });
            break;
          }
          const view = await feed.current();
          await stream.writeSSE({ event: 'dashboard', data: JSON.stringify(view), id: String(++id), retry: id === 1 ? 3000 : undefined });
          await stream.sleep(every);
        }
      },
      async (err) => {
        deps.log.warn({ err: err.message }, 'dashboard stream failed');
      },
    );
  });
}
