// The UI's 404 page for any /ui path no route claims (registered last).
//   notFoundRoute(app)

import type { Hono } from 'hono';
import type { UiEnv } from '../env.ts';
import { EmptyState, renderPage } from '../render.tsx';

export function notFoundRoute(app: Hono<UiEnv>): void {
  app.all('/ui/*', (c) =>
    renderPage(
      c,
      { title: 'Not found', nav: 'none', status: 404 },
      <EmptyState title="There is no such page">
        <p>
          <a href="/ui/">Back to the dashboard</a>
        </p>
      </EmptyState>,
    ),
  );
}
