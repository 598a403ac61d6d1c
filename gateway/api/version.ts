// API versions: /api/v2 is current; /api/v1 (v2.5's routes) is kept as a deprecated alias until LEGACY_SUNSET,
// every answer carrying Deprecation / Sunset / Link (successor) / X-API-Deprecated. GET /api/v2/version (and
// v1's /api/v1/version, public as in v2.5) says which MUTT build answers: version, commit, API versions.
//   api.route({ ..., deprecated: v1Deprecation('/api/v2/rules') }, handler)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { VERSION } from '../../actors/runtime/process.ts';
import { LEGACY_SUNSET } from '../ingest/routes.ts';
import type { ApiRouter } from './route.ts';

export const API_VERSIONS = [
  { version: 'v2', status: 'current', base: '/api/v2', released: '2026-01-01', sunset: null },
  { version: 'v1', status: 'deprecated', base: '/api/v1', released: '2024-01-01', sunset: new Date(LEGACY_SUNSET).toISOString() },
] as const;

export function v1Deprecation(successor: string) {
  return { sunset: LEGACY_SUNSET, successor };
}

/** The commit this checkout is at (read from .git without running git), or null outside a checkout. */
export function gitCommit(dir = process.cwd()): string | null {
  try {
    const head = readFileSync(join(dir, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const ref = head.slice(5);
    try {
      return readFileSync(join(dir, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(dir, '.git', 'packed-refs'), 'utf8');
      return (
        packed
          .split('\n')
          .find((l) => l.endsWith(` ${ref}`))
          ?.split(' ')[0] ?? null
      );
    }
  } catch {
    return null;
  }
}

const ApiVersionEntry = z.object({
  version: z.string(),
  status: z.enum(['current', 'deprecated']),
  base: z.string(),
  released: z.string(),
  sunset: z.string().nullable().describe('ISO 8601: when the version stops being served.'),
});

export const VersionInfo = z
  .object({
    version: z.string().describe('MUTT version (package.json).'),
    commit: z.string().nullable().describe('Source commit, when known.'),
    api_versions: z.array(ApiVersionEntry),
    current_version: z.string().describe('v2.5 field: the current API version.'),
    default_version: z.string().describe('v2.5 field.'),
    supported_versions: z.array(z.string()).describe('v2.5 field.'),
  })
  .meta({ id: 'VersionInfo' });

export function versionRoutes(api: ApiRouter, opts: { commit?: string | null }): void {
  const commit = opts.commit === undefined ? gitCommit() : opts.commit;
  const body = {
    version: VERSION,
    commit,
    api_versions: API_VERSIONS.map((v) => ({ ...v })),
    current_version: 'v2',
    default_version: 'v2',
    supported_versions: API_VERSIONS.map((v) => v.version),
  };
  const example = { ...body, commit: '0123456789abcdef0123456789abcdef01234567' };
  api.route(
    {
      method: 'get',
      path: '/api/v2/version',
      operationId: 'getVersion',
      tag: 'version',
      scope: null,
      summary: 'MUTT version, commit and API versions',
      description: 'Public: no API key needed.',
      responses: { 200: { description: 'Version information.', schema: VersionInfo, example } },
    },
    () => ({ status: 200, body }),
  );
  api.route(
    {
      method: 'get',
      path: '/api/v1/version',
      operationId: 'getVersionV1',
      tag: 'version',
      scope: null,
      summary: 'Version information (v1 alias of GET /api/v2/version)',
      deprecated: v1Deprecation('/api/v2/version'),
      responses: { 200: { description: 'Version information.', schema: VersionInfo, example } },
    },
    () => ({ status: 200, body }),
  );
}
