import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { deferredChildLoggerFactory } from '../../src/http/deferred-request-logger.js';

function logger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { root: pino({ level }, stream), lines };
}

describe('request loggers', () => {
  it('write what is at or above the level with the request id, and nothing below it', async () => {
    const { root, lines } = logger('warn');
    const log = deferredChildLoggerFactory.call(undefined as never, root, { reqId: 'req-7' }, {}, undefined as never);
    log.info('incoming request');
    log.error({ err: new Error('boom') }, 'unhandled error');
    await new Promise((done) => setImmediate(done));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: 'req-7', msg: 'unhandled error', level: 50 });
    expect(log.level).toBe('warn');
  });

  it('honour a route log level below the server level', async () => {
    const { root, lines } = logger('warn');
    const log = deferredChildLoggerFactory.call(undefined as never, root, { reqId: 'req-8' }, { level: 'debug' }, undefined as never);
    log.debug('detail');
    await new Promise((done) => setImmediate(done));
    expect(lines).toEqual([expect.objectContaining({ reqId: 'req-8', msg: 'detail' })]);
  });
});
