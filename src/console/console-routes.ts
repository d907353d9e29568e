import type { FastifyInstance } from 'fastify';
import { consoleBundle } from './console-assets.js';
import { CONSOLE_STYLE } from './console-style.js';

/**
 * The shell every console view shares. It holds no data: the browser code asks `/auth/status` who
 * is signed in and draws the view the hash names (#/wallboard, #/live, #/sessions/ID, #/history,
 * #/my), so one URL serves every view and a reload keeps the view.
 */
const SHELL =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  '<title>Switchboard console</title><link rel="stylesheet" href="/console/app.css"></head>' +
  '<body><div id="app" aria-live="polite"><p class="loading">Loading…</p></div><script type="module" src="/console/app.js"></script></body></html>';

/** GET /console (the shell), /console/app.js (the bundled client), /console/app.css. */
export function registerConsoleRoutes(app: FastifyInstance): void {
  const script = consoleBundle();
  app.get('/console', async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'").send(SHELL),
  );
  app.get('/console/app.js', async (request, reply) => {
    const asset = await script();
    reply.header('etag', asset.etag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.header('content-type', 'text/javascript; charset=utf-8').send(asset.text);
  });
  app.get('/console/app.css', async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(CONSOLE_STYLE),
  );
}
