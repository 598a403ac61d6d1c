// Dynamic configuration: every key with its description, the actor that reads it, its default and current
// value; set (validated against the key's schema, the refusal shown beside the field) and reset to the
// default; and per key its stored history (KV revisions) and its config-audit records (who, when, why).
// Actors follow mutt_config by KV watch, so a change applies everywhere within a second.
//   GET /ui/config  GET /ui/config/:key  POST /ui/config/:key  POST /ui/config/:key/reset

import type { Context, Hono } from 'hono';
import type { ConfigEntry } from '../../services/config.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { ErrorBanner, describeFailure } from '../errors.tsx';
import { changeOf, field, fieldErrors } from '../form.ts';
import { utc, valueText } from '../format.ts';
import { Badge, CsrfField, FlashBox, PostButton, renderPage, uiOf, withQuery, type Flash, type Ui } from '../render.tsx';
import { requireAdmin } from '../session/middleware.ts';

/** The text an operator edits for a value: strings as they are, anything else as JSON. */
export function editText(v: unknown): string {
  return valueText(v);
}

/** A submitted text as the value to store, read the way the key's schema expects (JSON for arrays). */
export function formValue(entry: Pick<ConfigEntry, 'schema'>, text: string): unknown {
  const type = entry.schema.type;
  if (type === 'string' || type === 'boolean' || type === 'integer' || type === 'number') return text.trim();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function ValueInput(props: { entry: ConfigEntry; value: string; id: string }) {
  const { entry, value } = props;
  const s = entry.schema;
  const label = `Value of ${entry.key}`;
  if (s.type === 'boolean') {
    return (
      <select name="value" id={props.id} aria-label={label}>
        <option value="true" selected={value === 'true'}>
          true
        </option>
        <option value="false" selected={value === 'false'}>
          false
        </option>
      </select>
    );
  }
  if (Array.isArray(s.enum)) {
    return (
      <select name="value" id={props.id} aria-label={label}>
        {(s.enum as string[]).map((o) => (
          <option value={o} selected={value === o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  if (s.type === 'integer' || s.type === 'number') {
    return (
      <input
        type="number"
        name="value"
        id={props.id}
        value={value}
        min={s.minimum as number | undefined}
        max={s.maximum as number | undefined}
        step={s.type === 'integer' ? '1' : 'any'}
        aria-label={label}
      />
    );
  }
  return <input type="text" name="value" id={props.id} value={value} aria-label={label} />;
}

function constraint(entry: ConfigEntry): string {
  const s = entry.schema;
  if (s.type === 'integer' || s.type === 'number')
    return `${s.type === 'integer' ? 'whole number' : 'number'} ${s.minimum ?? '…'}–${s.maximum ?? '…'}`;
  if (Array.isArray(s.enum)) return `one of ${(s.enum as string[]).join(', ')}`;
  if (s.type === 'array')
    return `JSON array${s.minItems !== undefined ? ` of ${s.minItems}` : ''}${(s.items as { type?: string } | undefined)?.type ? ` ${(s.items as { type: string }).type}s` : ''}`;
  if (s.type === 'string') return `text${s.maxLength ? ` up to ${s.maxLength} characters` : ''}`;
  return String(s.type ?? 'value');
}

function SetForm(props: { ui: Ui; entry: ConfigEntry; value?: string; error?: string; from?: string }) {
  const { ui, entry } = props;
  if (!ui.canWrite) return null;
  return (
    <>
      <form method="post" action={`/ui/config/${entry.key}`} class="inline" data-testid={`set-${entry.key}`}>
        <CsrfField ui={ui} />
        {props.from && <input type="hidden" name="from" value={props.from} />}
        <ValueInput entry={entry} value={props.value ?? editText(entry.value)} id={`v-${entry.key}`} />
        <input type="text" name="reason" placeholder="reason" aria-label={`Reason for changing ${entry.key}`} class="narrow" />
        <button type="submit" class="small">
          Set
        </button>
      </form>
      {!entry.is_default && (
        <PostButton
          ui={ui}
          action={`/ui/config/${entry.key}/reset`}
          label="Reset"
          fields={props.from ? { from: props.from } : undefined}
          testid={`reset-${entry.key}`}
        />
      )}
      {props.error && (
        <div class="field-error" data-error-for={entry.key}>
          {props.error}
        </div>
      )}
    </>
  );
}

function CurrentValue(props: { entry: ConfigEntry }) {
  const e = props.entry;
  return (
    <>
      <code data-testid={`value-${e.key}`}>{editText(e.value)}</code>{' '}
      {e.is_default ? <Badge cls="muted">default</Badge> : <Badge cls="info">set</Badge>}
      {e.stored_error && <div class="field-error">Stored value ignored: {e.stored_error}</div>}
    </>
  );
}

interface ListState {
  flash?: Flash | null;
  rowError?: { key: string; value: string; error: string };
}

async function listPage(c: Context<UiEnv>, deps: UiDeps, state: ListState, status: 200 | 400 = 200) {
  const ui = uiOf(c);
  const entries = await deps.services.config.list();
  const byActor = new Map<string, ConfigEntry[]>();
  for (const e of entries) byActor.set(e.actor, [...(byActor.get(e.actor) ?? []), e]);
  return renderPage(
    c,
    { title: 'Configuration', nav: 'config', status },
    <>
      <h1>Configuration</h1>
      <p class="subtitle">
        Dynamic settings in KV <code>mutt_config</code>. A change reaches every actor within a second and is recorded in the config audit.
      </p>
      <FlashBox flash={state.flash} />
      {[...byActor].map(([actor, list]) => (
        <div class="panel">
          <h2>{actor}</h2>
          <table data-testid={`config-${actor}`} class="config-table">
            <colgroup>
              <col class="key" />
              <col class="default" />
              <col class="current" />
              {ui.canWrite && <col class="change" />}
              <col class="link" />
            </colgroup>
            <thead>
              <tr>
                <th>Key</th>
                <th>Default</th>
                <th>Current</th>
                {ui.canWrite && <th>Change</th>}
                <th></th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr id={e.key} data-key={e.key}>
                  <td>
                    <strong class="mono">{e.key}</strong>
                    <div class="muted small">{e.description}</div>
                    <div class="muted small">{constraint(e)}</div>
                  </td>
                  <td>
                    <code>{editText(e.default)}</code>
                  </td>
                  <td>
                    <CurrentValue entry={e} />
                  </td>
                  {ui.canWrite && (
                    <td class="nowrap">
                      <SetForm
                        ui={ui}
                        entry={e}
                        value={state.rowError?.key === e.key ? state.rowError.value : undefined}
                        error={state.rowError?.key === e.key ? state.rowError.error : undefined}
                      />
                    </td>
                  )}
                  <td>
                    <a href={`/ui/config/${e.key}`} class="small">
                      history
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>,
  );
}

async function keyPage(c: Context<UiEnv>, deps: UiDeps, key: string, state: ListState, status: 200 | 400 = 200) {
  const ui = uiOf(c);
  const entry = await deps.services.config.get(key);
  let history: Awaited<ReturnType<typeof deps.services.config.history>> = [];
  let audit: Awaited<ReturnType<typeof deps.services.configAudit.query>> | null = null;
  let failure = null;
  try {
    [history, audit] = await Promise.all([
      deps.services.config.history(key),
      deps.services.configAudit.query({ kind: 'config', id: key, order: 'desc', limit: 50 }),
    ]);
  } catch (err) {
    failure = describeFailure(err);
  }
  return renderPage(
    c,
    { title: entry.key, nav: 'config', status },
    <>
      <p class="small">
        <a href="/ui/config">← Configuration</a>
      </p>
      <h1 class="mono">{entry.key}</h1>
      <p class="subtitle">{entry.description}</p>
      <FlashBox flash={state.flash} />
      <div class="panel">
        <dl class="kv">
          <dt>Read by</dt>
          <dd>{entry.actor}</dd>
          <dt>Accepts</dt>
          <dd>{constraint(entry)}</dd>
          <dt>Default</dt>
          <dd>
            <code>{editText(entry.default)}</code>
          </dd>
          <dt>Current</dt>
          <dd>
            <CurrentValue entry={entry} />
          </dd>
          <dt>Last written</dt>
          <dd>{entry.updated_at ? `${utc(entry.updated_at)} (revision ${entry.revision})` : 'never (default in effect)'}</dd>
        </dl>
        {ui.canWrite && (
          <div class="toolbar">
            <SetForm ui={ui} entry={entry} from="detail" value={state.rowError?.value} error={state.rowError?.error} />
          </div>
        )}
      </div>
      {failure && <ErrorBanner failure={failure} />}
      <div class="grid cols-2">
        <div class="panel">
          <h2>Stored history</h2>
          {history.length === 0 ? (
            <p class="muted">Never set: the default has always applied.</p>
          ) : (
            <table data-testid="config-history">
              <thead>
                <tr>
                  <th>When</th>
                  <th class="num">Revision</th>
                  <th>Operation</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {[...history].reverse().map((h) => (
                  <tr>
                    <td class="nowrap">{utc(h.at)}</td>
                    <td class="num">{h.revision}</td>
                    <td>{h.operation === 'PUT' ? 'set' : 'reset'}</td>
                    <td>
                      <code>{h.operation === 'PUT' ? editText(h.value) : '(default)'}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div class="panel">
          <h2>Who changed it</h2>
          {audit && audit.items.length === 0 ? (
            <p class="muted">No audit records.</p>
          ) : (
            audit && (
              <table data-testid="config-key-audit">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Who</th>
                    <th>Change</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.items.map(({ record: r }) => (
                    <tr>
                      <td class="nowrap">{utc(r.at)}</td>
                      <td>{r.actor}</td>
                      <td>
                        <code>{editText((r.oldValue as { value?: unknown } | undefined)?.value ?? '(default)')}</code> →{' '}
                        <code>{editText((r.newValue as { value?: unknown } | undefined)?.value)}</code>{' '}
                        <Badge cls="muted">{r.operation}</Badge>
                      </td>
                      <td>{r.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          )}
        </div>
      </div>
    </>,
  );
}

const DONE: Record<string, (key: string) => string> = {
  set: (k) => `${k} changed. Every actor applies it within a second.`,
  reset: (k) => `${k} is back to its default.`,
};

export function configRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  const config = deps.services.config;
  const admin = requireAdmin();
  const flashOf = (c: Context<UiEnv>): Flash | null => {
    const done = c.req.query('done');
    return done && DONE[done] ? { kind: 'ok', text: DONE[done](c.req.query('key') ?? '') } : null;
  };
  const back = (c: Context<UiEnv>, key: string, done: string) =>
    c.redirect(
      field(c, 'from') === 'detail'
        ? withQuery(`/ui/config/${key}`, {}, { done, key })
        : `${withQuery('/ui/config', {}, { done, key })}#${key}`,
      303,
    );

  app.get('/ui/config', (c) => listPage(c, deps, { flash: flashOf(c) }));
  app.get('/ui/config/:key', (c) => keyPage(c, deps, c.req.param('key'), { flash: flashOf(c) }));

  app.post('/ui/config/:key', admin, async (c) => {
    const key = c.req.param('key');
    const entry = await config.get(key);
    const text = field(c, 'value');
    try {
      await config.set(key, formValue(entry, text), changeOf(c));
      return back(c, key, 'set');
    } catch (err) {
      const errors = fieldErrors(err, ['value']);
      const rowError = { key, value: text, error: [...(errors.value ?? []), ...(errors[''] ?? [])].join(' ') };
      const flash: Flash = { kind: 'error', text: `${key} not changed.` };
      return field(c, 'from') === 'detail' ? keyPage(c, deps, key, { flash, rowError }, 400) : listPage(c, deps, { flash, rowError }, 400);
    }
  });

  app.post('/ui/config/:key/reset', admin, async (c) => {
    const key = c.req.param('key');
    await config.reset(key, changeOf(c));
    return back(c, key, 'reset');
  });
}
