import type { SessionWriter } from '../events/session-writer.js';
import type { SessionsRepository } from '../sessions/sessions-repository.js';
import { demoSessions } from './demo-sessions.js';

/** Seeds the demo account into an empty database; a database with sessions is left alone. */
export async function seedDemo(sessions: SessionsRepository, writer: SessionWriter, now: Date): Promise<string[]> {
  if ((await sessions.count()) > 0) return [];
  return [...(await writer.writeWhole(demoSessions(now).map((session) => ({ session, source: 'demo' as const }))))];
}
