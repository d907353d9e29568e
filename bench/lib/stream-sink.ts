// Subscribers that only count frames, in a process of their own (bench/stream.ts): reading a
// thousand streams in the driver delayed its sampled subscribers' reads by up to 35 ms (its own
// event-loop lag, p99), which the bench then charged to the server. Driven over IPC:
//   { open: url, count } → opens `count` more streams, answers { opened }
//   { frames: true }     → answers { frames } (SessionInfo frames received so far)
//   { close: true }      → destroys every stream and exits
import { get, type IncomingMessage } from 'node:http';

const streams: IncomingMessage[] = [];
let frames = 0;

function open(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      streams.push(res);
      // A stream the server cuts (a slow consumer) or resets: counted as what it did not deliver.
      res.on('error', () => {});
      res.setEncoding('utf8');
      res.once('data', () => resolve());
      res.on('data', (chunk: string) => {
        for (let at = chunk.indexOf('@cmd.SessionInfo'); at >= 0; at = chunk.indexOf('@cmd.SessionInfo', at + 1)) frames++;
      });
    });
    req.on('error', reject);
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
  } else if ('frames' in command) answer({ frames });
  else {
    for (const stream of streams) stream.destroy();
    process.exit(0);
  }
});
