// `switchboard generate`'s load (what bench:list builds its 1M-session database with), beside the
// loader it replaced, measured in the same run. Run: npm run bench -- generate (GENERATE_SESSIONS=50000).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { DEFAULT_GENERATOR, generateSessions, type GeneratorOptions } from '../src/generate/generate-sessions.js';
import { loadGenerated } from '../src/generate/load-generated.js';
import { sessionRow } from '../src/sessions/session-row.js';
import { openStore, type Store } from '../src/store/open-store.js';
import type { Database } from '../src/store/schema.js';

const SESSIONS = Number(process.env.GENERATE_SESSIONS ?? 20_000);
const ROUNDS = 3;

/**
 * The loader before issue 14.2, kept here only as the baseline: session rows with no ledger events,
 * which a later event then re-folded from nothing.
 */
async function rowsOnly(db: Kysely<Database>, store: Store, options: GeneratorOptions) {
  await store.capabilities.textSearch.bulkLoad(db, async () => {
    let rows: ReturnType<typeof sessionRow>[] = [];
    const flush = async () => {
      const batch = rows;
      rows = [];
      await db.transaction().execute((trx) => trx.insertInto('sessions').values(batch).onConflict((oc) => oc.doNothing()).execute());
    };
    for (const { session, parentSessionId } of generateSessions(options)) {
      rows.push(sessionRow(session, 1, { parentSessionId }));
      if (rows.length >= 1000) await flush();
    }
    if (rows.length) await flush();
  });
}

const LOADERS = {
  'rows only (before 14.2)': rowsOnly,
  'rows + ledger events (now)': (_db: Kysely<Database>, store: Store, options: GeneratorOptions) => loadGenerated(store, options),
};

interface Run {
  wallMs: number;
  cpuMs: number;
  bytes: number;
}

async function once(load: (typeof LOADERS)[keyof typeof LOADERS]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-generate-'));
  try {
    const file = join(dir, 'generated.db');
    const store = await openStore(file);
    await store.migrate();
    const options = { ...DEFAULT_GENERATOR, sessions: SESSIONS, endAt: new Date('2026-11-27T00:00:00Z') };
    const cpu = process.cpuUsage();
    const started = performance.now();
    await load(store.db, store, options);
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    await store.close();
    const bytes = ['', '-wal'].reduce((sum, suffix) => sum + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
    return { wallMs, cpuMs: (used.user + used.system) / 1000, bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Alternating rounds, medians: on a shared machine wall time follows the other tenants' load; CPU
 * time of this process (SQLite runs in it) is the steadier figure.
 */
export async function benchGenerate() {
  const runs = new Map<string, Run[]>(Object.keys(LOADERS).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, load] of Object.entries(LOADERS)) runs.get(name)!.push(await once(load));
  }
  console.log(`generate: ${SESSIONS} sessions into a fresh SQLite file, ${ROUNDS} alternating rounds, medians`);
  console.log('| loader | wall s | CPU s | sessions/s (CPU) | file MB |');
  console.log('|---|---:|---:|---:|---:|');
  const row = (name: string) => {
    const r = runs.get(name)!;
    return { wall: median(r.map((x) => x.wallMs)), cpu: median(r.map((x) => x.cpuMs)), bytes: median(r.map((x) => x.bytes)) };
  };
  for (const name of runs.keys()) {
    const { wall, cpu, bytes } = row(name);
    console.log(`| ${name} | ${(wall / 1000).toFixed(1)} | ${(cpu / 1000).toFixed(1)} | ${Math.round(SESSIONS / (cpu / 1000))} | ${(bytes / 1e6).toFixed(0)} |`);
  }
  const [before, after] = [...runs.keys()].map(row);
  console.log(`ratio now/before: wall ${(after!.wall / before!.wall).toFixed(2)}, CPU ${(after!.cpu / before!.cpu).toFixed(2)}, file ${(after!.bytes / before!.bytes).toFixed(2)}`);
}
