// Marks a route as deprecated in the response headers (RFC 9745 `Deprecation`, RFC 8594 `Sunset`, a `Link` to
// the successor) plus v2.5's own `X-API-Deprecated`, on every answer including errors.
//   app.post('/api/v1/ingest', deprecation({ sunset: 'Fri, 01 Jan 2027 00:00:00 GMT', successor: '/api/v2/events' }), ...)

import type { Context } from 'hono';

export function deprecation(opts: { sunset: string; successor: string }) {
  return async function deprecation(c: Context, next: () => Promise<void>) {
    c.header('Deprecation', 'true');
    c.header('Sunset', opts.sunset);
    c.header('X-API-Deprecated', 'true');
    c.header('Link', `<${opts.successor}>; rel="successor-version"`);
    await next();
  };
}
