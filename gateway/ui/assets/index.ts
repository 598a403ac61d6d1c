// Every static asset of the UI, served by the gateway itself (no CDN: the CSP allows only 'self'):
// GET /ui/assets/<name>. Pages link them with `assetUrl(name)`, which appends a content hash so a new
// gateway version is never hidden behind a cached old script; answers carry an ETag and a day of caching.
//   app.route('/', assetRoutes()); <script src={assetUrl('dashboard.js')} />

import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { DASHBOARD_JS } from './dashboard.ts';
import { FAVICON_SVG } from './favicon.ts';
import { STYLES_CSS } from './styles.ts';

interface Asset {
  type: string;
  body: string;
  hash: string;
}

function asset(type: string, body: string): Asset {
  return { type, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}

export const ASSETS: Record<string, Asset> = {
  'styles.css': asset('text/css; charset=utf-8', STYLES_CSS),
  'dashboard.js': asset('text/javascript; charset=utf-8', DASHBOARD_JS),
  'favicon.svg': asset('image/svg+xml', FAVICON_SVG),
};

export type AssetName = keyof typeof ASSETS;

export function assetUrl(name: AssetName): string {
  return `/ui/assets/${name}?v=${ASSETS[name].hash}`;
}

export function assetRoutes(): Hono {
  const app = new Hono();
  app.get('/ui/assets/:name', (c) => {
    const a = Object.hasOwn(ASSETS, c.req.param('name')) ? ASSETS[c.req.param('name')] : undefined;
    if (!a) return c.text('not found', 404);
    const etag = `"${a.hash}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'public, max-age=86400');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    c.header('Content-Type', a.type);
    return c.body(a.body);
  });
  return app;
}
