// The gateway exactly as `mutt gateway` assembles it (tests/helpers/gateway-fixture.ts) with real API keys;
// requests go to the served app in-process (app.request).
// Management answers are checked against their declared schemas (validateResponses), so docs cannot drift.
//   const f = await apiFixture(); const r = await f.call('GET', '/api/v2/rules'); ...; await f.close()

import type { FailureThrottle } from '../../gateway/auth/throttle.ts';
import { apiKeysEnv, gatewayFixture, type GatewayFixture } from '../helpers/gateway-fixture.ts';

export const KEYS = {
  admin: 'admin-secret-0123456789abcdef',
  read: 'read-secret-0123456789abcdefgh',
  ingest: 'ingest-secret-0123456789abcdef',
} as const;

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface ApiFixture extends GatewayFixture {
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
}

export const API_KEYS_ENV = apiKeysEnv(KEYS);

export async function apiFixture(opts: { regexTimeoutMs?: number; authThrottle?: FailureThrottle } = {}): Promise<ApiFixture> {
  const g = await gatewayFixture({
    keys: KEYS,
    instance: 'api-test',
    gateway: {
      regexTimeoutMs: opts.regexTimeoutMs ?? 2000,
      authThrottle: opts.authThrottle,
      countersFlushMs: 50,
      validateResponses: true,
      commit: 'abc123',
    },
  });
  return {
    ...g,
    async call(method, path, o = {}) {
      const headers = new Headers(o.headers ?? {});
      const key = o.key === undefined ? KEYS.admin : o.key;
      if (key !== null && !headers.has('authorization')) headers.set('X-API-Key', key);
      let body: string | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
      }
      const res = await g.app.request(path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
  };
}

/** A valid rule body. */
export function rule(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    match_type: 'contains',
    match_string: `${id}-needle`,
    prod_handling: 'page_and_ticket',
    dev_handling: 'ticket_only',
    team_assignment: 'NETO',
    ...extra,
  };
}
