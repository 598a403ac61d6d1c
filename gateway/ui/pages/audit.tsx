// The two audit browsers. Event audit (/ui/audit/events): one record per event the alerter decided, filtered
// by host, rule, decision, forwarded and time, newest first, paged by stream-sequence cursor; the event text
// is shown as text (escaped), its full record on demand. Config audit (/ui/audit/config): who changed which
// rule, host, team, config key or dead letter, when and why, with old and new values, same filters and paging.
//   GET /ui/audit/events?host=&rule=&decision=&forwarded=&from=&to=&order=&limit=&cursor=
//   GET /ui/audit/config?kind=&id=&actor=&operation=&from=&to=&order=&limit=&cursor=

import type { Context, Hono } from 'hono';
import { ConfigAuditRecord, Decision } from '../../../protocol/messages.ts';
import type { AuditPage, ConfigAuditEntry, ConfigAuditFilter } from '../../services/audit-config.ts';
import type { EventAuditEntry, EventAuditFilter } from '../../services/audit-events.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { ErrorBanner, describeFailure, type Failure } from '../errors.tsx';
import { count, datetimeLocal, parseTime, prettyJson, truncate, utc, valueText } from '../format.ts';
import { Badge, EmptyState, Field, Pager, renderPage, withQuery, type FieldErrors } from '../render.tsx';
import { HANDLING_CLASS, SEVERITIES } from './rules.tsx';

const LIMITS = [25, 50, 100, 200] as const;
const KINDS = ConfigAuditRecord.shape.kind.options;
const OPERATIONS = ConfigAuditRecord.shape.operation.options;
const DECISIONS = Decision.options;

type Query = Record<string, string | undefined>;

function common(q: Query, errors: FieldErrors): { from?: number; to?: number; limit: number; order: 'asc' | 'desc'; cursor?: number } {
  const from = parseTime(q.from);
  const to = parseTime(q.to);
  if (from === null) (errors.from ??= []).push('expected a date and time (UTC), e.g. 2025-11-10T10:00');
  if (to === null) (errors.to ??= []).push('expected a date and time (UTC), e.g. 2025-11-10T18:00');
  if (typeof from === 'number' && typeof to === 'number' && from > to) (errors.to ??= []).push('must not be before "from"');
  const limit = LIMITS.find((l) => String(l) === q.limit) ?? 50;
  const cursor = q.cursor && /^\d{1,15}$/.test(q.cursor) ? Number(q.cursor) : undefined;
  if (q.cursor && cursor === undefined) (errors[''] ??= []).push('bad page cursor; showing the first page');
  return { from: from ?? undefined, to: to ?? undefined, limit, order: q.order === 'asc' ? 'asc' : 'desc', cursor };
}

