// The typed per-request variables of the web UI: the gateway's own (correlation id, principal) plus the browser
// session, its effective principal and whether it may write, and the urlencoded form read once under the body
// limit (the CSRF check and the handler share it).
//   const app = new Hono<UiEnv>(); app.get('/ui/x', (c) => c.text(c.get('session').principal.name))

import type { GatewayVariables } from '../middleware/context.ts';
import type { Session } from './session/sessions.ts';

export type UiVariables = GatewayVariables & {
  session: Session;
  /** The session's cookie value (only to re-check it on long-lived requests such as the SSE stream). */
  sessionToken: string;
  /** True when the principal holds the admin scope: write controls are shown and write routes allowed. */
  canWrite: boolean;
  form: URLSearchParams;
};

export type UiEnv = { Variables: UiVariables };
