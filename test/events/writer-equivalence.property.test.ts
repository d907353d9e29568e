import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent, SessionEvent } from '../../src/events/session-event.js';
import { sessionWriter, type WholeSession } from '../../src/events/session-writer.js';
import type { Store } from '../../src/store/open-store.js';
import { goldenSession } from '../support/fixtures.js';
import { dialect, emptyStore, openFileStore, openTestStore } from '../support/test-store.js';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID, seedDirectory } from './support/directory-seed.js';
import { eventsOf } from './support/events-of.js';
import { SCENARIOS } from './support/scenarios.js';

/**
 * The cached writer (group commit, fold cache, compiled statements) against the reference writer
 * (append, read the whole ledger back, fold, write), each on a store of its own: the same random
 * history must leave the same rows, ledger and stream changes, and get the same answers.
 */

/** Every scenario's telephony and neutral events, as the webhooks and POST /sessions/events record them. */
let telephony: RecordedEvent[] = [];
/** The sessions those events open. */
let sessionIds: string[] = [];

beforeAll(async () => {
  const { store: directory, close } = await openFileStore();
  await seedDirectory(directory.db);
  for (const scenario of SCENARIOS) telephony.push(...(await eventsOf(directory, scenario.deliveries)));
  await close();
  telephony = telephony.filter((e, i) => telephony.findIndex((o) => o.dedupeKey === e.dedupeKey) === i);
  sessionIds = [...new Set(telephony.map((e) => e.sessionId)), 'whole_0', 'whole_1'];
});

/** Histories per run: ~1.1 s each on PostgreSQL, ~0.15 s on SQLite (this machine). */
const RUNS = dialect === 'postgres' ? 25 : 60;

const at = (base: string, seconds: number) => new Date(Date.parse(base) + seconds * 1000).toISOString();
const BASE = '2026-11-27T14:00:00.000Z';

/** An API or control command on a session, as session-commands.ts, call-control.ts and messaging.ts record them. */
const command = fc.record({
  session: fc.nat(),
  second: fc.integer({ min: -30, max: 600 }),
  kind: fc.constantFrom('patch' as const, 'log' as const, 'control' as const, 'text' as const, 'intruder' as const),
  text: fc.string({ maxLength: 12 }),
});

function commandEvent(c: typeof command extends fc.Arbitrary<infer T> ? T : never, n: number): RecordedEvent {
  const sessionId = sessionIds[c.session % sessionIds.length]!;
  const event: SessionEvent =
    c.kind === 'patch'
      ? { type: 'SessionPatched', consoleData: c.text }
      : c.kind === 'control'
        ? { type: 'ControlRequested', command: 'hold', outcome: 'accepted', actorName: 'Dana Agent' }
        : c.kind === 'text'
          ? { type: 'MessageSent', messageSid: `SM${n}`, from: '+15035550100', to: '+15035550123', body: c.text, status: 'queued' }
          : { type: 'LogAppended', message: `line ${c.text}` };
  // An intruder: another account naming this session (refused once the session is acme's, or the
  // session is the intruder's and acme's events are refused).
  const accountId = c.kind === 'intruder' ? OTHER_ACCOUNT_ID : ACCOUNT_ID;
  return { accountId, sessionId, dedupeKey: `api:${n}`, source: 'api', occurredAt: at(BASE, c.second), sequence: null, actor: 'user_dana', event };
}

/** A session that arrives whole (import), maybe under an id events also name. */
const whole = (i: number, second: number): WholeSession => {
  const golden = goldenSession();
  return { session: { ...golden, id: `whole_${i % 2}`, accountId: ACCOUNT_ID, dateCreated: at(BASE, second), dateLastModified: at(BASE, second) }, source: 'import' };
};

type Step = { readonly kind: 'write'; readonly batches: readonly (readonly number[])[] } | { readonly kind: 'whole'; readonly sessions: readonly WholeSession[] };

/**
 * A history: every event of a random subset, with random duplicates, shuffled, cut into batches;
 * some batches sent at once (the cached writer commits them as one group); imports among them.
 */
const history = fc
  .record({
    commands: fc.array(command, { maxLength: 12 }),
    telephony: fc.subarray([...Array(64).keys()]),
    duplicates: fc.array(fc.nat(), { maxLength: 6 }),
    wholes: fc.array(fc.record({ i: fc.nat(3), second: fc.nat(100), position: fc.nat() }), { maxLength: 3 }),
    cuts: fc.array(fc.record({ size: fc.integer({ min: 1, max: 5 }), together: fc.integer({ min: 1, max: 3 }) }), { minLength: 40, maxLength: 40 }),
    seed: fc.nat(),
  })
  .chain((h) => {
    const events = [...h.telephony.filter((i) => i < telephony.length).map((i) => telephony[i]!), ...h.commands.map(commandEvent)];
    const all = [...events.keys(), ...(events.length ? h.duplicates.map((d) => d % events.length) : [])];
    return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }).map((order) => ({ events, order, h }));
  })
  .map(({ events, order, h }) => {
    const steps: Step[] = [];
    let next = 0;
    for (const cut of h.cuts) {
      if (next >= order.length) break;
      const batches: number[][] = [];
      for (let b = 0; b < cut.together && next < order.length; b++) {
        batches.push(order.slice(next, next + cut.size));
        next += cut.size;
      }
      steps.push({ kind: 'write', batches });
    }
    if (next < order.length) steps.push({ kind: 'write', batches: [order.slice(next)] });
    for (const w of h.wholes) steps.splice(w.position % (steps.length + 1), 0, { kind: 'whole', sessions: [whole(w.i, w.second)] });
    return { events, steps };
  });

