// Dead letters: counts by stage and reason, the entries (oldest first, filtered by stage / reason / since,
// paged by sequence), one entry with its original payload decoded (JSON when it decodes, else base64; shown
// as text), replay one or every match, purge one (confirmed in place) or every match (a confirmation page that
// says how many). Operations go through the DLQ service, which writes the config-audit record.
//   GET /ui/dlq  GET /ui/dlq/:seq  POST /ui/dlq/:seq/{replay,purge}  GET|POST /ui/dlq/purge  POST /ui/dlq/replay

import type { Context, Hono } from 'hono';
import { DlqReason } from '../../../protocol/messages.ts';
import type { StoredEntry } from '../../../actors/remediation/replay.ts';
import type { DlqPage, DlqQuery } from '../../services/dlq.ts';
import type { UiDeps } from '../deps.ts';
import type { UiEnv } from '../env.ts';
import { ErrorBanner, describeFailure, type Failure } from '../errors.tsx';
import { changeOf, field } from '../form.ts';
import { bytes, count, datetimeLocal, parseTime, prettyJson, truncate, utc } from '../format.ts';
import {
  Badge,
  ConfirmButton,
  CsrfField,
  EmptyState,
  Field,
  FlashBox,
  Pager,
  PostButton,
  renderPage,
  uiOf,
  withQuery,
  type FieldErrors,
  type Flash,
  type Ui,
} from '../render.tsx';
import { requireAdmin } from '../session/middleware.ts';

const STAGE = /^[a-z0-9_-]{1,64}$/;
const REASONS = DlqReason.options;
const REASON_CLASS: Record<string, string> = {
  rejected: 'bad',
  poison: 'bad',
  undecodable: 'bad',
  schema_invalid: 'bad',
  retries_exhausted: 'warn',
  expired: 'warn',
  max_replays: 'warn',
};
const LIMITS = [25, 50, 100, 200] as const;

type Query = Record<string, string | undefined>;

interface Parsed {
  filter: Omit<DlqQuery, 'cursor' | 'limit'>;
  limit: number;
  cursor?: number;
  errors: FieldErrors;
  current: Query;
}

function parseFilter(q: Query): Parsed {
  const errors: FieldErrors = {};
  const filter: Parsed['filter'] = {};
  const stage = q.stage?.trim();
  if (stage) {
    if (STAGE.test(stage)) filter.stage = stage;
    else (errors.stage ??= []).push('a stage name: lower-case letters, digits, _ or -');
  }
  if (q.reason) {
    if ((REASONS as readonly string[]).includes(q.reason)) filter.reason = q.reason as DlqReason;
    else (errors.reason ??= []).push('unknown reason');
  }
  const since = parseTime(q.since);
  if (since === null) (errors.since ??= []).push('expected a date and time (UTC)');
  else if (since !== undefined) filter.since = since;
  const cursor = q.cursor && /^\d{1,15}$/.test(q.cursor) ? Number(q.cursor) : undefined;
  const limit = LIMITS.find((l) => String(l) === q.limit) ?? 50;
  return { filter, limit, cursor, errors, current: { stage: q.stage, reason: q.reason, since: q.since, limit: q.limit } };
}

function filterFields(f: Parsed['filter']): Record<string, string | undefined> {
  return { stage: f.stage, reason: f.reason, since: f.since === undefined ? undefined : String(f.since) };
}

/** The filter as hidden fields of a POST form (`dlq_reason`, since `reason` is the change reason of the audit). */
function postFields(f: Parsed['filter']): Record<string, string | undefined> {
  return { stage: f.stage, dlq_reason: f.reason, since: f.since === undefined ? undefined : String(f.since) };
}

