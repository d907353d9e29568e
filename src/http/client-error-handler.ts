import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ErrorResponse } from '../model/response-status.js';
import { writeJson } from '../wire/json-writer.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';

/** What Node's parser failed on (`err.code`) → the registry's code; anything else is a 400. */
const PARSER_ERRORS: Readonly<Record<string, { code: ErrorCode; message: string }>> = {
  HPE_HEADER_OVERFLOW: { code: 'RequestHeaderFieldsTooLarge', message: 'The request line and headers are over 16 KiB' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'RequestTimeout', message: 'The request did not arrive in time' },
};
const MALFORMED = { code: 'BadRequest', message: 'The request is not valid HTTP/1.1' } as const;

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (Fastify's own answer is
 * its JSON shape, sends a body to a HEAD, and closes without saying so): a ServiceStack
 * ResponseStatus, `Connection: close` so a keep-alive client does not reuse the socket, and no
 * body for a HEAD (a body there is read as the next response and corrupts the connection).
 *
 * The method is read from the bytes the parser was given: the parser exposes it only once the
 * headers are complete, which is what failed. Node reads loopback and LAN requests of this size
 * in one chunk; when the request line came in an earlier chunk, the HEAD still gets
 * `Connection: close`, so at worst the body is dropped with the socket.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = function (
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
  this.log.debug({ err: error }, 'refused by the HTTP parser');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = writeJson(ErrorResponse, { responseStatus: { errorCode: code, message, errors: [] } });
  // Node hands the chunk as a Buffer (Fastify's type says otherwise).
  const raw: unknown = (error as { rawPacket?: unknown }).rawPacket;
  const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${ERROR_CODES[code]} ${code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n` +
      (head ? '' : body),
  );
  // A client still sending (the rest of an oversized header block) must not keep the socket open.
  socket.destroySoon();
};
