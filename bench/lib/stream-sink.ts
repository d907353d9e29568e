// Subscribers that only count frames, in a process of their own (bench/stream.ts): reading a
// thousand streams in the driver delayed its sampled subscribers' reads by up to 35 ms (its own
// event-loop lag, p99), which the bench then charged to the server. Driven over IPC:
//   { open: url, count } → opens `count` more streams, answers { opened }
//   { frames: true }     → answers { frames } (SessionInfo frames received so far)
//   { close: true }      → destroys every stream and exits
import type { IncomingMessage } from 'node:http';
import { openStream } from './open-stream.js';

const streams: IncomingMessage[] = [];
let frames = 0;

async function open(url: string): Promise<void> {
  streams.push(
    await openStream(url, (chunk) => {
      for (let at = chunk.indexOf('@cmd.SessionInfo'); at >= 0; at = chunk.indexOf('@cmd.SessionInfo', at + 1)) frames++;
    }),
  );
}

type Command = { open: string; count: number } | { frames: true } | { close: true };

process.on('message', (command: Command) => {
  const answer = (message: object) => process.send!(message);
  if ('open' in command) {
    void (async () => {
      for (let i = 0; i < command.count; i += 50) await Promise.all(Array.from({ length: Math.min(50, command.count - i) }, () => open(command.open)));
      answer({ opened: command.count });
    })().catch((error: unknown) => answer({ error: String(error) }));
  } else if ('frames' in command) answer({ frames });
  else {
    for (const stream of streams) stream.destroy();
    process.exit(0);
  }
});
