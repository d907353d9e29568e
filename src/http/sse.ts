import type { FastifyReply } from 'fastify';

/** An open `text/event-stream` response, written one frame (or one batch of frames) at a time. */
export interface EventStream {
  /**
   * Writes one frame, `id: {id}` (when given) and `data: {selector} {json}`. Returns false once the
   * client has more than the stream's `maxBuffered` bytes unread: a slow consumer, to be cut off.
   */
  send(selector: string, json: string, id?: number): boolean;
  /** Writes whole frames made once for many streams (`SseFrames`); same answer as `send`. */
  write(frames: SseFrames): boolean;
  /** Ends the response (the client's EventSource sees the stream close). */
  end(): void;
  readonly closed: boolean;
  /** Called once, when the response ends for whatever reason (client gone, `end`, server closing). */
  onClose(listener: () => void): void;
}

const CRLF = Buffer.from('\r\n');

/**
 * Whole frames (one or many, from `sseFrame`) to be written to many streams: the bytes, and the same
 * bytes as one HTTP/1.1 chunk, each made once. Written straight to the socket as a chunk, one change
 * to 1,000 subscribers costs 1,000 `write` calls and no copy; through `ServerResponse.write` each
 * also built a chunk header and corked the socket until the next tick (~40% of the fan-out's CPU
 * beside the system call itself, bench/stream.ts).
 */
export class SseFrames {
  private chunk?: Buffer;

  constructor(readonly bytes: Buffer) {}

  static of(frames: readonly Buffer[]): SseFrames {
    if (frames.length === 1) return new SseFrames(frames[0]!);
    const bytes = Buffer.allocUnsafeSlow(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const frame of frames) at += frame.copy(bytes, at);
    return new SseFrames(bytes);
  }

  /** `{length in hex}\r\n{bytes}\r\n`: the chunked transfer coding (RFC 9112 §7.1). */
  chunked(): Buffer {
    if (!this.chunk) {
      const head = `${this.bytes.length.toString(16)}\r\n`;
      // Unpooled, as sseFrame's (see unpooled).
      const chunk = Buffer.allocUnsafeSlow(head.length + this.bytes.length + CRLF.length);
      chunk.write(head, 0, 'latin1');
      this.bytes.copy(chunk, head.length);
      CRLF.copy(chunk, head.length + this.bytes.length);
      this.chunk = chunk;
    }
    return this.chunk;
  }
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
  return unpooled(`${id === undefined ? '' : `id: ${id}\n`}data: ${selector} ${json}\n\n`);
}

/**
 * A buffer of its own, not a slice of Buffer's shared 8 KB pool. Measured (bench/stream-memory.ts, 1,000
 * idle subscribers): with frames from the pool, external memory grew 12.8 KB per subscriber (a slice
 * that outlives its write pins its whole pool); unpooled, it does not grow. Frames are made once per
 * change and channel, so the slower allocation does not count.
 */
function unpooled(text: string): Buffer {
  const buffer = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  buffer.write(text);
  return buffer;
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
  // Frames go to the socket itself, framed here as the response would (chunked for HTTP/1.1, raw
  // for 1.0): see SseFrames. The response still writes the headers and, on end, the last chunk.
  const socket = raw.socket;
  const chunked = raw.chunkedEncoding;
  let closed = !socket || socket.destroyed;
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
      return this.write(new SseFrames(sseFrame(selector, json, id)));
    },
    write(frames) {
      if (closed || !socket) return false;
      socket.write(chunked ? frames.chunked() : frames.bytes);
      return socket.writableLength <= maxBuffered;
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
