import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SessionInfo } from '../../src/model/session-info.js';

const golden = (): SessionInfo =>
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/session-golden.json', import.meta.url)), 'utf8'));

/** The golden session with a 20-entry log: the size of a typical handled call. */
export function goldenWith20Log(): SessionInfo {
  const session = golden();
  const start = Date.parse(session.dateCreated!);
  session.log = Array.from({ length: 20 }, (_, i) => ({
    date: new Date(start + i * 17_000).toISOString().replace('.000Z', 'Z'),
    message: i === 0 ? 'Incoming call from +15035551234 to +15035550000' : `Step ${i}: queue event, agent state change & <notes>`,
  }));
  return session;
}
