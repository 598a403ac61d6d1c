// What the web UI is built from: the management services (it calls them directly, never its own HTTP API),
// the gateway's API key store and failure throttle (sign-in is checked like an API request), the session
// manager, and the process's logger and metrics registry.
//   uiRoutes({ services, auth, sessions, registry, log, authThrottle })

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ApiKeyStore } from '../auth/store.ts';
import type { FailureThrottle } from '../auth/throttle.ts';
import type { ManagementServices } from '../services/index.ts';
import type { DashboardFeed } from './dashboard/feed.ts';
import type { SessionManager } from './session/sessions.ts';

export interface UiDeps {
  services: ManagementServices;
  auth: ApiKeyStore;
  sessions: SessionManager;
  registry: Registry;
  log: Logger;
  /** Share the API's throttle so failed sign-ins and failed API calls add up per address. */
  authThrottle?: FailureThrottle;
  /** Largest form body (default 1 MiB: a bulk host import). */
  bodyLimitBytes?: number;
  /** Dashboard push interval over SSE (default 2000 ms). */
  pushEveryMs?: number;
  /** Shared dashboard computation (made from `services` when absent). */
  feed?: DashboardFeed;
}
