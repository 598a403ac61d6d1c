// The browser-facing guards of the web UI, each a named middleware:
//   sameOrigin()        a state-changing request must come from our own pages: Origin (or, without it,
//                        Sec-Fetch-Site) must say same-origin, else 403 — a cross-site form post never gets in
//   readForm(limit)     reads an urlencoded body once, under the body limit, into c.get('form')
//   requireSession(d)   the session cookie must name a live session whose API key still exists; the scopes are
//                        those the key still has. No session: a redirect to the login page (401 for the SSE stream)
//   csrfProtect()       every POST carries the session's CSRF token in `_csrf` (constant-time compare), else 403
//   requireAdmin()      write routes: the session's key must hold the admin scope, else 403
//   app.use('/ui/*', sameOrigin(), readForm(limit)); app.use('/ui/rules/*', requireSession(d), csrfProtect())

import type { Context, MiddlewareHandler } from 'hono';
import { grants, type ApiPrincipal, type Scope } from '../../auth/keys.ts';
import type { ApiKeyStore } from '../../auth/store.ts';
import { httpError } from '../../http-error.ts';
import { readBodyLimited } from '../../middleware/body-limit.ts';
import type { UiEnv } from '../env.ts';
import { clearSessionCookie, requestOrigin, sessionToken } from './cookie.ts';
import { sameSecret, type SessionManager } from './sessions.ts';

const SAFE = /^(GET|HEAD|OPTIONS)$/;
export const CSRF_FIELD = '_csrf';

export function sameOrigin(): MiddlewareHandler<UiEnv> {
  return async function sameOrigin(c, next) {
    if (SAFE.test(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      if (origin !== requestOrigin(c)) throw httpError(403, { message: 'cross-origin request refused' });
    } else {
      const site = c.req.header('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin') throw httpError(403, { message: 'cross-site request refused' });
    }
    await next();
  };
}

export function readForm(maxBytes: number): MiddlewareHandler<UiEnv> {
  return async function readForm(c, next) {
    if (SAFE.test(c.req.method)) return next();
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      throw httpError(415, { message: 'expected a form (application/x-www-form-urlencoded)' });
    const bytes = await readBodyLimited(c, maxBytes);
    c.set('form', new URLSearchParams(Buffer.from(bytes).toString('utf8')));
    await next();
  };
}

/**
 * The principal a session may act as now: its key must still have an active (unrevoked) secret of that name,
 * and it keeps only the scopes such a secret still grants. null when nothing is left that may read.
 */
export function currentPrincipal(store: ApiKeyStore, p: ApiPrincipal): ApiPrincipal | null {
  const active = store.list().filter((k) => k.name === p.name && k.revokedAt === undefined);
  if (active.length === 0) return null;
  const scopes = p.scopes.filter((s: Scope) => active.some((k) => k.scopes.includes(s)));
  return grants(scopes, 'read') ? { name: p.name, scopes } : null;
}

export interface SessionDeps {
  sessions: SessionManager;
  auth: ApiKeyStore;
}

function wantsEventStream(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/event-stream');
}

/** Where to go back to after logging in: only a path of the UI (never another site). */
export function safeNext(path: string | undefined | null): string {
  // Visible ASCII without a backslash, no '..' and no '//': stays a path of this site under /ui.
  return path && /^\/ui(\/[\x21-\x5b\x5d-\x7e]*)?$/.test(path) && !path.includes('..') && !path.includes('//') ? path : '/ui/';
}

export function requireSession(deps: SessionDeps): MiddlewareHandler<UiEnv> {
  return async function requireSession(c, next) {
    const token = sessionToken(c);
    const session = await deps.sessions.get(token);
    const principal = session ? currentPrincipal(deps.auth, session.principal) : null;
    if (!session || !principal) {
      if (session) await deps.sessions.destroyId(session.id).catch(() => undefined);
      if (token !== undefined) clearSessionCookie(c);
      if (wantsEventStream(c)) throw httpError(401, { message: 'session ended' });
      const url = new URL(c.req.url);
      const next = c.req.method === 'GET' ? url.pathname + url.search : '';
      return c.redirect(next && next !== '/ui/' ? `/ui/login?next=${encodeURIComponent(next)}` : '/ui/login', 303);
    }
    session.principal = principal;
    c.set('session', session);
    c.set('sessionToken', token!);
    c.set('principal', principal);
    c.set('canWrite', grants(principal.scopes, 'admin'));
    await next();
  };
}

export function csrfProtect(): MiddlewareHandler<UiEnv> {
  return async function csrfProtect(c, next) {
    if (SAFE.test(c.req.method)) return next();
    const given = c.get('form')?.get(CSRF_FIELD) ?? c.req.header('x-csrf-token') ?? '';
    if (!sameSecret(given, c.get('session').csrf))
      throw httpError(403, { message: 'missing or wrong CSRF token: reload the page and try again' });
    await next();
  };
}

export function requireAdmin(): MiddlewareHandler<UiEnv> {
  return async function requireAdmin(c, next) {
    if (!c.get('canWrite'))
      throw httpError(403, { message: `key '${c.get('principal').name}' is read-only: changes need the admin scope` });
    await next();
  };
}
