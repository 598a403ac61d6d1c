// Alert rules: the list in evaluation order (priority, then id) with filters, inline priority edit, enable /
// disable, delete (confirmed), create and edit forms whose refusals are shown beside the field (a bad regex is
// refused at write time), and the "test a sample message" box: which rule would handle it, why, and what the
// alerter would decide. Writes go through the rules service (validation, compare-and-set, config audit) and
// reach the alerter by KV watch within a second.
//   GET /ui/rules  GET|POST /ui/rules/new  GET|POST /ui/rules/:id/edit  POST /ui/rules/:id/{priority,active,delete}
//   POST /ui/rules/test

import type { Context, Hono } from 'hono';
import type { Rule } from '../../../protocol/rules.ts';
import { ServiceError } from '../../services/errors.ts';
import type { RuleTestResult } from '../../services/rule-tester.ts';
import type { RuleFilter, RuleRecord } from '../../services/rules.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { changeOf, field, fieldErrors, rawField, revisionField } from '../form.ts';
import { utc } from '../format.ts';
import {
  Badge,
  ConfirmButton,
  CsrfField,
  EmptyState,
  Field,
  FlashBox,
  PostButton,
  renderPage,
  uiOf,
  withQuery,
  type FieldErrors,
  type Flash,
  type Ui,
} from '../render.tsx';
import { requireAdmin } from '../session/middleware.ts';

export const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;
const HANDLINGS = ['page_and_ticket', 'page_only', 'ticket_only', 'ignore'] as const;
const MATCH_TYPES = ['contains', 'regex', 'oid_prefix'] as const;
const RULE_FIELDS = [
  'id',
  'description',
  'match_type',
  'match_string',
  'trap_oid',
  'syslog_severity',
  'priority',
  'prod_handling',
  'dev_handling',
  'team_assignment',
  'is_active',
  'reason',
] as const;
const TEST_FIELDS = ['message', 'host', 'severity', 'trap_oid'] as const;

export const HANDLING_CLASS: Record<string, string> = {
  page_and_ticket: 'bad',
  page_only: 'warn',
  ticket_only: 'info',
  ignore: 'muted',
  unhandled: 'muted',
  meta_alert: 'warn',
};
const label = (s: string) => s.replace(/_/g, ' ');

const DONE: Record<string, (id: string) => string> = {
  created: (id) => `Rule '${id}' created.`,
  updated: (id) => `Rule '${id}' saved.`,
  deleted: (id) => `Rule '${id}' deleted.`,
  enabled: (id) => `Rule '${id}' enabled.`,
  disabled: (id) => `Rule '${id}' disabled.`,
  priority: (id) => `Priority of rule '${id}' changed.`,
};

type Values = Record<string, string>;

function MatchText(props: { rule: Rule }) {
  const r = props.rule;
  return (
    <span class="wrap">
      <span class="muted">{r.match_type === 'oid_prefix' ? 'OID prefix' : r.match_type}</span>{' '}
      <code>{r.match_type === 'oid_prefix' ? r.trap_oid : r.match_string}</code>
      {r.match_type !== 'oid_prefix' && r.trap_oid && (
        <>
          {' '}
          <span class="muted">and OID</span> <code>{r.trap_oid}</code>
        </>
      )}
      {r.syslog_severity !== null && (
        <>
          {' '}
          <span class="muted">severity</span> {SEVERITIES[r.syslog_severity]} ({r.syslog_severity})
        </>
      )}
    </span>
  );
}

function PriorityCell(props: { ui: Ui; rule: Rule; error?: string }) {
  const r = props.rule;
  if (!props.ui.canWrite) return <td class="num">{r.priority}</td>;
  return (
    <td class="nowrap">
      <form method="post" action={`/ui/rules/${r.id}/priority`} class="inline">
        <CsrfField ui={props.ui} />
        <input
          type="number"
          name="priority"
          value={String(r.priority)}
          min="0"
          max="1000000"
          class="narrow"
          aria-label={`Priority of ${r.id}`}
          data-testid={`priority-${r.id}`}
        />
        <button type="submit" class="small secondary">
          Set
        </button>
      </form>
      {props.error && <div class="field-error">{props.error}</div>}
    </td>
  );
}

