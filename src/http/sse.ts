import type { FastifyReply } from 'fastify';

/** An open `text/event-stream` response, written one frame at a time. */
export interface EventStream {
  /**
   * Writes one frame, `id: {id}` (when given) and `data: {selector} {json}`. Returns false once the
   * client has more than the stream's `maxBuffered` bytes unread: a slow consumer, to be cut off.
   */
  send(selector: string, json: string, id?: number): boolean;
  /** Writes a frame made by `sseFrame` (one frame sent to many streams is encoded once); same answer as `send`. */
  write(frame: Buffer): boolean;
  /** Ends the response (the client's EventSource sees the stream close). */
  end(): void;
  readonly closed: boolean;
  /** Called once, when the response ends for whatever reason (client gone, `end`, server closing). */
  onClose(listener: () => void): void;
}

const SELECTOR = /^[^\s@]+(?:@[^\s@]+)?$/;

/**
 * One frame's bytes: `id: {id}` (when given) and one `data: {selector} {json}` line. Refuses what the
 * clients would choke on (see openEventStream) instead of sending it broken.
 */
export function sseFrame(selector: string, json: string, id?: number): Buffer {
  if (!SELECTOR.test(selector)) throw new Error(`Not a server-events selector: ${JSON.stringify(selector)}`);
  if (/[\r\n]/.test(json)) throw new Error('A server-events body must be one line of JSON');
  if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) throw new Error(`A server-events id must be a positive integer, got ${id}`);
  return Buffer.from(`${id === undefined ? '' : `id: ${id}\n`}data: ${selector} ${json}\n\n`);
}

/**
 * Takes the reply over and opens an event stream on it: the one place that writes SSE (style habit
 * 14). Frames follow ServiceStack's `CreateFrame` (server-events.md §1.3): exactly `id:` (optional)
 * and one `data:` line, never `event:`, `retry:` or `:` comment lines, which the C# client turns into
 * errors. Ids must be decimal integers (the C# client `long.Parse`s them outside its try/catch) and
 * data one line (the npm client splits a payload at its first newline outside a browser): both are
 * refused here rather than sent broken. Headers already set on the reply (CORS) are kept.
 *
 * @example
 * const stream = openEventStream(reply, 1 << 20); stream.send('cmd.onConnect', JSON.stringify(info));
 */
export function openEventStream(reply: FastifyReply, maxBuffered: number): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  // A frame is a few hundred bytes; Nagle would hold it for the previous frame's ACK.
  raw.socket?.setNoDelay(true);
  raw.flushHeaders();
  let closed = false;
  const listeners: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    for (const listener of listeners.splice(0)) listener();
  };
  raw.on('close', close);
  raw.on('error', close);
  return {
    send(selector, json, id) {
      return this.write(sseFrame(selector, json, id));
    },
    write(frame) {
      if (closed) return false;
      raw.write(frame);
      return raw.writableLength <= maxBuffered;
    },
    end() {
      if (!closed) raw.end();
      close();
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
}
