// Subscribers that only count frames, in a process of their own (bench/stream.ts): reading a
// thousand streams in the driver delayed its sampled subscribers' reads by up to 35 ms (its own
// event-loop lag, p99), which the bench then charged to the server. Each is a bare socket that
// counts `@cmd.SessionInfo` in the bytes as they come, without an HTTP parser or text decoding: the
// clients share the server's 2 cores, so what they spend is taken from it (bench/stream.ts prints it).
// Driven over IPC:
//   { open: url, count } → opens `count` more streams, answers { opened }
//   { frames: true }     → answers { frames, ended } (SessionInfo frames received so far, streams the server ended)
//   { close: true }      → destroys every stream and exits
import { connect, type Socket } from 'node:net';

const NEEDLE = Buffer.from('@cmd.SessionInfo');
const streams: Socket[] = [];
let frames = 0;
let ended = 0;

/** Opens one stream; resolves once its answer's first bytes arrive (a 200, or it rejects). */
function open(url: string): Promise<void> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('error', reject);
    // The last bytes of the previous read: a needle may straddle two reads.
    let tail = Buffer.alloc(0);
    socket.once('data', (first: Buffer) => {
      if (!first.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) return reject(new Error(`stream answered ${first.subarray(0, 12).toString('latin1')}`));
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      socket.on('end', () => ended++);
      streams.push(socket);
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      const bytes = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      for (let at = bytes.indexOf(NEEDLE); at >= 0; at = bytes.indexOf(NEEDLE, at + NEEDLE.length)) frames++;
      tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - NEEDLE.length + 1)));
    });
  });
}

type Command = { open: string; count: number } | { frames: true } | { close: true };

process.on('message', (command: Command) => {
  const answer = (message: object) => process.send!(message);
  if ('open' in command) {
    void (async () => {
      for (let i = 0; i < command.count; i += 50) await Promise.all(Array.from({ length: Math.min(50, command.count - i) }, () => open(command.open)));
      answer({ opened: command.count });
    })().catch((error: unknown) => answer({ error: String(error) }));
  } else if ('frames' in command) answer({ frames, ended });
  else {
    for (const stream of streams) stream.destroy();
    process.exit(0);
  }
});
