import type { SessionsRepository } from '../sessions/sessions-repository.js';
import { demoSessions } from './demo-sessions.js';

/** Seeds the demo account into an empty database; a database with sessions is left alone. */
export async function seedDemo(sessions: SessionsRepository, now: Date): Promise<string[]> {
  if ((await sessions.count()) > 0) return [];
  const seeded: string[] = [];
  for (const session of demoSessions(now)) {
    if ((await sessions.insertIfAbsent(session, undefined, 'demo')) === 'inserted') seeded.push(session.id!);
  }
  return seeded;
}
