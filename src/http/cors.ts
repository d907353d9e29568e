import type { FastifyInstance } from 'fastify';

/**
 * CORS with credentials for a configured list of origins (server-events.md §2.5): a browser page on
 * another host may open the stream with `withCredentials` and call the API with `credentials:
 * 'include'`, cookies and all. Only an exact origin of the list is echoed back, never `*` (which
 * browsers refuse with credentials anyway); other origins get no CORS headers and the browser blocks.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (!origins.length) return;
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (!origin || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'content-type');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
  });
}
