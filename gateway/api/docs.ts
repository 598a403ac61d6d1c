// GET /api/v2/openapi.json (the OpenAPI 3.1 document of this API) and GET /api/v2/docs (the same rendered as a
// self-contained HTML page). Public: a browser cannot send an API key header, and the document holds no secret.
//   docsRoutes(api, () => document)

import { z } from 'zod';
import type { OpenApiDocument } from '../openapi/document.ts';
import { renderApiHtml } from '../openapi/html.ts';
import type { ApiRouter } from './route.ts';

export function docsRoutes(api: ApiRouter, document: () => OpenApiDocument): void {
  api.openapi.describeTag('docs', 'This reference.');
  let html: string | undefined;
  api.route(
    {
      method: 'get',
      path: '/api/v2/openapi.json',
      operationId: 'getOpenApi',
      tag: 'docs',
      scope: null,
      summary: 'The OpenAPI 3.1 document',
      responses: { 200: { description: 'OpenAPI 3.1 (JSON Schema 2020-12 schemas).', schema: z.record(z.string(), z.unknown()) } },
    },
    () => ({ status: 200, body: document() }),
  );
  api.route(
    {
      method: 'get',
      path: '/api/v2/docs',
      operationId: 'getApiDocs',
      tag: 'docs',
      scope: null,
      summary: 'Browsable API reference (HTML)',
      responses: { 200: { description: 'One HTML page, no external resources.', schema: z.string(), contentType: 'text/html' } },
    },
    ({ c }) => {
      html ??= renderApiHtml(document());
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
      return c.html(html);
    },
  );
}