function EntryRows(props: { ui: Ui; items: StoredEntry[] }) {
  const { ui } = props;
  return (
    <table data-testid="dlq-table">
      <thead>
        <tr>
          <th class="num">Seq</th>
          <th>Dead-lettered</th>
          <th>Stage</th>
          <th>Reason</th>
          <th class="num">Attempts</th>
          <th>Last error</th>
          <th>Original subject</th>
          <th class="num">Replays</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map(({ seq, time, entry: e }) => (
          <tr data-seq={String(seq)}>
            <td class="num">
              <a href={`/ui/dlq/${seq}`} data-testid={`show-${seq}`}>
                {seq}
              </a>
            </td>
            <td class="nowrap small">{utc(time)}</td>
            <td>{e.stage}</td>
            <td>
              <Badge cls={REASON_CLASS[e.reason]}>{e.reason.replace(/_/g, ' ')}</Badge>
              {e.status !== undefined && (
                <>
                  {' '}
                  <Badge cls="muted">HTTP {e.status}</Badge>
                </>
              )}
            </td>
            <td class="num">{e.attempts}</td>
            <td class="msg small">{truncate(e.lastError, 200)}</td>
            <td class="small mono wrap">{e.originalSubject}</td>
            <td class="num">{e.replays}</td>
            <td class="actions">
              <a class="button small secondary" href={`/ui/dlq/${seq}`}>
                Show
              </a>
              <PostButton ui={ui} action={`/ui/dlq/${seq}/replay`} label="Replay" testid={`replay-${seq}`} />
              <ConfirmButton ui={ui} action={`/ui/dlq/${seq}/purge`} label="Purge" testid={`purge-${seq}`}>
                Purge dead letter {seq}? It is deleted for good (the config audit keeps a summary).
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const DONE: Record<string, (c: Context<UiEnv>) => Flash> = {
  replayed: (c) => ({ kind: 'ok', text: `Dead letter ${c.req.query('seq') ?? ''} replayed to ${c.req.query('to') ?? 'its stream'}.` }),
  purged: (c) => ({ kind: 'ok', text: `Dead letter ${c.req.query('seq') ?? ''} purged.` }),
  'purged-many': (c) => ({ kind: 'ok', text: `${Number(c.req.query('n') ?? 0)} dead letters purged.` }),
  'replayed-many': (c) => {
    const failed = Number(c.req.query('failed') ?? 0);
    return {
      kind: failed ? 'warn' : 'ok',
      text: `${Number(c.req.query('n') ?? 0)} dead letters replayed${failed ? `, ${failed} could not be` : ''}.`,
    };
  },
};

async function listPage(c: Context<UiEnv>, deps: UiDeps) {
  const ui = uiOf(c);
  const p = parseFilter(c.req.query());
  const invalid = Object.keys(p.errors).length > 0;
  let page: DlqPage | null = null;
  let depth: { stage: string; reason: string; count: number }[] = [];
  let failure: Failure | null = null;
  try {
    depth = await deps.services.dlq.depth();
    if (!invalid) page = await deps.services.dlq.list({ ...p.filter, cursor: p.cursor, limit: p.limit });
  } catch (err) {
    failure = describeFailure(err);
  }
  const done = c.req.query('done');
  const filtered = Object.values(filterFields(p.filter)).some((v) => v !== undefined);
  const total = depth.reduce((a, d) => a + d.count, 0);
  return renderPage(
    c,
    { title: 'Dead letters', nav: 'dlq', status: invalid ? 400 : (failure?.status ?? 200) },
    <>
      <h1>Dead letters</h1>
      <p class="subtitle">
        Messages a stage gave up on, each with why. Replay sends one back to where it came from; remediation replays transient ones by
        itself.
      </p>
      <FlashBox flash={done && DONE[done] ? DONE[done](c) : null} />
      {failure && <ErrorBanner failure={failure} correlationId={c.get('correlationId')} />}
      {depth.length > 0 && (
        <div class="panel">
          <h2>
            By stage and reason <span class="muted small">({count(total)} in all)</span>
          </h2>
          <div class="toolbar">
            {depth.map((d) => (
              <a
                class="button small secondary"
                href={withQuery('/ui/dlq', {}, { stage: d.stage, reason: d.reason })}
              >{`${d.stage} · ${d.reason.replace(/_/g, ' ')}: ${count(d.count)}`}</a>
            ))}
          </div>
        </div>
      )}
      <form method="get" action="/ui/dlq" class="filters" role="search">
        <Field label="Stage" name="stage" errors={p.errors}>
          <input type="text" id="f-stage" name="stage" value={p.current.stage ?? ''} placeholder="forwarder" />
        </Field>
        <Field label="Reason" name="reason" errors={p.errors}>
          <select id="f-reason" name="reason">
            <option value="">any</option>
            {REASONS.map((r) => (
              <option value={r} selected={p.current.reason === r}>
                {r.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Failed since (UTC)" name="since" errors={p.errors}>
          <input
            type="datetime-local"
            id="f-since"
            name="since"
            value={
              typeof parseTime(p.current.since) === 'number' ? datetimeLocal(parseTime(p.current.since) as number) : (p.current.since ?? '')
            }
          />
        </Field>
        <Field label="Per page" name="limit">
          <select id="f-limit" name="limit">
            {LIMITS.map((l) => (
              <option value={String(l)} selected={String(l) === (p.current.limit ?? '50')}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="secondary">
          Filter
        </button>
        {filtered && (
          <a href="/ui/dlq" class="small">
            Clear
          </a>
        )}
      </form>
      {page && (
        <div class="panel">
          {page.items.length > 0 && ui.canWrite && (
            <div class="toolbar">
              <ConfirmButton
                ui={ui}
                action="/ui/dlq/replay"
                label={filtered ? 'Replay all matching' : 'Replay all'}
                fields={{ ...postFields(p.filter), limit: 1000 }}
                testid="replay-all"
              >
                Replay {page.total !== null ? count(page.total) : 'every matching'} dead letter(s), oldest first (at most 1,000)?
              </ConfirmButton>
              <a class="button small secondary" href={withQuery('/ui/dlq/purge', filterFields(p.filter), {})} data-testid="purge-matching">
                {filtered ? 'Purge matching…' : 'Purge all…'}
              </a>
            </div>
          )}
          {page.items.length === 0 ? (
            <EmptyState title={filtered || p.cursor ? 'No dead letters match these filters' : 'No dead letters'}>
              <p>{filtered ? 'Clear the filters to see every entry.' : 'Nothing is waiting for an operator.'}</p>
            </EmptyState>
          ) : (
            <EntryRows ui={ui} items={page.items} />
          )}
          <Pager
            newest={p.cursor !== undefined ? withQuery('/ui/dlq', p.current, {}) : null}
            next={page.nextCursor !== null ? withQuery('/ui/dlq', p.current, { cursor: page.nextCursor }) : null}
            info={`${page.items.length} shown${page.total !== null ? ` of ${count(page.total)}` : ''}, oldest first`}
          />
        </div>
      )}
    </>,
  );
}

async function entryPage(c: Context<UiEnv>, deps: UiDeps, seq: number) {
  const ui = uiOf(c);
  const e = await deps.services.dlq.show(seq);
  const d = e.entry;
  return renderPage(
    c,
    { title: `Dead letter ${seq}`, nav: 'dlq' },
    <>
      <p class="small">
        <a href="/ui/dlq">← Dead letters</a>
      </p>
      <h1>Dead letter {seq}</h1>
      <div class="toolbar">
        <PostButton ui={ui} action={`/ui/dlq/${seq}/replay`} label="Replay" cls="small" testid="replay" />
        <ConfirmButton ui={ui} action={`/ui/dlq/${seq}/purge`} label="Purge" testid="purge">
          Purge dead letter {seq}? It is deleted for good.
        </ConfirmButton>
      </div>
      <div class="grid cols-2">
        <div class="panel">
          <h2>Why</h2>
          <dl class="kv" data-testid="dlq-entry">
            <dt>Stage</dt>
            <dd>{d.stage}</dd>
            <dt>Reason</dt>
            <dd>
              <Badge cls={REASON_CLASS[d.reason]}>{d.reason.replace(/_/g, ' ')}</Badge>
            </dd>
            {d.status !== undefined && (
              <>
                <dt>HTTP status</dt>
                <dd>{d.status}</dd>
              </>
            )}
            <dt>Attempts</dt>
            <dd>{d.attempts}</dd>
            <dt>First error</dt>
            <dd class="wrap">{d.firstError}</dd>
            <dt>Last error</dt>
            <dd class="wrap">{d.lastError}</dd>
            {d.excerpt && (
              <>
                <dt>Response</dt>
                <dd class="wrap">
                  <code>{d.excerpt}</code>
                </dd>
              </>
            )}
            <dt>First failed</dt>
            <dd>{utc(d.firstSeenAt)}</dd>
            <dt>Last failed</dt>
            <dd>{utc(d.lastSeenAt)}</dd>
            <dt>Replays so far</dt>
            <dd>{d.replays}</dd>
          </dl>
        </div>
        <div class="panel">
          <h2>Where from</h2>
          <dl class="kv">
            <dt>Subject</dt>
            <dd class="mono wrap">{d.originalSubject}</dd>
            <dt>Stream</dt>
            <dd>
              {d.originalStream}
              {d.originalSeq !== undefined ? ` #${d.originalSeq}` : ''}
            </dd>
            <dt>Correlation id</dt>
            <dd class="mono">{d.correlationId ?? '—'}</dd>
            <dt>Stored in the DLQ</dt>
            <dd>
              {utc(e.time)} as <span class="mono">{e.subject}</span>
            </dd>
          </dl>
          {d.originalHeaders && Object.keys(d.originalHeaders).length > 0 && (
            <>
              <h3>Original headers</h3>
              <table>
                <tbody>
                  {Object.entries(d.originalHeaders).map(([k, v]) => (
                    <tr>
                      <td class="mono small">{k}</td>
                      <td class="mono small wrap">{v}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      </div>
      <div class="panel">
        <h2>
          Original payload{' '}
          <span class="muted small">
            ({e.payload.encoding === 'json' ? 'decoded' : 'not decodable, base64'}, {bytes(e.payload.bytes)})
          </span>
        </h2>
        <pre data-testid="dlq-payload">{e.payload.encoding === 'json' ? prettyJson(e.payload.value) : String(e.payload.value)}</pre>
      </div>
    </>,
  );
}

async function purgeConfirmPage(c: Context<UiEnv>, deps: UiDeps) {
  const ui = uiOf(c);
  const p = parseFilter(c.req.query());
  if (Object.keys(p.errors).length) return c.redirect('/ui/dlq', 303);
  const page = await deps.services.dlq.list({ ...p.filter, limit: 1 });
  const n = page.total;
  const what = [
    p.filter.stage && `stage ${p.filter.stage}`,
    p.filter.reason && `reason ${p.filter.reason}`,
    p.filter.since !== undefined && `failed since ${utc(p.filter.since)} UTC`,
  ]
    .filter(Boolean)
    .join(', ');
  return renderPage(
    c,
    { title: 'Purge dead letters', nav: 'dlq' },
    <>
      <p class="small">
        <a href={withQuery('/ui/dlq', filterFields(p.filter), {})}>← Dead letters</a>
      </p>
      <h1>Purge dead letters</h1>
      <div class="panel">
        {page.items.length === 0 ? (
          <EmptyState title="Nothing to purge">
            <p>No dead letter matches {what || 'at all'}.</p>
          </EmptyState>
        ) : (
          <>
            <p>
              This deletes <strong data-testid="purge-count">{n !== null ? count(n) : 'every'}</strong> dead letter(s){' '}
              {what ? (
                <>
                  matching <strong>{what}</strong>
                </>
              ) : (
                <strong>of every stage and reason</strong>
              )}{' '}
              for good. Replay them instead if they should still be delivered.
            </p>
            <form method="post" action="/ui/dlq/purge" class="inline">
              <CsrfField ui={ui} />
              {Object.entries(postFields(p.filter))
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => (
                  <input type="hidden" name={k} value={v} />
                ))}
              <input type="hidden" name="confirm" value="yes" />
              <input type="text" name="reason" placeholder="reason (kept in the audit)" aria-label="Reason" />
              <button type="submit" class="danger" data-testid="purge-confirm">
                Purge {n !== null ? count(n) : ''} dead letter(s)
              </button>
              <a href={withQuery('/ui/dlq', filterFields(p.filter), {})} class="button secondary">
                Cancel
              </a>
            </form>
          </>
        )}
      </div>
    </>,
  );
}

function formFilter(c: Context<UiEnv>): Parsed {
  return parseFilter({
    stage: field(c, 'stage') || undefined,
    reason: field(c, 'dlq_reason') || undefined,
    since: field(c, 'since') || undefined,
    limit: field(c, 'limit') || undefined,
  });
}

export function dlqRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  const dlq = deps.services.dlq;
  const admin = requireAdmin();

  app.get('/ui/dlq', (c) => listPage(c, deps));
  app.get('/ui/dlq/purge', admin, (c) => purgeConfirmPage(c, deps));

  app.post('/ui/dlq/purge', admin, async (c) => {
    const p = formFilter(c);
    if (field(c, 'confirm') !== 'yes' || Object.keys(p.errors).length)
      return c.redirect(withQuery('/ui/dlq/purge', filterFields(p.filter), {}), 303);
    const { purged } = await dlq.purge(p.filter, changeOf(c));
    return c.redirect(withQuery('/ui/dlq', {}, { done: 'purged-many', n: purged }), 303);
  });

  app.post('/ui/dlq/replay', admin, async (c) => {
    const p = formFilter(c);
    if (Object.keys(p.errors).length) return c.redirect('/ui/dlq', 303);
    const limit = Math.min(1000, Math.max(1, Number(field(c, 'limit')) || 100));
    const r = await dlq.replayMatching({ ...p.filter, limit }, changeOf(c));
    return c.redirect(withQuery('/ui/dlq', {}, { done: 'replayed-many', n: r.replayed.length, failed: r.failed.length }), 303);
  });

  app.get('/ui/dlq/:seq{[0-9]{1,15}}', (c) => entryPage(c, deps, Number(c.req.param('seq'))));

  app.post('/ui/dlq/:seq{[0-9]{1,15}}/replay', admin, async (c) => {
    const seq = Number(c.req.param('seq'));
    const r = await dlq.replay(seq, changeOf(c));
    return c.redirect(withQuery('/ui/dlq', {}, { done: 'replayed', seq, to: r.to.stream }), 303);
  });

  app.post('/ui/dlq/:seq{[0-9]{1,15}}/purge', admin, async (c) => {
    const seq = Number(c.req.param('seq'));
    await dlq.purgeOne(seq, changeOf(c));
    return c.redirect(withQuery('/ui/dlq', {}, { done: 'purged', seq }), 303);
  });
}
