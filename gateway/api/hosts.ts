// /api/v2/dev-hosts (development hosts: their events get dev_handling) and /api/v2/teams (device → team map,
// used for unmatched events and meta-alerts): list, get, add, update, delete, and bulk import of a JSON array
// or CSV text (`hostname[,team]`, or `hostname[,note]` for development hosts) in merge or replace mode.
// Every write is audited (kinds 'host' and 'team'). v1 aliases as in v2.5: list, add, delete (and PUT for teams).
//   hostRoutes(api, services)

import { z } from 'zod';
import { HostName, TeamName } from '../../protocol/rules.ts';
import type { ManagementServices } from '../services/index.ts';
import { parseHostCsv, parseHostJson, type HostKind } from '../services/host-import.ts';
import type { HostMapService, HostRecord } from '../services/hosts.ts';
import type { JsonLimitError } from '../bounded-json.ts';
import { checkLineCount, HOST_IMPORT_BODY_LIMITS, HOST_IMPORT_MAX_CSV_LINES } from '../body-limits.ts';
import { limitExceeded } from '../middleware/body-limit.ts';
import { etag, IfMatchHeader, iso, limitParam, nullableIsoTime, ReasonHeader, Revision } from './common.ts';
import { parseJsonBody, type ApiRouter, type RouteInput } from './route.ts';
import { v1Deprecation } from './version.ts';

export const DevHostView = z
  .object({
    hostname: z.string(),
    note: z.string(),
    updated_at: nullableIsoTime,
    updated_by: z.string().nullable(),
    revision: Revision,
  })
  .meta({ id: 'DevHost', description: 'A development host: its events are handled with dev_handling.' });

export const TeamView = z
  .object({
    hostname: z.string(),
    team_assignment: z.string(),
    updated_at: nullableIsoTime,
    updated_by: z.string().nullable(),
    revision: Revision,
  })
  .meta({ id: 'DeviceTeam', description: 'The team that owns a device (for unmatched events and meta-alerts).' });

const ImportResult = z
  .object({
    mode: z.enum(['merge', 'replace']),
    created: z.array(z.string()),
    updated: z.array(z.string()),
    unchanged: z.number().int(),
    deleted: z.array(z.string()),
  })
  .meta({ id: 'HostImportResult' });

type Kind = HostKind;

interface KindSpec {
  base: string;
  tag: string;
  label: string;
  listKey: 'hosts' | 'teams';
  view: typeof DevHostView | typeof TeamView;
  create: z.ZodObject;
  update: z.ZodObject;
  messages: { created: string; updated: string; deleted: string };
  example: Record<string, unknown>;
  csv: string;
}

const reason = z.string().max(1000).optional().describe('Why (kept in the config audit).');

const SPECS: Record<Kind, KindSpec> = {
  dev: {
    base: 'dev-hosts',
    tag: 'dev-hosts',
    label: 'development host',
    listKey: 'hosts',
    view: DevHostView,
    create: z.object({ hostname: HostName, note: z.string().max(500).optional(), reason }),
    update: z.object({ note: z.string().max(500), hostname: HostName.optional().describe('Must be the same host, or omitted.'), reason }),
    messages: {
      created: 'Dev host added successfully',
      updated: 'Dev host updated successfully',
      deleted: 'Dev host deleted successfully',
    },
    example: {
      hostname: 'lab-sw1.example.com',
      note: 'lab rack 3',
      updated_at: '2026-01-05T09:30:00.000Z',
      updated_by: 'ops',
      revision: 3,
    },
    csv: 'hostname,note\nlab-sw1.example.com,lab rack 3\nlab-fw2\n',
  },
  team: {
    base: 'teams',
    tag: 'teams',
    label: 'device team mapping',
    listKey: 'teams',
    view: TeamView,
    create: z.object({ hostname: HostName, team_assignment: TeamName, reason }),
    update: z.object({ team_assignment: TeamName, hostname: HostName.optional().describe('Must be the same host, or omitted.'), reason }),
    messages: {
      created: 'Team mapping added successfully',
      updated: 'Team mapping updated successfully',
      deleted: 'Team mapping deleted successfully',
    },
    example: {
      hostname: 'core-sw1.example.com',
      team_assignment: 'NETO',
      updated_at: '2026-01-05T09:30:00.000Z',
      updated_by: 'ops',
      revision: 4,
    },
    csv: 'hostname,team\ncore-sw1.example.com,NETO\nedge-fw1,SECOPS\n',
  },
};

