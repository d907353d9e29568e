import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SessionInfo } from '../../src/model/session-info.js';

const golden = (): SessionInfo =>
  JSON.parse(readFileSync(fileURLToPath(new URL('../../test/fixtures/session-golden.json', import.meta.url)), 'utf8'));

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

/** Bench session ids: 24 hex digits, as Evo Voice's are. */
export const benchSessionId = (i: number) => i.toString(16).padStart(24, '0');

/**
 * `count` copies of the 20-entry session under ids 0…count-1, so a benchmark can spread its reads
 * over many rows as a contact center's dashboards do (one id read over and over would measure a
 * cache, not the store).
 */
export function benchSessions(count: number): SessionInfo[] {
  const session = goldenWith20Log();
  return Array.from({ length: count }, (_, i) => ({ ...session, id: benchSessionId(i) }));
}
