// The OpenAPI 3.1 document of the gateway (ingest, management API, and the web UI's form posts marked
// `x-mutt-internal`), built from the same zod schemas the routes validate with (zod 4's z.toJSONSchema: JSON
// Schema 2020-12, which OpenAPI 3.1 uses as is). Each route registers an OperationSpec (gateway/api/route.ts);
// named schemas (`.meta({ id })`) become components. The document is what /api/v2/openapi.json serves, what
// /api/v2/docs renders, and what docs/API.md is generated from.
//   const reg = new OpenApiRegistry(); reg.add({ method: 'get', path: '/api/v2/rules/:id', ... }); reg.document(info)

import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type Scope = 'read' | 'admin' | 'ingest';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  example?: unknown;
  headers?: Record<string, string>;
}

export interface HeaderParam {
  name: string;
  description: string;
  required?: boolean;
  example?: string;
}

export interface BodySpec {
  schema: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  description?: string;
  required?: boolean;
  example?: unknown;
  /** Other accepted content types, with a description and example each (e.g. text/csv). */
  alternatives?: readonly { contentType: string; description: string; example: string }[];
}

export interface OperationSpec {
  method: HttpMethod;
  /** Hono-style path: '/api/v2/rules/:id'. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Scope the API key needs; null for public routes. */
  scope: Scope | null;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: readonly HeaderParam[];
  body?: BodySpec;
  responses: Record<number, ResponseSpec>;
  /** v1 aliases: deprecated, with the route that replaces them. */
  deprecated?: { sunset: string; successor: string };
  /** A web UI form post (set by the 'ui' router): session cookie and CSRF token, answers HTML; not public API. */
  ui?: boolean;
}

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: ApiInfo;
  servers: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  deprecated?: boolean;
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema; example?: unknown }> };
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, { description: string; schema: JsonSchema }>;
      content?: Record<string, { schema: JsonSchema; example?: unknown }>;
    }
  >;
  security?: Record<string, string[]>[];
  'x-mutt-scope'?: Scope | null;
  'x-mutt-internal'?: boolean;
  'x-mutt-sunset'?: string;
  'x-mutt-successor'?: string;
}

export const ErrorBody = z
  .object({
    error: z.string().describe('What went wrong, in one sentence.'),
    issues: z
      .array(z.object({ path: z.string().describe('Field (dotted path; "" for the whole input).'), message: z.string() }))
      .optional()
      .describe('One entry per offending field.'),
  })
  .loose()
  .meta({ id: 'Error', description: 'Every 4xx/5xx answer of the API.' });

