// Development hosts (/ui/dev-hosts: their events get each rule's dev handling) and device teams (/ui/teams:
// which team an unmatched host's meta-alert goes to): list with search, add, change a team inline, delete, and
// bulk import from a textarea (CSV lines `hostname[,team|note]` or a JSON array; merge, or replace the whole
// list). Every import is validated first: one bad line and nothing is written, the line is named.
//   GET /ui/{dev-hosts,teams}  POST …/add  POST …/delete  POST /ui/teams/update  POST …/import

import type { Context, Hono } from 'hono';
import { parseHostCsv, parseHostJson, type HostKind, type ParsedImport } from '../../services/host-import.ts';
import type { HostMapService, HostRecord } from '../../services/hosts.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { changeOf, field, fieldErrors, rawField } from '../form.ts';
import { utc } from '../format.ts';
import {
  ConfirmButton,
  CsrfField,
  EmptyState,
  Field,
  FlashBox,
  renderPage,
  uiOf,
  withQuery,
  type FieldErrors,
  type Flash,
  type Ui,
} from '../render.tsx';
import { requireAdmin } from '../session/middleware.ts';

interface KindText {
  path: string;
  nav: 'dev-hosts' | 'teams';
  title: string;
  subtitle: string;
  noun: string;
  empty: string;
  csvHint: string;
}

const TEXT: Record<HostKind, KindText> = {
  dev: {
    path: '/ui/dev-hosts',
    nav: 'dev-hosts',
    title: 'Development hosts',
    noun: 'development host',
    subtitle: "Events from these hosts get each rule's development handling instead of production handling.",
    empty: 'No development hosts yet — add one',
    csvHint: 'One host per line: hostname[,note]. Lines starting with # are ignored; a JSON array works too.',
  },
  team: {
    path: '/ui/teams',
    nav: 'teams',
    title: 'Device teams',
    noun: 'team mapping',
    subtitle: 'Which team owns a device: used for meta-alerts of events no rule matched.',
    empty: 'No device teams yet — add one',
    csvHint: 'One host per line: hostname,team (or leave out the team and give a default below). A JSON array works too.',
  },
};

type Values = Record<string, string>;

/** Rows per page: a list of 200,000 device teams is paged, not rendered whole. */
const PAGE_ROWS = 200;

interface PageState {
  q?: string;
  /** Continue after this entry (the `next` of the previous page). */
  after?: string;
  flash?: Flash | null;
  add?: { values: Values; errors: FieldErrors };
  importForm?: { values: Values; errors: FieldErrors };
  rowErrors?: Record<string, string>;
}

