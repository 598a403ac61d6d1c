// The typed per-request variables every gateway middleware may set or read, so `c.get('correlationId')` is a
// string and not `unknown`. Sub-apps declare `new Hono<GatewayEnv>()`.
//   const app = new Hono<GatewayEnv>(); app.use(correlationId()); app.get('/x', (c) => c.text(c.get('correlationId')))

import type { ApiPrincipal } from '../auth/keys.ts';

/** 'legacy' renders errors in v2.5's `{status:"error", message, correlation_id}` shape, 'api' as `{error, issues?}`. */
export type ErrorStyle = 'api' | 'legacy';

export type GatewayVariables = {
  correlationId: string;
  errorStyle: ErrorStyle;
  /** The API key that authenticated this request (its name and scopes, never the secret). */
  principal: ApiPrincipal;
  /** The request body, read once under the body limit (see bodyLimit). */
  rawBody: Uint8Array;
};

export type GatewayEnv = { Variables: GatewayVariables };

/** The peer's socket address under @hono/node-server; undefined under app.request() or other runtimes. */
export function remoteAddress(c: { env: unknown }): string | undefined {
  const env = c.env as
    { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.server?.incoming?.socket?.remoteAddress;
}