/** OpenAPI path template from a Hono path. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

export class OpenApiRegistry {
  readonly operations: OperationSpec[] = [];
  private readonly tagDescriptions = new Map<string, string>();

  add(op: OperationSpec): void {
    if (this.operations.some((o) => o.method === op.method && o.path === op.path))
      throw new Error(`route registered twice: ${op.method.toUpperCase()} ${op.path}`);
    if (this.operations.some((o) => o.operationId === op.operationId)) throw new Error(`operationId used twice: ${op.operationId}`);
    this.operations.push(op);
  }

  describeTag(name: string, description: string): void {
    this.tagDescriptions.set(name, description);
  }

  document(info: ApiInfo): OpenApiDocument {
    const components: Record<string, JsonSchema> = {};
    // Named schemas land in components; those seen as request input are suffixed 'Input' (defaults make them differ).
    const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
      const {
        $schema: _s,
        $defs = {},
        ...rest
      } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & {
        $defs?: Record<string, JsonSchema>;
      };
      const suffix = io === 'input' ? 'Input' : '';
      // Refs point into components; zod's safe-integer bounds on every int say nothing to a reader.
      const fix = (v: unknown): JsonSchema =>
        JSON.parse(
          JSON.stringify(v)
            .replace(/"#\/\$defs\/([^"]+)"/g, (_m, id: string) => JSON.stringify(`#/components/schemas/${id}${suffix}`))
            .replace(/,?"(minimum|maximum)":-?9007199254740991/g, '')
            .replace(/\{,/g, '{'),
        );
      for (const [id, def] of Object.entries($defs)) components[id + suffix] = fix(def);
      return fix(rest);
    };

    const paths: OpenApiDocument['paths'] = {};
    const tags = new Set<string>();
    const ordered = [...this.operations].sort(
      (a, b) =>
        Number(!!a.deprecated) - Number(!!b.deprecated) ||
        a.path.localeCompare(b.path) ||
        METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method),
    );
    for (const op of ordered) {
      tags.add(op.tag);
      const parameters: OpenApiParameter[] = [];
      const fromObject = (obj: z.ZodObject | undefined, where: 'path' | 'query') => {
        for (const [name, field] of Object.entries(obj?.shape ?? {})) {
          const f = field as z.ZodType;
          const schema = convert(f, 'input');
          const { description, ...bare } = schema;
          const p: OpenApiParameter = { name, in: where, required: where === 'path' || !f.safeParse(undefined).success, schema: bare };
          if (typeof description === 'string') p.description = description;
          parameters.push(p);
        }
      };
      fromObject(op.params, 'path');
      fromObject(op.query, 'query');
      for (const h of op.headers ?? [])
        parameters.push({
          name: h.name,
          in: 'header',
          required: h.required ?? false,
          description: h.description,
          schema: { type: 'string' },
          ...(h.example ? { example: h.example } : {}),
        });

      const responses: OpenApiOperation['responses'] = {};
      for (const [status, r] of Object.entries(withStandardErrors(op))) {
        const entry: OpenApiOperation['responses'][string] = { description: r.description };
        if (r.headers)
          entry.headers = Object.fromEntries(
            Object.entries(r.headers).map(([k, d]) => [k, { description: d, schema: { type: 'string' } }]),
          );
        if (r.schema)
          entry.content = {
            [r.contentType ?? 'application/json']: {
              schema: convert(r.schema, 'output'),
              ...(r.example !== undefined ? { example: r.example } : {}),
            },
          };
        responses[status] = entry;
      }
      const operation: OpenApiOperation = {
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        tags: [op.tag],
        ...(op.deprecated ? { deprecated: true, 'x-mutt-sunset': op.deprecated.sunset, 'x-mutt-successor': op.deprecated.successor } : {}),
        ...(parameters.length ? { parameters } : {}),
        responses,
        security: op.ui ? [{ SessionCookie: [] }] : op.scope ? [{ ApiKeyHeader: [] }, { BearerKey: [] }] : [],
        'x-mutt-scope': op.scope,
        ...(op.ui ? { 'x-mutt-internal': true } : {}),
      };
      if (op.body) {
        const content: Record<string, { schema: JsonSchema; example?: unknown }> = {
          [op.body.contentType ?? 'application/json']: {
            schema: convert(op.body.schema, 'input'),
            ...(op.body.example !== undefined ? { example: op.body.example } : {}),
          },
        };
        for (const alt of op.body.alternatives ?? [])
          content[alt.contentType] = { schema: { type: 'string', description: alt.description }, example: alt.example };
        operation.requestBody = {
          required: op.body.required ?? true,
          ...(op.body.description ? { description: op.body.description } : {}),
          content,
        };
      }
      (paths[openApiPath(op.path)] ??= {})[op.method] = operation;
    }
    return {
      openapi: '3.1.0',
      info: { ...info },
      servers: [{ url: '/' }],
      tags: [...tags]
        .sort()
        .map((name) => ({ name, ...(this.tagDescriptions.has(name) ? { description: this.tagDescriptions.get(name) } : {}) })),
      paths,
      components: {
        schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
        securitySchemes: {
          ApiKeyHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'An API key (`read` scope for GET, `admin` for writes). Never in a query string.',
          },
          BearerKey: { type: 'http', scheme: 'bearer', description: 'The same API key as `Authorization: Bearer <key>`.' },
          SessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'mutt_session',
            description: 'A web UI session (sign in at /ui/login with an API key); every form post also carries its CSRF token `_csrf`.',
          },
        },
      },
    };
  }
}

const METHOD_ORDER: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** The error answers every route of a kind can give, added so each operation documents them. */
function withStandardErrors(op: OperationSpec): Record<number, ResponseSpec> {
  if (op.ui) return withUiErrors(op);
  const err = (description: string): ResponseSpec => ({ description, schema: ErrorBody });
  const out: Record<number, ResponseSpec> = Object.fromEntries(
    Object.entries(op.responses).map(([status, r]) => [status, Number(status) >= 400 && !r.schema ? { ...r, schema: ErrorBody } : r]),
  );
  if ((op.params || op.query || op.body || op.headers?.some((h) => h.name === 'If-Match')) && !out[400])
    out[400] = err('Invalid input: `issues` names each offending field.');
  if (op.scope) {
    out[401] ??= err('No API key, or an unknown one.');
    out[403] ??= err(`The key lacks the \`${op.scope}\` scope.`);
    out[429] ??= { ...err('Too many failed authentications from this address.'), headers: { 'Retry-After': 'Seconds to wait.' } };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

/** A UI form post answers pages, not JSON: no session is a redirect to the sign-in page, refusals are 403 pages. */
function withUiErrors(op: OperationSpec): Record<number, ResponseSpec> {
  const page = (description: string): ResponseSpec => ({ description, schema: z.string(), contentType: 'text/html' });
  const out: Record<number, ResponseSpec> = { ...op.responses };
  if (!op.path.endsWith('/login')) out[303] ??= { description: 'Done (to the next page), or no live session (to /ui/login).' };
  out[403] ??= page(
    `A cross-site post or a missing CSRF token${op.scope === 'admin' ? ', or a read-only key (writes need the `admin` scope)' : ''}.`,
  );
  out[413] ??= page('The form is over the body limit.');
  out[415] ??= page('Not a form (application/x-www-form-urlencoded).');
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}
