import type { EventStream } from '../../../src/http/sse.js';

/**
 * A client's end of a stream that reads `capacity` frames and then stops reading, as a stalled
 * browser tab does: what is written after stays unread in its socket's buffer, which fills, and
 * `write` reports it (sse.ts), as a real response's `writableLength` would past `maxQueuedBytes`.
 * One write may carry several frames (a round of the fan-out). With `Infinity`, a client that keeps up;
 * `ids` are the frames it read.
 */
export function stalledClient(capacity: number) {
  const ids: number[] = [];
  const listeners: (() => void)[] = [];
  let closed = false;
  const stream: EventStream = {
    send() {
      return !closed;
    },
    write(frames) {
      if (closed) return false;
      let unread = false;
      for (const [, id] of frames.bytes.toString().matchAll(/^id: (\d+)$/gm)) {
        if (ids.length < capacity) ids.push(Number(id));
        else unread = true;
      }
      return !unread;
    },
    end() {
      if (closed) return;
      closed = true;
      listeners.splice(0).forEach((l) => l());
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      if (closed) listener();
      else listeners.push(listener);
    },
  };
  return { stream, ids };
}
