// The page frame and the small pieces every page is built from: layout with navigation and the signed-in key,
// CSRF field, POST buttons (write controls appear only for admin sessions), confirmations without script
// (<details>), fields with their validation errors beside them, flash messages, empty states, error banners,
// pagers. Everything goes through Hono JSX, which escapes text and attributes: event text stays inert.
//   return renderPage(c, { title: 'Rules', nav: 'rules' }, <RulesBody ui={uiOf(c)} … />)

import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child, PropsWithChildren } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { VERSION } from '../../actors/runtime/process.ts';
import type { ApiPrincipal } from '../auth/keys.ts';
import { assetUrl } from './assets/index.ts';
import type { UiEnv } from './env.ts';
import { CSRF_FIELD } from './session/middleware.ts';

export type NavKey = 'dashboard' | 'rules' | 'dev-hosts' | 'teams' | 'config' | 'events' | 'config-audit' | 'dlq' | 'login' | 'none';

const NAV: { key: NavKey; href: string; label: string }[] = [
  { key: 'dashboard', href: '/ui/', label: 'Dashboard' },
  { key: 'rules', href: '/ui/rules', label: 'Rules' },
  { key: 'dev-hosts', href: '/ui/dev-hosts', label: 'Dev hosts' },
  { key: 'teams', href: '/ui/teams', label: 'Device teams' },
  { key: 'config', href: '/ui/config', label: 'Config' },
  { key: 'events', href: '/ui/audit/events', label: 'Event audit' },
  { key: 'config-audit', href: '/ui/audit/config', label: 'Config audit' },
  { key: 'dlq', href: '/ui/dlq', label: 'Dead letters' },
];

/** What a page needs to know about who is looking. */
export interface Ui {
  principal: ApiPrincipal | null;
  canWrite: boolean;
  csrf: string;
}

export function uiOf(c: Context<UiEnv>): Ui {
  const session = c.get('session');
  return { principal: c.get('principal') ?? null, canWrite: c.get('canWrite') ?? false, csrf: session?.csrf ?? '' };
}

export interface PageOptions {
  title: string;
  nav: NavKey;
  status?: ContentfulStatusCode;
  scripts?: 'dashboard.js'[];
}

