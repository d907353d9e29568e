import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, ERROR_CODES, type ErrorCode } from './errors.js';
import { formatOf } from './register-operations.js';
import { sendError } from './render.js';

/** Fastify's own 4xx (bad JSON, body too large, bad URL) mapped onto stable codes. */
function codeForStatus(status: number): ErrorCode {
  const found = (Object.entries(ERROR_CODES) as [ErrorCode, number][]).find(
    ([code, s]) => s === status && !['SerializationException', 'ValidationException', 'NotImplementedException'].includes(code),
  );
  return found ? found[0] : 'BadRequest';
}

/**
 * The one place errors become responses (style habit 8): ApiErrors and Fastify's 4xx pass their
 * message through; anything else is logged with the request and answered with a generic 500.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request: FastifyRequest, reply) => {
    const format = formatOf(request);
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return sendError(reply, format, error.status, error.code, {
        errorCode: error.code,
        message: error.message,
        errors: [...error.fieldErrors],
        ...(error.meta ? { meta: { ...error.meta } } : {}),
      });
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = codeForStatus(status === 415 ? 400 : status);
      return sendError(reply, format, ERROR_CODES[code], code, { errorCode: code, message: error.message, errors: [] });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, format, 500, 'InternalServerError', {
      errorCode: 'InternalServerError',
      message: 'An unexpected error occurred; it has been logged.',
      errors: [],
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, formatOf(request), 404, 'NotFound', {
      errorCode: 'NotFound',
      message: `Handler for Request not found: ${request.method} ${request.url.split('?')[0]}`,
      errors: [],
    }),
  );
}
