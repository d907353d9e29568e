import type { FastifyInstance } from 'fastify';

/**
 * Graceful close: a request still running when the app closes finishes, and its answer carries
 * `Connection: close`, so the client's keep-alive socket ends with it. Without this, Node's
 * `server.close()` only closes the sockets idle at the moment it is called; one that was busy (a
 * Twilio callback arriving during shutdown) stays open until Fastify's 72 s keep-alive timeout, and
 * close waits for it (seen: test servers taking over 60 s to close after a callback).
 */
export function drainOnClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
