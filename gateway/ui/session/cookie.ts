// The UI's cookies: `mutt_session` (the session token; HttpOnly, SameSite=Strict, Path=/ui, Secure when the
// request came over TLS, directly or through a proxy saying `X-Forwarded-Proto: https`; no Max-Age, so it ends
// with the browser) and `mutt_login` (the login form's double-submit CSRF token, before any session exists).
//   setSessionCookie(c, token); getCookie(c, SESSION_COOKIE); clearSessionCookie(c)

import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'mutt_session';
export const LOGIN_COOKIE = 'mutt_login';
export const COOKIE_PATH = '/ui';

/** True when the browser reached us over TLS (our own listener or a TLS-terminating proxy). */
export function isSecureRequest(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === 'https';
  return new URL(c.req.url).protocol === 'https:';
}

/** The origin the browser used: scheme from X-Forwarded-Proto, host from X-Forwarded-Host or Host. */
export function requestOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host') || url.host;
  return `${isSecureRequest(c) ? 'https' : 'http'}://${host}`;
}

export function sessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { path: COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
}

export function loginToken(c: Context): string | undefined {
  return getCookie(c, LOGIN_COOKIE);
}

export function setLoginCookie(c: Context, token: string): void {
  setCookie(c, LOGIN_COOKIE, token, {
    path: `${COOKIE_PATH}/login`,
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecureRequest(c),
    maxAge: 3600,
  });
}

export function clearLoginCookie(c: Context): void {
  deleteCookie(c, LOGIN_COOKIE, { path: `${COOKIE_PATH}/login`, httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c) });
}