/** A host record as the API and `mutt hosts ls --json` show it. */
export function hostView(kind: Kind, r: HostRecord<Kind>): Record<string, unknown> {
  const v = r.value as { hostname: string; note?: string; team_assignment?: string; updated_at?: number; updated_by?: string };
  const common = { hostname: v.hostname, updated_at: iso(v.updated_at), updated_by: v.updated_by ?? null, revision: r.revision };
  return kind === 'dev' ? { ...common, note: v.note ?? '' } : { ...common, team_assignment: v.team_assignment };
}

const HostParam = z.object({ hostname: z.string().min(1).max(255).describe('Host name (case-insensitive).') });
/** The largest page: ~1.5 MB of JSON. v1 (v2.5 returned whole lists) gets it by default, so a v2.5 script sees
 *  every entry up to it and a `next_cursor` beyond. */
const MAX_PAGE = 10_000;
const listQuery = (defaultLimit: number) =>
  z.object({
    q: z.string().trim().min(1).max(255).optional().describe('Substring of the host name (or team).'),
    limit: limitParam(defaultLimit, MAX_PAGE),
    cursor: z.string().min(1).max(600).optional().describe('Continue after this host name: the `next_cursor` of the previous page.'),
  });
const ListQuery = listQuery(1000);
const ListQueryV1 = listQuery(MAX_PAGE);
const DeleteBody = z.object({ reason: z.string().max(1000).optional() });

export function hostRoutes(api: ApiRouter, s: ManagementServices): void {
  api.openapi.describeTag('dev-hosts', "Development hosts (KV mutt_hosts, dev.<host>): events from them get the rule's dev_handling.");
  api.openapi.describeTag(
    'teams',
    'Device teams (KV mutt_hosts, team.<host>): the team of unmatched events and meta-alerts from a device.',
  );
  kindRoutes(api, 'dev', () => s.devHosts);
  kindRoutes(api, 'team', () => s.teams);
}

