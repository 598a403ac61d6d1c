// API-key authentication for any gateway route. The key comes from `X-API-Key` (v2.5 senders write X-API-KEY;
// header names are case-insensitive) or `Authorization: Bearer <key>`, never from a query string (URLs end up
// in proxy logs and browser history). Answers, rendered by http-error.ts:
//   401 {error:'missing API key'} | {error:'invalid API key'}      403 {error:"key 'x' lacks scope 'admin'"}
//   429 + Retry-After once an address has failed too often (FailureThrottle)
// Failures are counted in mutt_gateway_auth_failures_total{reason}; the presented key is never logged.
//   const auth = { store, registry, log, throttle: new FailureThrottle() }
//   app.use('/api/v2/rules/*', requireScope('admin', auth))      // c.get('principal') -> { name, scopes }

import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { httpError } from '../http-error.ts';
import { remoteAddress } from '../middleware/context.ts';
import { grants, type Scope } from './keys.ts';
import { authFailures, type AuthFailure } from './metrics.ts';
import type { ApiKeyStore } from './store.ts';
import { FailureThrottle } from './throttle.ts';

export interface AuthDeps {
  store: ApiKeyStore;
  registry: Registry;
  log?: Logger;
  /** Share one across all routes of a process; a private one is made when absent. */
  throttle?: FailureThrottle;
}

/** The key a request presents, or undefined. */
export function presentedKey(c: Context): string | undefined {
  const header = c.req.header('x-api-key');
  if (header !== undefined && header.trim() !== '') return header.trim();
  const authz = c.req.header('authorization');
  const m = authz ? /^Bearer\s+(\S+)\s*$/i.exec(authz) : null;
  return m ? m[1] : undefined;
}

export function requireScope(scope: Scope, deps: AuthDeps) {
  const throttle = deps.throttle ?? new FailureThrottle();
  const failures = authFailures(deps.registry);
  const refuse = (c: Context, reason: AuthFailure, address: string) => {
    failures.inc({ reason });
    deps.log?.warn({ reason, address, path: c.req.path, correlationId: c.get('correlationId') }, 'authentication refused');
  };
  return async function requireScope(c: Context, next: () => Promise<void>) {
    const address = remoteAddress(c) ?? 'unknown';
    const state = throttle.check(address);
    if (state.blocked) {
      refuse(c, 'throttled', address);
      throw httpError(429, {
        message: 'too many failed authentication attempts',
        legacyMessage: 'Too Many Requests - too many failed authentication attempts',
        headers: { 'Retry-After': String(state.retryAfterSeconds) },
        body: { retryAfterSeconds: state.retryAfterSeconds },
        legacy: { retry_after: state.retryAfterSeconds },
      });
    }
    const key = presentedKey(c);
    if (key === undefined) {
      refuse(c, 'missing', address);
      throw httpError(401, {
        message: 'missing API key',
        legacyMessage: 'Unauthorized',
        legacy: { error: 'missing API key' },
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const principal = deps.store.verify(key);
    if (!principal) {
      throttle.fail(address);
      refuse(c, 'invalid', address);
      throw httpError(401, {
        message: 'invalid API key',
        legacyMessage: 'Unauthorized',
        legacy: { error: 'invalid API key' },
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    if (!grants(principal.scopes, scope)) {
      refuse(c, 'scope', address);
      throw httpError(403, { message: `key '${principal.name}' lacks scope '${scope}'`, legacyMessage: 'Forbidden' });
    }
    c.set('principal', principal);
    await next();
  };
}

/**
 * One throttle for a whole app: `const guard = authGuard(deps); app.use('/api/v2/rules/*', guard('admin'))`.
 * Every middleware it makes shares the same FailureThrottle, so failures on any route add up.
 */
export function authGuard(deps: AuthDeps): (scope: Scope) => ReturnType<typeof requireScope> {
  const shared: AuthDeps = { ...deps, throttle: deps.throttle ?? new FailureThrottle() };
  return (scope) => requireScope(scope, shared);
}