function HostRows<K extends HostKind>(props: { ui: Ui; kind: K; rows: HostRecord<K>[]; rowErrors: Record<string, string> }) {
  const { ui, kind } = props;
  const t = TEXT[kind];
  return (
    <table data-testid={`${kind}-table`}>
      <thead>
        <tr>
          <th>Host</th>
          <th>{kind === 'team' ? 'Team' : 'Note'}</th>
          <th>Changed</th>
          {ui.canWrite && <th>Actions</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map(({ value }) => {
          const v = value as { hostname: string; note?: string; team_assignment?: string; updated_at?: number; updated_by?: string };
          return (
            <tr data-host={v.hostname}>
              <td>
                <strong>{v.hostname}</strong>
              </td>
              <td>
                {kind === 'team' && ui.canWrite ? (
                  <form method="post" action={`${t.path}/update`} class="inline">
                    <CsrfField ui={ui} />
                    <input type="hidden" name="hostname" value={v.hostname} />
                    <input
                      type="text"
                      name="team_assignment"
                      value={v.team_assignment ?? ''}
                      aria-label={`Team of ${v.hostname}`}
                      class="medium"
                    />
                    <button type="submit" class="small secondary">
                      Set
                    </button>
                  </form>
                ) : (
                  (kind === 'team' ? v.team_assignment : v.note) || <span class="muted">—</span>
                )}
                {props.rowErrors[v.hostname.toLowerCase()] && <div class="field-error">{props.rowErrors[v.hostname.toLowerCase()]}</div>}
              </td>
              <td class="small muted nowrap">
                {utc(v.updated_at)} {v.updated_by ?? ''}
              </td>
              {ui.canWrite && (
                <td class="actions">
                  <ConfirmButton
                    ui={ui}
                    action={`${t.path}/delete`}
                    label="Delete"
                    fields={{ hostname: v.hostname }}
                    testid={`delete-${v.hostname}`}
                  >
                    Remove <strong>{v.hostname}</strong> from the {t.title.toLowerCase()}?
                  </ConfirmButton>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function page<K extends HostKind>(c: Context<UiEnv>, service: HostMapService<K>, state: PageState, status: 200 | 400 | 404 | 409 = 200) {
  const ui = uiOf(c);
  const kind = service.kind;
  const t = TEXT[kind];
  const shown = service.page({ q: state.q || undefined, limit: PAGE_ROWS, cursor: state.after || undefined });
  const total = state.q ? service.count() : shown.total;
  const rows = shown.items;
  const nextHref =
    shown.next === null ? null : `${t.path}?${new URLSearchParams({ ...(state.q ? { q: state.q } : {}), after: shown.next })}`;
  const add = state.add ?? { values: {}, errors: {} };
  const imp = state.importForm ?? { values: { mode: 'merge' }, errors: {} };
  return renderPage(
    c,
    { title: t.title, nav: t.nav, status },
    <>
      <h1>{t.title}</h1>
      <p class="subtitle">{t.subtitle} Changes reach the alerter within a second.</p>
      <FlashBox flash={state.flash} />
      <div class={ui.canWrite ? 'grid list-forms' : ''}>
        <div>
          <div class="panel">
            <form method="get" action={t.path} class="filters" role="search">
              <label>
                Search
                <input type="text" name="q" value={state.q ?? ''} placeholder={kind === 'team' ? 'host or team' : 'host'} />
              </label>
              <button type="submit" class="secondary">
                Filter
              </button>
              {state.q && (
                <a href={t.path} class="small">
                  Clear
                </a>
              )}
            </form>
            {total === 0 ? (
              <EmptyState title={ui.canWrite ? t.empty : t.empty.replace(/ — add one$/, '')}>
                {ui.canWrite && <p>Use the form on the right, or paste a list into the bulk import.</p>}
              </EmptyState>
            ) : rows.length === 0 ? (
              <EmptyState title="Nothing matches the search">
                <p>
                  <a href={t.path}>Show all {total}</a>
                </p>
              </EmptyState>
            ) : (
              <>
                <HostRows ui={ui} kind={kind} rows={rows} rowErrors={state.rowErrors ?? {}} />
                <p class="muted small">
                  {rows.length} shown of {shown.total}
                  {state.q ? ` matching (${total} in all)` : ''}.
                  {state.after && (
                    <>
                      {' '}
                      <a href={state.q ? `${t.path}?${new URLSearchParams({ q: state.q })}` : t.path}>First page</a>
                    </>
                  )}
                  {nextHref && (
                    <>
                      {' '}
                      <a href={nextHref} data-testid="next-page">
                        Next {PAGE_ROWS}
                      </a>
                    </>
                  )}
                </p>
              </>
            )}
          </div>
        </div>
        {ui.canWrite && (
          <div>
            <form method="post" action={`${t.path}/add`} class="panel" data-testid="add-host-form">
              <h2>Add a {t.noun}</h2>
              <CsrfField ui={ui} />
              {add.errors[''] && <div class="flash error">{add.errors[''].join(' ')}</div>}
              <div class="form-grid">
                <Field label="Host name" name="hostname" errors={add.errors}>
                  <input
                    type="text"
                    id="f-hostname"
                    name="hostname"
                    value={add.values.hostname ?? ''}
                    required
                    placeholder="core-sw1.example.com"
                  />
                </Field>
                {kind === 'team' ? (
                  <Field label="Team" name="team_assignment" errors={add.errors}>
                    <input
                      type="text"
                      id="f-team_assignment"
                      name="team_assignment"
                      value={add.values.team_assignment ?? ''}
                      required
                      placeholder="NetOps"
                    />
                  </Field>
                ) : (
                  <Field label="Note" name="note" errors={add.errors}>
                    <input type="text" id="f-note" name="note" value={add.values.note ?? ''} placeholder="lab switch" />
                  </Field>
                )}
                <Field label="Reason" name="reason" errors={add.errors} hint="Kept in the config audit.">
                  <input type="text" id="f-reason" name="reason" value={add.values.reason ?? ''} />
                </Field>
              </div>
              <p>
                <button type="submit" data-testid="add-host">
                  Add
                </button>
              </p>
            </form>
            <form method="post" action={`${t.path}/import`} class="panel" data-testid="import-form">
              <h2>Bulk import</h2>
              <CsrfField ui={ui} />
              {imp.errors[''] && (
                <div class="flash error" role="alert">
                  Nothing was written:
                  <ul>
                    {imp.errors[''].map((e) => (
                      <li>{e}</li>
                    ))}
                  </ul>
                </div>
              )}
              <Field label="List" name="text" errors={imp.errors} hint={t.csvHint}>
                <textarea
                  id="f-text"
                  name="text"
                  rows={8}
                  data-testid="import-text"
                  placeholder={kind === 'team' ? 'core-sw1.example.com,NetOps\nedge2,WAN' : 'lab-sw1\nlab-sw2,spare'}
                >
                  {imp.values.text ?? ''}
                </textarea>
              </Field>
              <div class="form-grid">
                {kind === 'team' && (
                  <Field label="Default team" name="default_team" errors={imp.errors} hint="For lines without a team.">
                    <input type="text" id="f-default_team" name="default_team" value={imp.values.default_team ?? ''} />
                  </Field>
                )}
                <Field label="Mode" name="mode" errors={imp.errors}>
                  <select id="f-mode" name="mode">
                    <option value="merge" selected={imp.values.mode !== 'replace'}>
                      merge: add and update
                    </option>
                    <option value="replace" selected={imp.values.mode === 'replace'}>
                      replace: also delete what is not listed
                    </option>
                  </select>
                </Field>
                <Field label="Reason" name="reason" errors={imp.errors}>
                  <input type="text" id="f-import-reason" name="reason" value={imp.values.reason ?? ''} />
                </Field>
              </div>
              <p>
                <button type="submit" data-testid="import-submit">
                  Import
                </button>
              </p>
            </form>
          </div>
        )}
      </div>
    </>,
  );
}

function parseList(kind: HostKind, text: string, defaultTeam?: string): ParsedImport {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return parseHostJson(kind, JSON.parse(trimmed), defaultTeam);
    } catch (err) {
      return { items: [], where: [], issues: [{ path: '', message: `not valid JSON: ${(err as Error).message}` }] };
    }
  }
  return parseHostCsv(kind, text, defaultTeam);
}

const DONE: Record<string, (c: Context<UiEnv>) => string> = {
  added: (c) => `Added ${c.req.query('host') ?? ''}.`,
  deleted: (c) => `Deleted ${c.req.query('host') ?? ''}.`,
  updated: (c) => `Changed ${c.req.query('host') ?? ''}.`,
  imported: (c) =>
    `Import done: ${Number(c.req.query('created') ?? 0)} added, ${Number(c.req.query('updated') ?? 0)} changed, ${Number(c.req.query('unchanged') ?? 0)} unchanged, ${Number(c.req.query('deleted') ?? 0)} deleted.`,
};

function routesFor<K extends HostKind>(app: Hono<UiEnv>, service: HostMapService<K>): void {
  const t = TEXT[service.kind];
  const admin = requireAdmin();
  const ADD_FIELDS = ['hostname', 'note', 'team_assignment', 'reason'] as const;

  app.get(t.path, (c) => {
    const done = c.req.query('done');
    return page(c, service, {
      q: c.req.query('q'),
      after: c.req.query('after'),
      flash: done && DONE[done] ? { kind: 'ok', text: DONE[done](c) } : null,
    });
  });

  app.post(`${t.path}/add`, admin, async (c) => {
    const values: Values = {};
    for (const f of ADD_FIELDS) values[f] = field(c, f);
    const input =
      service.kind === 'team'
        ? { hostname: values.hostname, team_assignment: values.team_assignment }
        : { hostname: values.hostname, note: values.note };
    try {
      const r = await service.add(input, changeOf(c));
      return c.redirect(withQuery(t.path, {}, { done: 'added', host: r.value.hostname }), 303);
    } catch (err) {
      return page(c, service, { add: { values, errors: fieldErrors(err, ADD_FIELDS) } }, 400);
    }
  });

  app.post(`${t.path}/delete`, admin, async (c) => {
    const host = field(c, 'hostname');
    const r = await service.remove(host, changeOf(c));
    return c.redirect(withQuery(t.path, {}, { done: 'deleted', host: r.value.hostname }), 303);
  });

  if (service.kind === 'team') {
    app.post(`${t.path}/update`, admin, async (c) => {
      const host = field(c, 'hostname');
      try {
        const r = await service.update(host, { team_assignment: field(c, 'team_assignment') }, changeOf(c));
        return c.redirect(withQuery(t.path, {}, { done: 'updated', host: r.value.hostname }), 303);
      } catch (err) {
        const errors = fieldErrors(err, ['team_assignment']);
        return page(
          c,
          service,
          {
            flash: { kind: 'error', text: `Team of ${host} not changed.` },
            rowErrors: { [host.toLowerCase()]: (errors.team_assignment ?? errors[''] ?? []).join(' ') },
          },
          400,
        );
      }
    });
  }

  app.post(`${t.path}/import`, admin, async (c) => {
    const values: Values = {
      text: rawField(c, 'text'),
      mode: field(c, 'mode'),
      default_team: field(c, 'default_team'),
      reason: field(c, 'reason'),
    };
    const mode = values.mode === 'replace' ? 'replace' : 'merge';
    try {
      const parsed = parseList(service.kind, values.text, values.default_team || undefined);
      const r = await service.import(parsed, mode, changeOf(c));
      return c.redirect(
        withQuery(
          t.path,
          {},
          { done: 'imported', created: r.created.length, updated: r.updated.length, unchanged: r.unchanged, deleted: r.deleted.length },
        ),
        303,
      );
    } catch (err) {
      return page(c, service, { importForm: { values, errors: fieldErrors(err, []) } }, 400);
    }
  });
}

export function hostRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  routesFor(app, deps.services.devHosts);
  routesFor(app, deps.services.teams);
}
