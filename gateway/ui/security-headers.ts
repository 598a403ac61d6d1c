// Response headers of every UI answer. The Content-Security-Policy admits only scripts, styles and connections
// from the gateway itself, so even an event text that slipped past escaping could not run (no inline script,
// no inline style, no foreign host); no framing (clickjacking), no sniffing, no referrer leaving the site, and
// pages are never cached (they show operational data to one session).
//   app.use('/ui/*', uiSecurityHeaders())

import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
  "base-uri 'none'; form-action 'self'; object-src 'none'";

export function uiSecurityHeaders(): MiddlewareHandler {
  return async function uiSecurityHeaders(c, next) {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'same-origin');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