/** What a call answered, comparable across writers. */
const outcome = (settled: PromiseSettledResult<unknown>) =>
  settled.status === 'fulfilled' ? { ok: settled.value } : { failed: (settled.reason as { status?: number }).status ?? String(settled.reason) };

/** Everything a writer leaves in its store: rows, ledger (without the store's numbering) and the stream's changes. */
async function contents(store: Store) {
  const sessions = await store.db.selectFrom('sessions').selectAll().orderBy('account_id').orderBy('id').execute();
  const ledger = (await store.db.selectFrom('session_events').selectAll().orderBy('seq').execute()).map(({ seq: _seq, ...row }) => ({ ...row, sequence_no: row.sequence_no === null ? null : Number(row.sequence_no) }));
  const changes = await store.db.selectFrom('session_changes').select(['position', 'account_id', 'session_id', 'version', 'document', 'committed_at']).orderBy('position').execute();
  const numbers = <T extends Record<string, unknown>>(rows: T[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' || (typeof v === 'string' && /^(version|position)$/.test(k)) ? Number(v) : v])));
  return { sessions: numbers(sessions), ledger, changes: numbers(changes) };
}

describe('the cached session writer and the reference writer', () => {
  it('leave the same rows, ledger and stream changes, and answer alike, whatever the history', async () => {
    const cachedStore = await openTestStore();
    const referenceStore = await openTestStore();
    for (const store of [cachedStore, referenceStore]) await seedDirectory(store.db);
    await fc.assert(
      fc.asyncProperty(history, async ({ events, steps }) => {
        for (const store of [cachedStore, referenceStore]) {
          await emptyStore(store);
          await seedDirectory(store.db);
        }
        let step = 0;
        const clock = () => new Date(Date.parse('2026-11-28T00:00:00Z') + step * 1000);
        const cached = sessionWriter(cachedStore, { now: clock });
        const reference = sessionWriter(referenceStore, { now: clock, kind: 'reference' });
        for (; step < steps.length; step++) {
          const s = steps[step]!;
          if (s.kind === 'whole') {
            const [a, b] = await Promise.allSettled([cached.writeWhole(s.sessions), reference.writeWhole(s.sessions)]);
            expect(outcome(a!)).toEqual(outcome(b!));
            continue;
          }
          const batches = s.batches.map((batch) => batch.map((i) => events[i]!));
          // Sent in one turn: the cached writer commits them as one group, or one by one if one fails.
          const fast = await Promise.allSettled(batches.map((batch) => cached.write(batch)));
          if (fast.every((f) => f.status === 'fulfilled')) {
            const together = await reference.write(batches.flat());
            const sum = (key: 'appended' | 'duplicates') => fast.reduce((n, f) => n + (f as PromiseFulfilledResult<{ appended: number; duplicates: number }>).value[key], 0);
            expect({ appended: sum('appended'), duplicates: sum('duplicates') }).toEqual({ appended: together.appended, duplicates: together.duplicates });
          } else {
            const plain: PromiseSettledResult<unknown>[] = [];
            for (const batch of batches) plain.push(...(await Promise.allSettled([reference.write(batch)])));
            expect(fast.map(outcome)).toEqual(plain.map(outcome));
          }
        }
        const [a, b] = await Promise.all([contents(cachedStore), contents(referenceStore)]);
        expect(a.ledger).toEqual(b.ledger);
        expect(a.sessions).toEqual(b.sessions);
        expect(a.changes).toEqual(b.changes);
        for (const row of a.sessions) expect(JSON.parse(row.document as string)).toEqual(await reference.foldOf(row.account_id as string, row.id as string));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('are told apart by the comparison: a row written around the writer shows', async () => {
    const cachedStore = await openTestStore();
    const referenceStore = await openTestStore();
    const event: RecordedEvent = { accountId: ACCOUNT_ID, sessionId: 's1', dedupeKey: 'k1', source: 'api', occurredAt: BASE, sequence: null, actor: null, event: { type: 'SessionStarted', channel: 'Chat', direction: 'Incoming' } };
    const clock = () => new Date(BASE);
    await sessionWriter(cachedStore, { now: clock }).write([event]);
    await sessionWriter(referenceStore, { now: clock, kind: 'reference' }).write([event]);
    expect(await contents(cachedStore)).toEqual(await contents(referenceStore));
    await sql`UPDATE sessions SET from_address = 'edited'`.execute(referenceStore.db);
    expect((await contents(cachedStore)).sessions).not.toEqual((await contents(referenceStore)).sessions);
  });
});