function TimeFilters(props: { q: Query; errors: FieldErrors }) {
  const { q, errors } = props;
  const shown = (v: string | undefined) => {
    const t = parseTime(v);
    return typeof t === 'number' ? datetimeLocal(t) : (v ?? '');
  };
  return (
    <>
      <Field label="From (UTC)" name="from" errors={errors}>
        <input type="datetime-local" id="f-from" name="from" value={shown(q.from)} />
      </Field>
      <Field label="To (UTC)" name="to" errors={errors}>
        <input type="datetime-local" id="f-to" name="to" value={shown(q.to)} />
      </Field>
      <Field label="Order" name="order">
        <select id="f-order" name="order">
          <option value="desc" selected={q.order !== 'asc'}>
            newest first
          </option>
          <option value="asc" selected={q.order === 'asc'}>
            oldest first
          </option>
        </select>
      </Field>
      <Field label="Per page" name="limit">
        <select id="f-limit" name="limit">
          {LIMITS.map((l) => (
            <option value={String(l)} selected={String(l) === (q.limit ?? '50')}>
              {l}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}

function pageInfo<T>(page: AuditPage<T>): string {
  return `${page.items.length} shown${page.total !== null ? ` of ${count(page.total)} matching` : ''}`;
}

// ---- event audit ---------------------------------------------------------------------------------------

function EventRows(props: { items: EventAuditEntry[] }) {
  return (
    <table data-testid="event-audit-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Host</th>
          <th>Rule</th>
          <th>Decision</th>
          <th>Sent</th>
          <th>Team</th>
          <th>Severity</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map(({ seq, record: r }) => (
          <tr data-seq={String(seq)}>
            <td class="nowrap small">
              {utc(r.at)}
              <div class="muted">event {utc(r.eventTime)}</div>
            </td>
            <td>
              <a href={withQuery('/ui/audit/events', {}, { host: r.host })}>{r.host}</a>
            </td>
            <td>
              {r.ruleId && !r.ruleId.startsWith('_') ? (
                <a href={`/ui/rules/${r.ruleId}/edit`}>{r.ruleId}</a>
              ) : (
                <span class="muted">{r.ruleId ?? r.kind}</span>
              )}
            </td>
            <td>
              <Badge cls={HANDLING_CLASS[r.decision]}>{r.decision.replace(/_/g, ' ')}</Badge>
              {r.environment === 'dev' && (
                <>
                  {' '}
                  <Badge cls="muted">dev</Badge>
                </>
              )}
            </td>
            <td>{r.forwarded ? <Badge cls="ok">yes</Badge> : <Badge cls="muted">no</Badge>}</td>
            <td>{r.team ?? '—'}</td>
            <td class="nowrap">{r.severity === null ? '—' : `${r.severity} ${SEVERITIES[r.severity] ?? ''}`}</td>
            <td class="msg">
              <span class="event-text" data-testid="event-message">
                {truncate(r.event.message, 400)}
              </span>
              <details class="more small">
                <summary>record</summary>
                <div class="muted">
                  correlation id <code>{r.correlationId}</code> · event id <code>{r.eventId}</code>
                  {r.alertId && (
                    <>
                      {' '}
                      · alert <code>{r.alertId}</code>
                    </>
                  )}
                </div>
                <pre>{prettyJson(r)}</pre>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function eventAuditPage(c: Context<UiEnv>, deps: UiDeps) {
  const q: Query = c.req.query();
  const errors: FieldErrors = {};
  const base = common(q, errors);
  const filter: EventAuditFilter = { ...base };
  if (q.host?.trim()) filter.host = q.host.trim();
  if (q.rule?.trim()) filter.rule = q.rule.trim();
  if (q.decision) {
    if ((DECISIONS as readonly string[]).includes(q.decision)) filter.decision = q.decision as Decision;
    else (errors.decision ??= []).push('unknown decision');
  }
  if (q.forwarded === 'true' || q.forwarded === 'false') filter.forwarded = q.forwarded === 'true';
  const invalid = Object.keys(errors).some((k) => k !== '');
  let page: AuditPage<EventAuditEntry> | null = null;
  let failure: Failure | null = null;
  if (!invalid) {
    try {
      page = await deps.services.eventAudit.query(filter);
    } catch (err) {
      failure = describeFailure(err);
    }
  }
  const current: Query = {
    host: q.host,
    rule: q.rule,
    decision: q.decision,
    forwarded: q.forwarded,
    from: q.from,
    to: q.to,
    order: q.order,
    limit: q.limit,
  };
  const filtered = Object.entries(current).some(([k, v]) => v && k !== 'order' && k !== 'limit');
  return renderPage(
    c,
    { title: 'Event audit', nav: 'events', status: invalid ? 400 : (failure?.status ?? 200) },
    <>
      <h1>Event audit</h1>
      <p class="subtitle">Every event the alerter decided: which rule matched, what it decided, and whether an alert went to Moogsoft.</p>
      <form method="get" action="/ui/audit/events" class="filters" role="search" data-testid="event-filters">
        {errors[''] && <div class="field-error">{errors[''].join(' ')}</div>}
        <Field label="Host" name="host" errors={errors}>
          <input type="text" id="f-host" name="host" value={q.host ?? ''} placeholder="exact host name" />
        </Field>
        <Field label="Rule" name="rule" errors={errors}>
          <input type="text" id="f-rule" name="rule" value={q.rule ?? ''} placeholder="rule id, _unhandled, _meta" />
        </Field>
        <Field label="Decision" name="decision" errors={errors}>
          <select id="f-decision" name="decision">
            <option value="">any</option>
            {DECISIONS.map((d) => (
              <option value={d} selected={q.decision === d}>
                {d.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Forwarded" name="forwarded">
          <select id="f-forwarded" name="forwarded">
            <option value="">any</option>
            <option value="true" selected={q.forwarded === 'true'}>
              yes
            </option>
            <option value="false" selected={q.forwarded === 'false'}>
              no
            </option>
          </select>
        </Field>
        <TimeFilters q={q} errors={errors} />
        <button type="submit" class="secondary">
          Apply
        </button>
        {filtered && (
          <a href="/ui/audit/events" class="small">
            Clear
          </a>
        )}
      </form>
      {failure && <ErrorBanner failure={failure} correlationId={c.get('correlationId')} />}
      {page && (
        <div class="panel">
          {page.items.length === 0 ? (
            <EmptyState title={filtered || base.cursor ? 'No events match these filters' : 'No events audited yet'}>
              <p>{filtered ? 'Widen the time range or clear a filter.' : 'Records appear here as soon as the alerter handles events.'}</p>
            </EmptyState>
          ) : (
            <EventRows items={page.items} />
          )}
          <Pager
            newest={base.cursor !== undefined ? withQuery('/ui/audit/events', current, {}) : null}
            next={page.nextCursor !== null ? withQuery('/ui/audit/events', current, { cursor: page.nextCursor }) : null}
            info={pageInfo(page)}
          />
        </div>
      )}
    </>,
  );
}

// ---- config audit --------------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const IGNORED = new Set(['updated_at', 'updated_by', 'created_at', 'created_by']);

/** What a config-audit record changed, in a few lines. Pure. */
export function changeSummary(r: ConfigAuditRecord): string[] {
  if (r.kind === 'config') {
    const old = isObject(r.oldValue) ? r.oldValue.value : undefined;
    const next = isObject(r.newValue) ? r.newValue.value : undefined;
    return [`${old === undefined ? '(default)' : valueText(old)} → ${valueText(next)}`];
  }
  if (r.operation === 'import' && isObject(r.newValue)) {
    const v = r.newValue as { mode?: string; created?: unknown[]; updated?: unknown[]; deleted?: unknown[]; unchanged?: number };
    return [
      `${v.mode ?? ''} import: ${v.created?.length ?? 0} added, ${v.updated?.length ?? 0} changed, ${v.deleted?.length ?? 0} deleted`,
    ];
  }
  if (r.kind === 'dlq')
    return [
      `${r.operation}${
        isObject(r.newValue)
          ? `: ${Object.entries(r.newValue)
              .filter(([, v]) => typeof v !== 'object')
              .map(([k, v]) => `${k} ${valueText(v)}`)
              .join(', ')}`
          : ''
      }`,
    ];
  if (r.operation === 'create') return ['created'];
  if (r.operation === 'delete') return ['deleted'];
  if (isObject(r.oldValue) && isObject(r.newValue)) {
    const keys = [...new Set([...Object.keys(r.oldValue), ...Object.keys(r.newValue)])].filter((k) => !IGNORED.has(k));
    const changed = keys.filter(
      (k) =>
        JSON.stringify(r.oldValue && (r.oldValue as Record<string, unknown>)[k]) !==
        JSON.stringify((r.newValue as Record<string, unknown>)[k]),
    );
    if (changed.length === 0) return ['no field changed'];
    return changed.map(
      (k) =>
        `${k}: ${truncate(valueText((r.oldValue as Record<string, unknown>)[k]) || '∅', 60)} → ${truncate(valueText((r.newValue as Record<string, unknown>)[k]) || '∅', 60)}`,
    );
  }
  return [r.operation];
}

function objectLink(r: ConfigAuditRecord): string | null {
  switch (r.kind) {
    case 'rule':
      return r.operation === 'delete' ? null : `/ui/rules/${r.id}/edit`;
    case 'config':
      return `/ui/config/${r.id}`;
    case 'host':
      return r.id === 'import' ? '/ui/dev-hosts' : withQuery('/ui/dev-hosts', {}, { q: r.id });
    case 'team':
      return r.id === 'import' ? '/ui/teams' : withQuery('/ui/teams', {}, { q: r.id });
    case 'dlq':
      return /^\d+$/.test(r.id) ? null : '/ui/dlq';
    case 'key':
      return null;
  }
}

const OP_CLASS: Record<string, string> = {
  create: 'ok',
  update: 'info',
  delete: 'bad',
  reset: 'warn',
  purge: 'bad',
  replay: 'info',
  quarantine: 'warn',
  import: 'info',
};

function ConfigRows(props: { items: ConfigAuditEntry[] }) {
  return (
    <table data-testid="config-audit-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Who</th>
          <th>What</th>
          <th>Operation</th>
          <th>Change</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map(({ seq, record: r }) => {
          const href = objectLink(r);
          return (
            <tr data-seq={String(seq)}>
              <td class="nowrap small">{utc(r.at)}</td>
              <td>{r.actor}</td>
              <td>
                <span class="muted">{r.kind}</span> {href ? <a href={href}>{r.id}</a> : <span>{r.id}</span>}
              </td>
              <td>
                <Badge cls={OP_CLASS[r.operation]}>{r.operation}</Badge>
              </td>
              <td class="msg">
                {changeSummary(r).map((l) => (
                  <div>{l}</div>
                ))}
                <details class="more small">
                  <summary>old and new</summary>
                  <div class="muted">
                    correlation id <code>{r.correlationId}</code>
                  </div>
                  <pre>{prettyJson({ old: r.oldValue ?? null, new: r.newValue ?? null })}</pre>
                </details>
              </td>
              <td class="wrap">{r.reason ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

async function configAuditPage(c: Context<UiEnv>, deps: UiDeps) {
  const q: Query = c.req.query();
  const errors: FieldErrors = {};
  const base = common(q, errors);
  const filter: ConfigAuditFilter = { ...base };
  if (q.kind) {
    if ((KINDS as readonly string[]).includes(q.kind)) filter.kind = q.kind as ConfigAuditFilter['kind'];
    else (errors.kind ??= []).push('unknown kind');
  }
  if (q.operation) {
    if ((OPERATIONS as readonly string[]).includes(q.operation)) filter.operation = q.operation as ConfigAuditFilter['operation'];
    else (errors.operation ??= []).push('unknown operation');
  }
  if (q.id?.trim()) filter.id = q.id.trim();
  if (q.actor?.trim()) filter.actorContains = q.actor.trim();
  const invalid = Object.keys(errors).some((k) => k !== '');
  let page: AuditPage<ConfigAuditEntry> | null = null;
  let failure: Failure | null = null;
  if (!invalid) {
    try {
      page = await deps.services.configAudit.query(filter);
    } catch (err) {
      failure = describeFailure(err);
    }
  }
  const current: Query = {
    kind: q.kind,
    id: q.id,
    actor: q.actor,
    operation: q.operation,
    from: q.from,
    to: q.to,
    order: q.order,
    limit: q.limit,
  };
  const filtered = Object.entries(current).some(([k, v]) => v && k !== 'order' && k !== 'limit');
  return renderPage(
    c,
    { title: 'Config audit', nav: 'config-audit', status: invalid ? 400 : (failure?.status ?? 200) },
    <>
      <h1>Config audit</h1>
      <p class="subtitle">
        Every change to rules, development hosts, device teams, configuration, API keys and dead letters: who, when, why, and what it was
        before.
      </p>
      <form method="get" action="/ui/audit/config" class="filters" role="search" data-testid="config-audit-filters">
        {errors[''] && <div class="field-error">{errors[''].join(' ')}</div>}
        <Field label="Kind" name="kind" errors={errors}>
          <select id="f-kind" name="kind">
            <option value="">any</option>
            {KINDS.map((k) => (
              <option value={k} selected={q.kind === k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Id" name="id" errors={errors}>
          <input type="text" id="f-id" name="id" value={q.id ?? ''} placeholder="rule id, host, key" />
        </Field>
        <Field label="Who" name="actor" errors={errors}>
          <input type="text" id="f-actor" name="actor" value={q.actor ?? ''} placeholder="key name contains" />
        </Field>
        <Field label="Operation" name="operation" errors={errors}>
          <select id="f-operation" name="operation">
            <option value="">any</option>
            {OPERATIONS.map((o) => (
              <option value={o} selected={q.operation === o}>
                {o}
              </option>
            ))}
          </select>
        </Field>
        <TimeFilters q={q} errors={errors} />
        <button type="submit" class="secondary">
          Apply
        </button>
        {filtered && (
          <a href="/ui/audit/config" class="small">
            Clear
          </a>
        )}
      </form>
      {failure && <ErrorBanner failure={failure} correlationId={c.get('correlationId')} />}
      {page && (
        <div class="panel">
          {page.items.length === 0 ? (
            <EmptyState title={filtered || base.cursor ? 'No changes match these filters' : 'No changes recorded yet'}>
              <p>Changes made here, through the API or with the mutt command appear in this list.</p>
            </EmptyState>
          ) : (
            <ConfigRows items={page.items} />
          )}
          <Pager
            newest={base.cursor !== undefined ? withQuery('/ui/audit/config', current, {}) : null}
            next={page.nextCursor !== null ? withQuery('/ui/audit/config', current, { cursor: page.nextCursor }) : null}
            info={pageInfo(page)}
          />
        </div>
      )}
    </>,
  );
}

export function auditRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  app.get('/ui/audit/events', (c) => eventAuditPage(c, deps));
  app.get('/ui/audit/config', (c) => configAuditPage(c, deps));
}