function RulesTable(props: { ui: Ui; rules: RuleRecord[]; rowErrors: Record<string, string> }) {
  const { ui } = props;
  return (
    <table data-testid="rules-table">
      <thead>
        <tr>
          <th class="num">Priority</th>
          <th>Rule</th>
          <th>Match</th>
          <th>Prod</th>
          <th>Dev</th>
          <th>Team</th>
          <th>State</th>
          <th>Changed</th>
          {ui.canWrite && <th>Actions</th>}
        </tr>
      </thead>
      <tbody>
        {props.rules.map(({ rule: r }) => (
          <tr data-rule={r.id}>
            <PriorityCell ui={ui} rule={r} error={props.rowErrors[r.id]} />
            <td>
              <a href={`/ui/rules/${r.id}/edit`}>
                <strong>{r.id}</strong>
              </a>
              {r.description && <div class="muted small wrap">{r.description}</div>}
            </td>
            <td>
              <MatchText rule={r} />
            </td>
            <td>
              <Badge cls={HANDLING_CLASS[r.prod_handling]}>{label(r.prod_handling)}</Badge>
            </td>
            <td>
              <Badge cls={HANDLING_CLASS[r.dev_handling]}>{label(r.dev_handling)}</Badge>
            </td>
            <td>{r.team_assignment}</td>
            <td>{r.is_active ? <Badge cls="ok">active</Badge> : <Badge cls="muted">disabled</Badge>}</td>
            <td class="small muted nowrap">
              {utc(r.updated_at)}
              <br />
              {r.updated_by ?? ''}
            </td>
            {ui.canWrite && (
              <td class="actions">
                <a class="button small secondary" href={`/ui/rules/${r.id}/edit`}>
                  Edit
                </a>
                <PostButton
                  ui={ui}
                  action={`/ui/rules/${r.id}/active`}
                  fields={{ active: r.is_active ? 'false' : 'true' }}
                  label={r.is_active ? 'Disable' : 'Enable'}
                  testid={`toggle-${r.id}`}
                />
                <ConfirmButton ui={ui} action={`/ui/rules/${r.id}/delete`} label="Delete" testid={`delete-${r.id}`}>
                  Delete rule <strong>{r.id}</strong>? Its audit history stays.
                </ConfirmButton>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TestResult(props: { result: RuleTestResult }) {
  const r = props.result;
  return (
    <div class={`result ${r.matched ? 'matched' : 'unmatched'}`} data-testid="test-result">
      {r.matched && r.rule ? (
        <p>
          Rule{' '}
          <a href={`/ui/rules/${r.rule.id}/edit`}>
            <strong data-testid="test-rule">{r.rule.id}</strong>
          </a>{' '}
          matches (priority {r.rule.priority}): <span data-testid="test-why">{r.why}</span>
        </p>
      ) : (
        <p>
          <strong>No rule matches.</strong> The event would be <em>unhandled</em> (counted towards a meta-alert for its host).
        </p>
      )}
      <dl class="kv">
        <dt>Decision</dt>
        <dd>
          <Badge cls={HANDLING_CLASS[r.decision]}>{label(r.decision)}</Badge>
        </dd>
        <dt>Environment</dt>
        <dd>
          {r.environment}
          {r.environment === 'dev' ? ' (a development host: dev handling applies)' : ''}
        </dd>
        <dt>Forwarded to Moogsoft</dt>
        <dd>{r.forwarded ? 'yes' : 'no'}</dd>
        <dt>Team</dt>
        <dd>{r.team ?? '—'}</dd>
        <dt>Rules evaluated</dt>
        <dd>{r.rules_evaluated} active</dd>
      </dl>
      {r.matches.length > 1 && (
        <>
          <h3>Also matching (lower precedence)</h3>
          <ul>
            {r.matches.slice(1).map((m) => (
              <li>
                <strong>{m.id}</strong> (priority {m.priority}): {m.why}
              </li>
            ))}
          </ul>
        </>
      )}
      <NearMisses result={r} />
      {r.invalid_rules.length > 0 && (
        <p class="field-error">Rules the alerter cannot use: {r.invalid_rules.map((i) => `${i.ruleId} (${i.reason})`).join('; ')}</p>
      )}
    </div>
  );
}

/** Rules whose text matched but that did not win: the answer to "why did my rule not fire?". */
function NearMisses(props: { result: RuleTestResult }) {
  const r = props.result;
  if (r.near_misses.length === 0 && r.complete) return null;
  return (
    <div data-testid="near-misses">
      <h3>Near misses: text matched, rule did not win</h3>
      {r.near_misses.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Rule</th>
              <th>Priority</th>
              <th>Active</th>
              <th>Why not</th>
            </tr>
          </thead>
          <tbody>
            {r.near_misses.map((m) => (
              <tr data-testid={`near-miss-${m.id}`}>
                <td>
                  <a href={`/ui/rules/${m.id}/edit`}>{m.id}</a>
                </td>
                <td>{m.priority}</td>
                <td>{m.is_active ? 'yes' : 'no'}</td>
                <td>
                  <span data-testid={`near-miss-reasons-${m.id}`}>{m.reasons.join(', ')}</span>: {m.why}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!r.complete && (
        <p class="field-error">Incomplete: the regex time budget ran out, {r.skipped_rules} rule(s) were not checked for near misses.</p>
      )}
    </div>
  );
}

function TesterPanel(props: { ui: Ui; values: Values; errors: FieldErrors; result?: RuleTestResult | null }) {
  const v = props.values;
  return (
    <div class="panel" id="tester">
      <h2>Test a sample message</h2>
      <p class="muted small">
        Runs the message through the active rules exactly as the alerter would, and says which rule wins and why. Nothing is sent.
      </p>
      {props.errors[''] && <div class="flash error">{props.errors[''].join(' ')}</div>}
      <form method="post" action="/ui/rules/test#tester">
        <CsrfField ui={props.ui} />
        <div class="form-grid">
          <Field label="Message" name="message" errors={props.errors} cls="wide">
            <textarea id="f-message" name="message" rows={3} required data-testid="test-message">
              {v.message ?? ''}
            </textarea>
          </Field>
          <div>
            <Field label="Host" name="host" errors={props.errors}>
              <input type="text" id="f-host" name="host" value={v.host ?? ''} placeholder="core-sw1.example.com" data-testid="test-host" />
            </Field>
            <Field label="Severity" name="severity" errors={props.errors} hint="0–7 or a name; empty for none">
              <input type="text" id="f-severity" name="severity" value={v.severity ?? ''} placeholder="error" />
            </Field>
            <Field label="Trap OID" name="trap_oid" errors={props.errors}>
              <input type="text" id="f-trap_oid" name="trap_oid" value={v.trap_oid ?? ''} placeholder=".1.3.6.1.6.3.1.1.5.3" />
            </Field>
          </div>
        </div>
        <p>
          <button type="submit" data-testid="test-submit">
            Test
          </button>
        </p>
      </form>
      {props.result && <TestResult result={props.result} />}
    </div>
  );
}

interface ListState {
  filters: Record<string, string | undefined>;
  flash?: Flash | null;
  rowErrors?: Record<string, string>;
  tester?: { values: Values; errors: FieldErrors; result?: RuleTestResult | null };
}

function filtersOf(c: Context<UiEnv>): Record<string, string | undefined> {
  const q = c.req.query();
  return { q: q.q, active: q.active, team: q.team, match_type: q.match_type };
}

function ruleFilter(f: Record<string, string | undefined>): RuleFilter {
  const out: RuleFilter = {};
  if (f.q?.trim()) out.q = f.q.trim();
  if (f.active === 'true' || f.active === 'false') out.active = f.active === 'true';
  if (f.team?.trim()) out.team = f.team.trim();
  if ((MATCH_TYPES as readonly string[]).includes(f.match_type ?? '')) out.match_type = f.match_type as Rule['match_type'];
  return out;
}

function listPage(c: Context<UiEnv>, deps: UiDeps, state: ListState, status: 200 | 400 | 404 | 409 = 200) {
  const ui = uiOf(c);
  const f = state.filters;
  const all = deps.services.rules.all();
  const rules = deps.services.rules.list(ruleFilter(f));
  const filtered = Object.values(f).some((v) => v !== undefined && v !== '');
  const teams = [...new Set(all.rules.map((r) => r.rule.team_assignment))].sort();
  return renderPage(
    c,
    { title: 'Rules', nav: 'rules', status },
    <>
      <div class="toolbar">
        <div>
          <h1>Rules</h1>
          <p class="subtitle">Evaluated in this order: lowest priority number first, then by id. The first match decides.</p>
        </div>
        <span class="spacer" />
        {ui.canWrite && (
          <a class="button" href="/ui/rules/new" data-testid="new-rule">
            New rule
          </a>
        )}
      </div>
      <FlashBox flash={state.flash} />
      {all.problems.length > 0 && (
        <FlashBox
          flash={{
            kind: 'warn',
            text: 'Stored rules that fail validation (the alerter ignores them; edit or delete them):',
            details: all.problems.map((p) => `${p.id}: ${p.error}`),
          }}
        />
      )}
      <form method="get" action="/ui/rules" class="filters" role="search">
        <label>
          Search
          <input type="text" name="q" value={f.q ?? ''} placeholder="id, text, OID, team" />
        </label>
        <label>
          State
          <select name="active">
            <option value="">any</option>
            <option value="true" selected={f.active === 'true'}>
              active
            </option>
            <option value="false" selected={f.active === 'false'}>
              disabled
            </option>
          </select>
        </label>
        <label>
          Team
          <select name="team">
            <option value="">any</option>
            {teams.map((t) => (
              <option value={t} selected={f.team === t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Match type
          <select name="match_type">
            <option value="">any</option>
            {MATCH_TYPES.map((m) => (
              <option value={m} selected={f.match_type === m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          Filter
        </button>
        {filtered && (
          <a href="/ui/rules" class="small">
            Clear
          </a>
        )}
      </form>
      <div class="panel">
        {all.rules.length === 0 ? (
          <EmptyState title={ui.canWrite ? 'No rules yet — create one' : 'No rules yet'}>
            <p>Without rules every event is unhandled and only meta-alerts reach Moogsoft.</p>
            {ui.canWrite && (
              <p>
                <a class="button" href="/ui/rules/new">
                  Create a rule
                </a>
              </p>
            )}
          </EmptyState>
        ) : rules.length === 0 ? (
          <EmptyState title="No rule matches these filters">
            <p>
              <a href="/ui/rules">Show all {all.rules.length} rules</a>
            </p>
          </EmptyState>
        ) : (
          <>
            <RulesTable ui={ui} rules={rules} rowErrors={state.rowErrors ?? {}} />
            <p class="muted small">
              {rules.length} of {all.rules.length} rules{filtered ? ' (filtered)' : ''}.
            </p>
          </>
        )}
      </div>
      <TesterPanel ui={ui} values={state.tester?.values ?? {}} errors={state.tester?.errors ?? {}} result={state.tester?.result} />
    </>,
  );
}

function RuleForm(props: { ui: Ui; values: Values; active: boolean; errors: FieldErrors; mode: 'create' | 'edit'; revision?: number }) {
  const { values: v, errors, ui } = props;
  const editable = ui.canWrite;
  const action = props.mode === 'create' ? '/ui/rules/new' : `/ui/rules/${v.id}/edit`;
  const fields = (
    <>
      {errors[''] && (
        <div class="flash error" role="alert">
          {errors[''].map((e) => (
            <div>{e}</div>
          ))}
        </div>
      )}
      <fieldset disabled={!editable} class="plain">
        <div class="form-grid">
          <Field
            label="Id"
            name="id"
            errors={errors}
            hint={props.mode === 'create' ? 'Letters, digits, _ and -; empty: one is generated.' : 'The id cannot change.'}
          >
            <input type="text" id="f-id" name="id" value={v.id ?? ''} readonly={props.mode === 'edit'} placeholder="link-down" />
          </Field>
          <Field label="Priority" name="priority" errors={errors} hint="Lower runs first (0–1,000,000; default 100).">
            <input type="number" id="f-priority" name="priority" value={v.priority ?? '100'} min="0" max="1000000" />
          </Field>
          <Field label="Match type" name="match_type" errors={errors}>
            <select id="f-match_type" name="match_type">
              {MATCH_TYPES.map((m) => (
                <option value={m} selected={(v.match_type || 'contains') === m}>
                  {m === 'oid_prefix' ? 'OID prefix (traps)' : m === 'regex' ? 'regular expression' : 'contains (case-sensitive text)'}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Match string"
            name="match_string"
            errors={errors}
            hint="Text or regex looked for in the message (not used by OID-prefix rules)."
          >
            <input type="text" id="f-match_string" name="match_string" value={v.match_string ?? ''} placeholder="%LINK-3-UPDOWN" />
          </Field>
          <Field label="Trap OID" name="trap_oid" errors={errors} hint="Dotted decimal; required for OID-prefix rules.">
            <input type="text" id="f-trap_oid" name="trap_oid" value={v.trap_oid ?? ''} placeholder=".1.3.6.1.6.3.1.1.5.3" />
          </Field>
          <Field label="Severity" name="syslog_severity" errors={errors} hint="Only events of exactly this severity (optional).">
            <select id="f-syslog_severity" name="syslog_severity">
              <option value="">any severity</option>
              {SEVERITIES.map((s, i) => (
                <option value={String(i)} selected={v.syslog_severity === String(i)}>{`${i} ${s}`}</option>
              ))}
            </select>
          </Field>
          <Field label="Production handling" name="prod_handling" errors={errors}>
            <select id="f-prod_handling" name="prod_handling">
              {HANDLINGS.map((h) => (
                <option value={h} selected={(v.prod_handling || 'page_and_ticket') === h}>
                  {label(h)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Development handling" name="dev_handling" errors={errors} hint="For hosts on the development list.">
            <select id="f-dev_handling" name="dev_handling">
              {HANDLINGS.map((h) => (
                <option value={h} selected={(v.dev_handling || 'ticket_only') === h}>
                  {label(h)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Team" name="team_assignment" errors={errors}>
            <input type="text" id="f-team_assignment" name="team_assignment" value={v.team_assignment ?? ''} placeholder="NetOps" />
          </Field>
          <Field label="Description" name="description" errors={errors}>
            <input type="text" id="f-description" name="description" value={v.description ?? ''} />
          </Field>
          <Field label="Active" name="is_active" errors={errors} cls="checkbox">
            <input type="checkbox" id="f-is_active" name="is_active" value="true" checked={props.active} />
          </Field>
          {editable && (
            <Field label="Reason for the change" name="reason" errors={errors} hint="Kept in the config audit.">
              <input type="text" id="f-reason" name="reason" value={v.reason ?? ''} placeholder="CHG-1234" />
            </Field>
          )}
        </div>
      </fieldset>
    </>
  );
  if (!editable) {
    return (
      <div class="panel" data-testid="rule-form">
        {fields}
        <p class="muted">Read-only: your key cannot change rules.</p>
      </div>
    );
  }
  return (
    <form method="post" action={action} class="panel" data-testid="rule-form">
      <CsrfField ui={ui} />
      {props.revision !== undefined && <input type="hidden" name="revision" value={String(props.revision)} />}
      {fields}
      <p>
        <button type="submit" data-testid="save-rule">
          {props.mode === 'create' ? 'Create rule' : 'Save rule'}
        </button>{' '}
        <a href="/ui/rules" class="button secondary">
          Cancel
        </a>
      </p>
    </form>
  );
}

function valuesOf(rule: Rule): Values {
  return {
    id: rule.id,
    description: rule.description,
    match_type: rule.match_type,
    match_string: rule.match_string ?? '',
    trap_oid: rule.trap_oid ?? '',
    syslog_severity: rule.syslog_severity === null ? '' : String(rule.syslog_severity),
    priority: String(rule.priority),
    prod_handling: rule.prod_handling,
    dev_handling: rule.dev_handling,
    team_assignment: rule.team_assignment,
  };
}

function formValues(c: Context<UiEnv>): { values: Values; active: boolean } {
  const values: Values = {};
  for (const f of RULE_FIELDS) values[f] = field(c, f);
  return { values, active: field(c, 'is_active') === 'true' };
}

/** The rule body a form describes (blank optional fields are absent/null, so defaults apply). */
export function ruleBody(v: Values, active: boolean): Record<string, unknown> {
  return {
    ...(v.id ? { id: v.id } : {}),
    description: v.description ?? '',
    match_type: v.match_type || 'contains',
    match_string: v.match_string || null,
    trap_oid: v.trap_oid || null,
    syslog_severity: v.syslog_severity === '' || v.syslog_severity === undefined ? null : v.syslog_severity,
    ...(v.priority ? { priority: v.priority } : {}),
    prod_handling: v.prod_handling,
    dev_handling: v.dev_handling,
    team_assignment: v.team_assignment,
    is_active: active,
  };
}

function formPage(
  c: Context<UiEnv>,
  mode: 'create' | 'edit',
  values: Values,
  active: boolean,
  errors: FieldErrors,
  status: 200 | 400 | 409 = 200,
  revision?: number,
  rule?: Rule,
) {
  const ui = uiOf(c);
  const title = mode === 'create' ? 'New rule' : `Rule ${values.id}`;
  return renderPage(
    c,
    { title, nav: 'rules', status },
    <>
      <p class="small">
        <a href="/ui/rules">← Rules</a>
      </p>
      <h1>{title}</h1>
      {rule && (
        <p class="subtitle">
          Created {utc(rule.created_at)} by {rule.created_by ?? '—'} · changed {utc(rule.updated_at)} by {rule.updated_by ?? '—'} · revision{' '}
          {revision} · <a href={withQuery('/ui/audit/config', {}, { kind: 'rule', id: values.id })}>change history</a>
        </p>
      )}
      <RuleForm ui={ui} values={values} active={active} errors={errors} mode={mode} revision={revision} />
    </>,
  );
}

export function ruleRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  const rules = deps.services.rules;
  const admin = requireAdmin();

  app.get('/ui/rules', (c) => {
    const done = c.req.query('done');
    const id = c.req.query('id') ?? '';
    const flash: Flash | null = done && DONE[done] ? { kind: 'ok', text: DONE[done](id) } : null;
    return listPage(c, deps, { filters: filtersOf(c), flash });
  });

  app.post('/ui/rules/test', async (c) => {
    const values: Values = {};
    for (const f of TEST_FIELDS) values[f] = f === 'message' ? rawField(c, f) : field(c, f);
    const filters = filtersOf(c);
    try {
      const result = await deps.services.ruleTester.test({
        message: values.message,
        host: values.host || 'unknown',
        severity: values.severity || null,
        trap_oid: values.trap_oid || null,
      });
      return listPage(c, deps, { filters, tester: { values, errors: {}, result } });
    } catch (err) {
      return listPage(c, deps, { filters, tester: { values, errors: fieldErrors(err, TEST_FIELDS) } }, 400);
    }
  });

  app.get('/ui/rules/new', admin, (c) => formPage(c, 'create', { priority: '100' }, true, {}));

  app.post('/ui/rules/new', admin, async (c) => {
    const { values, active } = formValues(c);
    try {
      const { rule } = await rules.create(ruleBody(values, active), changeOf(c));
      return c.redirect(withQuery('/ui/rules', {}, { done: 'created', id: rule.id }), 303);
    } catch (err) {
      const errors = fieldErrors(err, RULE_FIELDS);
      return formPage(c, 'create', values, active, errors, err instanceof ServiceError && err.reason === 'exists' ? 409 : 400);
    }
  });

  app.get('/ui/rules/:id/edit', async (c) => {
    const { rule, revision } = await rules.get(c.req.param('id'));
    return formPage(c, 'edit', valuesOf(rule), rule.is_active, {}, 200, revision, rule);
  });

  app.post('/ui/rules/:id/edit', admin, async (c) => {
    const id = c.req.param('id');
    const { values, active } = formValues(c);
    values.id = id;
    const revision = revisionField(c);
    try {
      await rules.replace(id, ruleBody(values, active), changeOf(c, { ifMatch: revision }));
      return c.redirect(withQuery('/ui/rules', {}, { done: 'updated', id }), 303);
    } catch (err) {
      const errors = fieldErrors(err, RULE_FIELDS);
      const current = await rules.get(id).catch(() => null);
      const conflict = err instanceof ServiceError && err.reason === 'revision_mismatch';
      return formPage(
        c,
        'edit',
        values,
        active,
        errors,
        conflict ? 409 : 400,
        conflict ? revision : (current?.revision ?? revision),
        current?.rule,
      );
    }
  });

  app.post('/ui/rules/:id/priority', admin, async (c) => {
    const id = c.req.param('id');
    const priority = field(c, 'priority');
    try {
      await rules.patch(id, { priority: priority === '' ? 'missing' : priority }, changeOf(c));
      return c.redirect(withQuery('/ui/rules', {}, { done: 'priority', id }), 303);
    } catch (err) {
      const errors = fieldErrors(err, ['priority']);
      return listPage(
        c,
        deps,
        {
          filters: {},
          flash: { kind: 'error', text: `Priority of '${id}' not changed.` },
          rowErrors: { [id]: (errors.priority ?? errors[''] ?? []).join(' ') },
        },
        err instanceof ServiceError && err.reason === 'not_found' ? 404 : 400,
      );
    }
  });

  app.post('/ui/rules/:id/active', admin, async (c) => {
    const id = c.req.param('id');
    const active = field(c, 'active') === 'true';
    await rules.setActive(id, active, changeOf(c));
    return c.redirect(withQuery('/ui/rules', {}, { done: active ? 'enabled' : 'disabled', id }), 303);
  });

  app.post('/ui/rules/:id/delete', admin, async (c) => {
    const id = c.req.param('id');
    await rules.remove(id, changeOf(c));
    return c.redirect(withQuery('/ui/rules', {}, { done: 'deleted', id }), 303);
  });
}
