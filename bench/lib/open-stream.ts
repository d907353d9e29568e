import { get, type IncomingMessage } from 'node:http';

/**
 * Opens one event stream on a socket of its own (no agent: a subscriber is a client of its own) and
 * resolves with the response once its first bytes (onConnect) arrive; `onText` gets every chunk.
 * A stream the server cuts or resets later is counted by what it did not deliver, not thrown.
 */
export function openStream(url: string, onText: (chunk: string) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
      res.on('error', () => {});
      res.setEncoding('utf8');
      res.once('data', () => resolve(res));
      res.on('data', onText);
    });
    req.on('error', reject);
  });
}
