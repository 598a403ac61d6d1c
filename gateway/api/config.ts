// /api/v2/config: every dynamic configuration key with description, reading actor, default, current value,
// revision and value schema; get one; set (PUT, validated: an unknown key or a bad value is a 400 naming the
// constraint); reset to the default (DELETE); the key's stored history. Actors see a change within a second
// (KV watch) and each write is in the config audit. v1 aliases: GET /api/v1/config, PUT /api/v1/config/:key.
//   configRoutes(api, services)

import { z } from 'zod';
import type { ConfigEntry } from '../services/config.ts';
import type { ManagementServices } from '../services/index.ts';
import { etag, IfMatchHeader, iso, isoTime, nullableIsoTime, ReasonHeader } from './common.ts';
import type { ApiRouter, RouteInput } from './route.ts';
import { v1Deprecation } from './version.ts';

export const ConfigEntryView = z
  .object({
    key: z.string(),
    description: z.string(),
    actor: z.string().describe('The actor that reads the key.'),
    default: z.unknown(),
    value: z.unknown().describe('In effect: the stored value, or the default.'),
    is_default: z.boolean(),
    revision: z.number().int().nullable().describe('KV revision of the stored value; null when unset.'),
    updated_at: nullableIsoTime,
    stored_error: z.string().optional().describe('The stored value fails its schema (written around the API); actors ignore it.'),
    schema: z.record(z.string(), z.unknown()).describe('JSON Schema of accepted values.'),
  })
  .meta({ id: 'ConfigEntry' });

const ConfigList = z.object({
  config: z.record(z.string(), z.unknown()).describe('key → value in effect (v2.5 shape).'),
  keys: z.array(ConfigEntryView),
});

const ConfigWritten = z.object({
  key: z.string(),
  old_value: z.unknown().describe('The stored value before (null when unset).'),
  new_value: z.unknown(),
  revision: z.number().int().nullable(),
  message: z.string(),
});

const HistoryBody = z.object({
  key: z.string(),
  history: z
    .array(
      z.object({
        revision: z.number().int(),
        operation: z.enum(['PUT', 'DEL', 'PURGE']).describe('PUT = set, DEL = reset to default.'),
        at: isoTime,
        value: z.unknown().optional(),
      }),
    )
    .describe('Newest first, as many versions as the bucket keeps (20).'),
});

const KeyParam = z.object({ key: z.string().min(1).max(100).describe('Config key.') });
const SetBody = z.object({
  value: z
    .any()
    .refine((v) => v !== undefined, { message: "Missing 'value' in request body" })
    .describe('The new value (JSON; strings of numbers and booleans are accepted too).'),
  reason: z.string().max(1000).optional(),
});
const ResetBody = z.object({ reason: z.string().max(1000).optional() });

function revisionHeader(revision: number | null): Record<string, string> {
  return revision === null ? {} : { ETag: etag(revision) };
}

export function entryView(e: ConfigEntry): z.output<typeof ConfigEntryView> {
  const { updated_at, ...rest } = e;
  return { ...rest, updated_at: iso(updated_at) };
}

const example = {
  key: 'moog_rate_limit',
  description: 'Deliveries to Moogsoft per period, across all forwarders together.',
  actor: 'forwarder',
  default: 50,
  value: 100,
  is_default: false,
  revision: 12,
  updated_at: '2026-01-05T09:30:00.000Z',
  schema: { type: 'integer', minimum: 1, maximum: 1000000 },
};

