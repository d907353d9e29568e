import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FoldCache } from '../../src/events/fold-cache.js';
import { CachedWriter } from '../../src/events/cached-writer.js';
import { DEFAULT_FOLD_POLICY } from '../../src/events/fold-session.js';
import type { RecordedEvent } from '../../src/events/session-event.js';
import { SessionsRepository } from '../../src/sessions/sessions-repository.js';
import type { Store } from '../../src/store/open-store.js';
import { postgresWriteConcurrency, sqliteWriteConcurrency } from '../../src/store/write-concurrency.js';
import { dialect, openTestStore } from '../support/test-store.js';
import { chatEvent } from './support/chat-events.js';

const event = (sessionId: string, dedupeKey: string, second: number): RecordedEvent => chatEvent({ sessionId, dedupeKey, second, line: dedupeKey });

/** An ingest with a cache the test can look into; each stands for a process of its own. */
function ingestOf(store: Store, cache = new FoldCache()) {
  const writes = store.capabilities.kind === 'sqlite' ? sqliteWriteConcurrency : postgresWriteConcurrency;
  return { ingest: new CachedWriter(store.db, writes, DEFAULT_FOLD_POLICY, () => new Date(), cache), cache };
}

async function logOf(store: Store, sessionId: string): Promise<string[]> {
  const row = await new SessionsRepository(store.db).findById(sessionId);
  return (JSON.parse(row!.json) as { log: { message: string }[] }).log.map((l) => l.message);
}

async function expectRowIsFold(store: Store, ingest: CachedWriter, sessionId: string) {
  const row = await new SessionsRepository(store.db).findById(sessionId);
  expect(JSON.parse(row!.json)).toEqual(await ingest.foldOf('acct', sessionId));
}

/** Makes every write of a folded row of `sessionId` fail, as a full disk or a lost connection would. */
async function failWritesOf(store: Store, sessionId: string) {
  if (dialect === 'sqlite') {
    for (const op of ['INSERT', 'UPDATE']) {
      await sql
        .raw(`CREATE TRIGGER fail_${op} BEFORE ${op} ON sessions WHEN NEW.id = '${sessionId}' AND NEW.version > 0 BEGIN SELECT RAISE(ABORT, 'injected'); END`)
        .execute(store.db);
    }
    return;
  }
  await sql
    .raw(`CREATE FUNCTION fail_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = '${sessionId}' AND NEW.version > 0 THEN RAISE EXCEPTION 'injected'; END IF; RETURN NEW; END $$`)
    .execute(store.db);
  await sql.raw(`CREATE TRIGGER fail_session BEFORE INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION fail_session()`).execute(store.db);
}

describe('the cached writer with its fold cache', () => {
  it('folds a cached session from its cached events plus the new ones', async () => {
    const store = await openTestStore();
    const { ingest, cache } = ingestOf(store);
    await ingest.write([event('s1', 'a', 0)]);
    await ingest.write([event('s1', 'c', 9)]);
    await ingest.write([event('s1', 'b', 5)]);
    await ingest.write([event('s1', 'b', 5)]);
    expect(cache.get('acct\ns1')).toMatchObject({ version: 3, events: { length: 3 } });
    expect(await logOf(store, 's1')).toEqual(['Incoming chat from web', 'line b', 'line c']);
    await expectRowIsFold(store, ingest, 's1');
  });

  it('notices a session written by another process since, and folds all of its ledger', async () => {
    const store = await openTestStore();
    const one = ingestOf(store).ingest;
    const other = ingestOf(store).ingest;
    await one.write([event('s1', 'a', 0)]);
    await other.write([event('s1', 'b', 2)]);
    await one.write([event('s1', 'c', 3)]);
    expect(await logOf(store, 's1')).toEqual(['Incoming chat from web', 'line b', 'line c']);
    await expectRowIsFold(store, one, 's1');
  });

  it('notices a session deleted and re-created up to the same version and ledger size', async () => {
    const store = await openTestStore();
    const one = ingestOf(store).ingest;
    await one.write([event('s1', 'a', 0), event('s1', 'b', 2)]);
    await store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('session_events').where('session_id', '=', 's1').execute();
      await trx.deleteFrom('sessions').where('id', '=', 's1').execute();
    });
    // Another process re-creates it: version 1 and two ledger rows again, other events.
    await ingestOf(store).ingest.write([event('s1', 'x', 0), event('s1', 'y', 4)]);
    await one.write([event('s1', 'z', 6)]);
    expect(await logOf(store, 's1')).toEqual(['Incoming chat from web', 'line y', 'line z']);
    await expectRowIsFold(store, one, 's1');
  });

  it('re-creates a session deleted since it was cached', async () => {
    const store = await openTestStore();
    const { ingest } = ingestOf(store);
    await ingest.write([event('s1', 'a', 0), event('s1', 'b', 2)]);
    await store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('session_events').where('session_id', '=', 's1').execute();
      await trx.deleteFrom('sessions').where('id', '=', 's1').execute();
    });
    await ingest.write([event('s1', 'c', 3)]);
    expect(await logOf(store, 's1')).toEqual(['line c']);
    expect((await new SessionsRepository(store.db).findById('s1'))!.version).toBe(1);
    await expectRowIsFold(store, ingest, 's1');
  });

  it('caches nothing of a transaction that rolled back, even a session it had folded', async () => {
    const store = await openTestStore();
    const { ingest, cache } = ingestOf(store);
    await ingest.write([event('s1', 'a', 0)]);
    await failWritesOf(store, 'zz');
    // One request, so one transaction: s1 is folded first (sessions in key order), then zz fails.
    await expect(ingest.write([event('s1', 'b', 2), event('zz', 'z', 0)])).rejects.toThrow(/injected/);
    expect(cache.get('acct\ns1')).toMatchObject({ version: 1, events: { length: 1 } });
    expect(cache.get('acct\nzz')).toBeUndefined();
    await ingest.write([event('s1', 'c', 3)]);
    expect(await logOf(store, 's1')).toEqual(['Incoming chat from web', 'line c']);
    await expectRowIsFold(store, ingest, 's1');
  });

  it('refuses an event for another account’s cached session id', async () => {
    const store = await openTestStore();
    const { ingest } = ingestOf(store);
    await ingest.write([event('s1', 'a', 0)]);
    await expect(ingest.write([{ ...event('s1', 'x', 3), accountId: 'other' }])).rejects.toMatchObject({ status: 403 });
    // The other account's session of the same id, created behind this process's back.
    await store.db.updateTable('sessions').set({ account_id: 'other' }).where('id', '=', 's1').execute();
    await expect(ingest.write([event('s1', 'b', 2)])).rejects.toMatchObject({ status: 403 });
  });
});