function kindRoutes(api: ApiRouter, kind: Kind, service: () => HostMapService<Kind>): void {
  const k = SPECS[kind];
  const v2 = `/api/v2/${k.base}`;
  const v1 = `/api/v1/${k.base}`;
  const name = kind === 'dev' ? 'DevHost' : 'Team';
  const ListBody = z.object({
    [k.listKey]: z.array(k.view),
    total: z.number().int().describe('Entries matching `q` in the whole list (not only this page).'),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
  });
  const Written = z.object({ message: z.string(), [kind === 'dev' ? 'host' : 'team']: k.view, revision: Revision });
  const Deleted = z.object({ message: z.string(), hostname: z.string() });
  const itemKey = kind === 'dev' ? 'host' : 'team';

  const list = ({ query }: RouteInput<undefined, typeof ListQuery | typeof ListQueryV1, undefined>) => {
    const page = service().page({ q: query.q, limit: query.limit, cursor: query.cursor });
    return {
      status: 200 as const,
      body: { [k.listKey]: page.items.map((r) => hostView(kind, r)), total: page.total, next_cursor: page.next },
    };
  };
  const listSpec = {
    method: 'get',
    tag: k.tag,
    scope: 'read',
    query: ListQuery,
    responses: {
      200: {
        description: 'Sorted by host name (lower-cased), in pages.',
        schema: ListBody,
        example: { [k.listKey]: [k.example], total: 1, next_cursor: null },
      },
    },
  } as const;
  api.route({ ...listSpec, path: v2, operationId: `list${name}s`, summary: `List ${k.label}s` }, list);
  api.route(
    {
      ...listSpec,
      query: ListQueryV1,
      path: v1,
      operationId: `list${name}sV1`,
      summary: `List ${k.label}s (v1 alias)`,
      deprecated: v1Deprecation(v2),
    },
    list,
  );

  const written = (r: HostRecord<Kind>, message: string, status: 200 | 201) => ({
    status,
    headers: { ETag: etag(r.revision) },
    body: { message, [itemKey]: hostView(kind, r), revision: r.revision },
  });
  const create = async ({ body, change }: RouteInput<undefined, undefined, z.ZodObject>) => {
    const { reason: why, ...input } = body as Record<string, unknown>;
    return written(await service().add(input, change(why)), k.messages.created, 201);
  };
  const createExample =
    kind === 'dev'
      ? { hostname: 'lab-sw1.example.com', note: 'lab rack 3' }
      : { hostname: 'core-sw1.example.com', team_assignment: 'NETO' };
  const createSpec = {
    method: 'post',
    tag: k.tag,
    scope: 'admin',
    headers: [ReasonHeader],
    body: { schema: k.create, example: createExample },
    responses: {
      201: { description: 'Added.', schema: Written, example: { message: k.messages.created, [itemKey]: k.example, revision: 3 } },
      409: { description: 'The host is already listed.' },
    },
  } as const;
  api.route({ ...createSpec, path: v2, operationId: `add${name}`, summary: `Add a ${k.label}` }, create);
  api.route(
    { ...createSpec, path: v1, operationId: `add${name}V1`, summary: `Add a ${k.label} (v1 alias)`, deprecated: v1Deprecation(v2) },
    create,
  );

  const ImportQuery = z.object({
    mode: z.enum(['merge', 'replace']).default('merge').describe('merge: add and update; replace: also delete hosts not in the list.'),
    ...(kind === 'team' ? { team: TeamName.optional().describe('Team for CSV lines / JSON items without one.') } : {}),
  });
  api.route(
    {
      method: 'post',
      path: `${v2}/import`,
      operationId: `import${name}s`,
      tag: k.tag,
      scope: 'admin',
      headers: [ReasonHeader],
      query: ImportQuery,
      rawBody: true,
      summary: `Import ${k.label}s in bulk`,
      description: `A JSON array (host names, objects, or the body of GET ${v2}) or CSV text (Content-Type text/csv or text/plain): one \`${kind === 'dev' ? 'hostname[,note]' : 'hostname[,team]'}\` per line, '#' comments and an optional header line. Everything is validated first; one bad line writes nothing (400 naming each line). One audit record lists the changes.`,
      body: {
        schema: z.array(z.union([z.string(), k.create])),
        example:
          kind === 'dev'
            ? ['lab-sw1.example.com', { hostname: 'lab-fw2', note: 'spare' }]
            : [{ hostname: 'core-sw1.example.com', team_assignment: 'NETO' }, 'edge-fw1,SECOPS'],
        alternatives: [
          {
            contentType: 'text/csv',
            description: `One ${kind === 'dev' ? 'hostname[,note]' : 'hostname[,team]'} per line.`,
            example: k.csv,
          },
        ],
      },
      responses: {
        200: {
          description: 'What changed.',
          schema: ImportResult,
          example: { mode: 'merge', created: ['lab-sw1.example.com'], updated: [], unchanged: 4, deleted: [] },
        },
      },
    },
    async ({ query, raw, change }) => {
      const defaultTeam = (query as { team?: string }).team;
      let parsed;
      if (raw.contentType === 'text/csv' || raw.contentType === 'text/plain') {
        try {
          checkLineCount(raw.text, HOST_IMPORT_MAX_CSV_LINES);
        } catch (err) {
          throw limitExceeded(err as JsonLimitError, { message: `request body holds more than ${HOST_IMPORT_MAX_CSV_LINES} lines` });
        }
        parsed = parseHostCsv(kind, raw.text, defaultTeam);
      } else {
        const json = parseJsonBody(
          raw.text,
          HOST_IMPORT_BODY_LIMITS,
          raw.bytes,
          'request body is neither JSON nor CSV (send Content-Type: text/csv for CSV)',
        );
        parsed = parseHostJson(kind, json, defaultTeam);
      }
      return { status: 200, body: await service().import(parsed, query.mode, change()) };
    },
  );

  const getOne = async ({ params }: RouteInput<typeof HostParam, undefined, undefined>) => {
    const r = await service().get(params.hostname);
    return { status: 200 as const, headers: { ETag: etag(r.revision) }, body: hostView(kind, r) };
  };
  api.route(
    {
      method: 'get',
      path: `${v2}/:hostname`,
      operationId: `get${name}`,
      tag: k.tag,
      scope: 'read',
      params: HostParam,
      summary: `Get a ${k.label}`,
      responses: {
        200: { description: 'The entry; ETag = revision.', schema: k.view, example: k.example },
        404: { description: 'Not listed.' },
      },
    },
    getOne,
  );

  const update = async ({ params, body, change }: RouteInput<typeof HostParam, undefined, z.ZodObject>) => {
    const { reason: why, ...input } = body as Record<string, unknown>;
    return written(await service().update(params.hostname, input, change(why)), k.messages.updated, 200);
  };
  const updateSpec = {
    method: 'put',
    tag: k.tag,
    scope: 'admin',
    params: HostParam,
    headers: [IfMatchHeader, ReasonHeader],
    body: { schema: k.update, example: kind === 'dev' ? { note: 'moved to rack 4' } : { team_assignment: 'WAN' } },
    responses: {
      200: { description: 'Updated.', schema: Written, example: { message: k.messages.updated, [itemKey]: k.example, revision: 5 } },
      404: { description: 'Not listed.' },
      412: { description: 'If-Match is not the current revision.' },
    },
  } as const;
  api.route({ ...updateSpec, path: `${v2}/:hostname`, operationId: `update${name}`, summary: `Update a ${k.label}` }, update);
  if (kind === 'team')
    api.route(
      {
        ...updateSpec,
        path: `${v1}/:hostname`,
        operationId: `update${name}V1`,
        summary: `Update a ${k.label} (v1 alias)`,
        deprecated: v1Deprecation(`${v2}/{hostname}`),
      },
      update,
    );

  const remove = async ({ params, body, change }: RouteInput<typeof HostParam, undefined, typeof DeleteBody>) => {
    const r = await service().remove(params.hostname, change(body?.reason));
    return { status: 200 as const, body: { message: k.messages.deleted, hostname: r.value.hostname } };
  };
  const deleteSpec = {
    method: 'delete',
    tag: k.tag,
    scope: 'admin',
    params: HostParam,
    headers: [IfMatchHeader, ReasonHeader],
    body: { schema: DeleteBody, required: false, example: { reason: 'decommissioned' } },
    responses: {
      200: { description: 'Deleted.', schema: Deleted, example: { message: k.messages.deleted, hostname: String(k.example.hostname) } },
      404: { description: 'Not listed.' },
      412: { description: 'If-Match is not the current revision.' },
    },
  } as const;
  api.route({ ...deleteSpec, path: `${v2}/:hostname`, operationId: `delete${name}`, summary: `Delete a ${k.label}` }, remove);
  api.route(
    {
      ...deleteSpec,
      path: `${v1}/:hostname`,
      operationId: `delete${name}V1`,
      summary: `Delete a ${k.label} (v1 alias)`,
      deprecated: v1Deprecation(`${v2}/{hostname}`),
    },
    remove,
  );
}