function Layout(props: PropsWithChildren<{ title: string; nav: NavKey; ui: Ui; scripts: string[] }>) {
  const { ui } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · MUTT`}</title>
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('styles.css')} />
        {props.scripts.map((s) => (
          <script src={s} defer></script>
        ))}
      </head>
      <body>
        {ui.principal && (
          <header class="top">
            <a class="brand" href="/ui/">
              MUTT<small>v{VERSION}</small>
            </a>
            <nav class="main" aria-label="Main">
              {NAV.map((n) => (
                <a href={n.href} class={n.key === props.nav ? 'active' : undefined} aria-current={n.key === props.nav ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
            <div class="who">
              <span data-testid="principal">
                {ui.principal.name} <span class={`badge ${ui.canWrite ? 'info' : 'muted'}`}>{ui.canWrite ? 'admin' : 'read-only'}</span>
              </span>
              <form method="post" action="/ui/logout">
                <CsrfField ui={ui} />
                <button type="submit" class="secondary small">
                  Log out
                </button>
              </form>
            </div>
          </header>
        )}
        <main>{props.children}</main>
        <footer>MUTT {VERSION} · times in UTC</footer>
      </body>
    </html>
  );
}

export function renderPage(c: Context<UiEnv>, opts: PageOptions, body: Child): Response | Promise<Response> {
  const ui = uiOf(c);
  const scripts = (opts.scripts ?? []).map((s) => assetUrl(s));
  const doc = (
    <Layout title={opts.title} nav={opts.nav} ui={ui} scripts={scripts}>
      {body}
    </Layout>
  );
  return c.html(html`<!DOCTYPE html>${doc}`, opts.status ?? 200);
}

export function CsrfField(props: { ui: Ui }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.ui.csrf} />;
}

type Hidden = Record<string, string | number | undefined>;

function HiddenFields(props: { fields?: Hidden }) {
  return (
    <>
      {Object.entries(props.fields ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => (
          <input type="hidden" name={k} value={String(v)} />
        ))}
    </>
  );
}

/** A one-button POST form (nothing for read-only sessions). */
export function PostButton(props: { ui: Ui; action: string; label: string; fields?: Hidden; cls?: string; testid?: string }) {
  if (!props.ui.canWrite) return null;
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField ui={props.ui} />
      <HiddenFields fields={props.fields} />
      <button type="submit" class={props.cls ?? 'small secondary'} data-testid={props.testid}>
        {props.label}
      </button>
    </form>
  );
}

/** A destructive action behind a second click: the summary opens a box with the question and the real button. */
export function ConfirmButton(
  props: PropsWithChildren<{ ui: Ui; action: string; label: string; confirmLabel?: string; fields?: Hidden; testid?: string }>,
) {
  if (!props.ui.canWrite) return null;
  return (
    <details class="confirm">
      <summary data-testid={props.testid}>{props.label}</summary>
      <div class="confirm-box">
        <p>{props.children}</p>
        <form method="post" action={props.action} class="inline">
          <CsrfField ui={props.ui} />
          <HiddenFields fields={props.fields} />
          <button type="submit" class="danger small" data-testid={props.testid ? `${props.testid}-confirm` : undefined}>
            {props.confirmLabel ?? props.label}
          </button>
        </form>
      </div>
    </details>
  );
}

export type FieldErrors = Record<string, string[]>;

/** A labelled form field with its hint and, when the last submit was refused, the reasons beside it. */
export function Field(props: PropsWithChildren<{ label: string; name: string; errors?: FieldErrors; hint?: string; cls?: string }>) {
  const errors = props.errors?.[props.name] ?? [];
  return (
    <div class={`field${errors.length ? ' has-error' : ''}${props.cls ? ` ${props.cls}` : ''}`}>
      <label for={`f-${props.name}`}>{props.label}</label>
      {props.children}
      {errors.map((e) => (
        <span class="field-error" data-error-for={props.name}>
          {e}
        </span>
      ))}
      {props.hint && <span class="hint">{props.hint}</span>}
    </div>
  );
}

export interface Flash {
  kind: 'ok' | 'error' | 'warn';
  text: string;
  details?: string[];
}

export function FlashBox(props: { flash?: Flash | null }) {
  const f = props.flash;
  if (!f) return null;
  return (
    <div class={`flash ${f.kind}`} role={f.kind === 'ok' ? 'status' : 'alert'} data-testid={`flash-${f.kind}`}>
      {f.text}
      {f.details && f.details.length > 0 && (
        <ul>
          {f.details.map((d) => (
            <li>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function EmptyState(props: PropsWithChildren<{ title: string }>) {
  return (
    <div class="empty-state" data-testid="empty-state">
      <strong>{props.title}</strong>
      {props.children}
    </div>
  );
}

export function Badge(props: PropsWithChildren<{ cls?: string }>) {
  return <span class={`badge ${props.cls ?? ''}`.trim()}>{props.children}</span>;
}

export function Pager(props: { newest?: string | null; next?: string | null; info?: string }) {
  if (!props.newest && !props.next && !props.info) return null;
  return (
    <div class="pager">
      {props.newest && (
        <a class="button secondary small" href={props.newest}>
          « First page
        </a>
      )}
      {props.next && (
        <a class="button secondary small" href={props.next} data-testid="next-page">
          Next page »
        </a>
      )}
      {props.info && <span class="muted small">{props.info}</span>}
    </div>
  );
}

/** A URL of the same page with some query parameters changed (undefined or '' removes one). */
export function withQuery(
  path: string,
  current: Record<string, string | undefined>,
  changes: Record<string, string | number | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...current, ...changes })) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
