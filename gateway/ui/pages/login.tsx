// Signing in and out. The login form posts an API key (never in a URL); the key is checked against the
// gateway's key store exactly like an API request (same failure throttle, same failure metric), and a key
// with the read or admin scope gets a new session (a fresh token every time: no session fixation). The form
// itself carries a double-submit token (cookie `mutt_login` = hidden field) because no session exists yet.
// Logout ends the session in the store (every replica, with the KV backend) and clears the cookie.
//   GET /ui/login  POST /ui/login {key, _csrf, next}  POST /ui/logout {_csrf}

import type { Context, Hono } from 'hono';
import { grants } from '../../auth/keys.ts';
import { authFailures } from '../../auth/metrics.ts';
import { FailureThrottle } from '../../auth/throttle.ts';
import { remoteAddress } from '../../middleware/context.ts';
import type { UiEnv } from '../env.ts';
import { field } from '../form.ts';
import type { UiDeps } from '../deps.ts';
import { FlashBox, renderPage, type Flash } from '../render.tsx';
import { clearLoginCookie, clearSessionCookie, loginToken, sessionToken, setLoginCookie, setSessionCookie } from '../session/cookie.ts';
import { CSRF_FIELD, currentPrincipal, safeNext } from '../session/middleware.ts';
import { newToken, sameSecret, SESSION_TOKEN } from '../session/sessions.ts';

function LoginForm(props: { token: string; next: string; flash?: Flash | null }) {
  return (
    <div class="login-wrap">
      <h1>MUTT</h1>
      <p class="subtitle">
        Sign in with an API key that has the <code>read</code> or <code>admin</code> scope.
      </p>
      <FlashBox flash={props.flash} />
      <form method="post" action="/ui/login" class="panel" autocomplete="off">
        <input type="hidden" name={CSRF_FIELD} value={props.token} />
        <input type="hidden" name="next" value={props.next} />
        <div class="field">
          <label for="f-key">API key</label>
          <input type="password" id="f-key" name="key" required autofocus autocomplete="off" spellcheck={false} />
          <span class="hint">The key is checked once and never stored in the browser: the session cookie is a random token.</span>
        </div>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </div>
  );
}

export function loginRoutes(app: Hono<UiEnv>, deps: UiDeps): void {
  const throttle = deps.authThrottle ?? new FailureThrottle();
  const failures = authFailures(deps.registry);

  const show = (c: Context<UiEnv>, flash: Flash | null, status: 200 | 401 | 403 | 429 = 200) => {
    const token = newToken();
    setLoginCookie(c, token);
    return renderPage(
      c,
      { title: 'Sign in', nav: 'login', status },
      <LoginForm token={token} next={safeNext(c.req.query('next') ?? field(c, 'next'))} flash={flash} />,
    );
  };

  app.get('/ui/login', async (c) => {
    const existing = await deps.sessions.get(sessionToken(c)).catch(() => null);
    if (existing && currentPrincipal(deps.auth, existing.principal)) return c.redirect(safeNext(c.req.query('next')), 303);
    const flash: Flash | null =
      c.req.query('bye') !== undefined
        ? { kind: 'ok', text: 'You are signed out.' }
        : c.req.query('expired') !== undefined
          ? { kind: 'warn', text: 'Your session ended; sign in again.' }
          : null;
    return show(c, flash);
  });

  app.post('/ui/login', async (c) => {
    const cookie = loginToken(c);
    if (!cookie || !sameSecret(field(c, CSRF_FIELD), cookie)) {
      return show(c, { kind: 'error', text: 'The sign-in form expired (or cookies are blocked). Please try again.' }, 403);
    }
    const address = remoteAddress(c) ?? 'unknown';
    const state = throttle.check(address);
    if (state.blocked) {
      failures.inc({ reason: 'throttled' });
      c.header('Retry-After', String(state.retryAfterSeconds));
      return show(
        c,
        { kind: 'error', text: `Too many failed attempts from your address; try again in ${state.retryAfterSeconds} s.` },
        429,
      );
    }
    const key = field(c, 'key');
    const principal = key ? deps.auth.verify(key) : null;
    if (!principal) {
      if (key) throttle.fail(address);
      failures.inc({ reason: key ? 'invalid' : 'missing' });
      deps.log.warn({ address, reason: key ? 'invalid' : 'missing', correlationId: c.get('correlationId') }, 'UI sign-in refused');
      return show(c, { kind: 'error', text: key ? 'That API key is not valid.' : 'Enter an API key.' }, 401);
    }
    if (!grants(principal.scopes, 'read')) {
      failures.inc({ reason: 'scope' });
      deps.log.warn({ address, key: principal.name, reason: 'scope' }, 'UI sign-in refused');
      return show(c, { kind: 'error', text: `Key '${principal.name}' may only ingest events; the UI needs the read or admin scope.` }, 403);
    }
    const old = sessionToken(c);
    if (old && SESSION_TOKEN.test(old)) await deps.sessions.destroy(old).catch(() => undefined);
    const { token } = await deps.sessions.create(principal);
    setSessionCookie(c, token);
    clearLoginCookie(c);
    deps.log.info({ key: principal.name, scopes: principal.scopes, address, correlationId: c.get('correlationId') }, 'UI sign-in');
    return c.redirect(safeNext(field(c, 'next')), 303);
  });

  // Reached only with a live session and a valid CSRF token (see index.ts).
  app.post('/ui/logout', async (c) => {
    await deps.sessions.destroyId(c.get('session').id);
    clearSessionCookie(c);
    deps.log.info({ key: c.get('principal').name, correlationId: c.get('correlationId') }, 'UI sign-out');
    return c.redirect('/ui/login?bye', 303);
  });
}