export function configRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('config', 'Dynamic configuration (KV mutt_config): read by actors live, validated on write, audited.');
  const tag = 'config';

  const list = async () => {
    const keys = (await s.config.list()).map(entryView);
    return { status: 200 as const, body: { config: Object.fromEntries(keys.map((k) => [k.key, k.value])), keys } };
  };
  const listSpec = {
    method: 'get',
    tag,
    scope: 'read',
    responses: { 200: { description: 'Every key.', schema: ConfigList, example: { config: { moog_rate_limit: 100 }, keys: [example] } } },
  } as const;
  api.route({ ...listSpec, path: '/api/v2/config', operationId: 'listConfig', summary: 'List configuration keys and values' }, list);
  api.route(
    {
      ...listSpec,
      path: '/api/v1/config',
      operationId: 'listConfigV1',
      summary: 'List configuration (v1 alias)',
      deprecated: v1Deprecation('/api/v2/config'),
    },
    list,
  );

  api.route(
    {
      method: 'get',
      path: '/api/v2/config/:key',
      operationId: 'getConfig',
      tag,
      scope: 'read',
      params: KeyParam,
      summary: 'Get one configuration key',
      responses: {
        200: { description: 'The key; ETag = revision (when set).', schema: ConfigEntryView, example },
        404: { description: 'Unknown key.' },
      },
    },
    async ({ params }) => {
      const e = await s.config.get(params.key);
      return { status: 200, headers: revisionHeader(e.revision), body: entryView(e) };
    },
  );

  const set = async ({ params, body, change }: RouteInput<typeof KeyParam, undefined, typeof SetBody>) => {
    const r = await s.config.set(params.key, body.value, change(body.reason));
    return { status: 200 as const, headers: revisionHeader(r.revision), body: { ...r, message: 'Configuration updated' } };
  };
  const setSpec = {
    method: 'put',
    tag,
    scope: 'admin',
    params: KeyParam,
    headers: [IfMatchHeader, ReasonHeader],
    body: { schema: SetBody, example: { value: 100, reason: 'Moog capacity raised' } },
    responses: {
      200: {
        description: 'Stored; every actor applies it within a second.',
        schema: ConfigWritten,
        example: { key: 'moog_rate_limit', old_value: 50, new_value: 100, revision: 12, message: 'Configuration updated' },
      },
      412: { description: 'If-Match is not the current revision (0 = expected unset).' },
    },
  } as const;
  api.route(
    {
      ...setSpec,
      path: '/api/v2/config/:key',
      operationId: 'setConfig',
      summary: 'Set a configuration key',
      description: "An unknown key, or a value outside the key's schema, is a 400 naming the constraint.",
    },
    set,
  );
  api.route(
    {
      ...setSpec,
      path: '/api/v1/config/:key',
      operationId: 'setConfigV1',
      summary: 'Set a configuration key (v1 alias)',
      deprecated: v1Deprecation('/api/v2/config/{key}'),
    },
    set,
  );

  api.route(
    {
      method: 'delete',
      path: '/api/v2/config/:key',
      operationId: 'resetConfig',
      tag,
      scope: 'admin',
      params: KeyParam,
      headers: [IfMatchHeader, ReasonHeader],
      body: { schema: ResetBody, required: false, example: { reason: 'back to default after the outage' } },
      summary: 'Reset a configuration key to its default',
      responses: {
        200: {
          description: 'The stored value is deleted (history keeps it).',
          schema: ConfigWritten,
          example: { key: 'moog_rate_limit', old_value: 100, new_value: 50, revision: null, message: 'Configuration reset to default' },
        },
        404: { description: 'Unknown key.' },
        412: { description: 'If-Match is not the current revision.' },
      },
    },
    async ({ params, body, change }) => ({
      status: 200,
      body: { ...(await s.config.reset(params.key, change(body?.reason))), message: 'Configuration reset to default' },
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/v2/config/:key/history',
      operationId: 'configHistory',
      tag,
      scope: 'read',
      params: KeyParam,
      summary: 'Stored versions of a configuration key',
      description: 'From the KV history (who changed it and why is in GET /api/v2/audit/config?kind=config&id=<key>).',
      responses: {
        200: {
          description: 'Newest first.',
          schema: HistoryBody,
          example: {
            key: 'moog_rate_limit',
            history: [
              { revision: 12, operation: 'PUT', at: '2026-01-05T09:30:00.000Z', value: 100 },
              { revision: 9, operation: 'PUT', at: '2026-01-02T08:00:00.000Z', value: 80 },
            ],
          },
        },
        404: { description: 'Unknown key.' },
      },
    },
    async ({ params }) => {
      const history = (await s.config.history(params.key)).map((h) => ({
        revision: h.revision,
        operation: h.operation,
        at: iso(h.at),
        ...(h.operation === 'PUT' ? { value: h.value } : {}),
      }));
      return { status: 200, body: { key: params.key, history } };
    },
  );
}
