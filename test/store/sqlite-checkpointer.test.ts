import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { CHECKPOINT_INTERVAL_MS, WRITER_CHECKPOINT_BACKSTOP_PAGES } from '../../src/store/sqlite-checkpointer.js';

// About SQLite files themselves (the WAL beside them), so it opens one directly rather than the
// project's store from test-store.ts; it needs no PostgreSQL and runs the same in both projects.
describe('SQLite checkpoints off the request path', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('copies committed pages into the database file in the background, and the writer closes last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpoint-'));
    dirs.push(dir);
    const path = join(dir, 'store.db');
    const store = await openStore(path);
    await store.migrate();
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(store.db);
    expect(rows[0]!.wal_autocheckpoint).toBe(WRITER_CHECKPOINT_BACKSTOP_PAGES);

    await new Promise((resolve) => setTimeout(resolve, 3 * CHECKPOINT_INTERVAL_MS));
    const before = statSync(path).size;
    // ~500 pages: far below the writer's backstop, so only the background connection copies them.
    await sql`CREATE TABLE filler (b BLOB)`.execute(store.db);
    await sql`INSERT INTO filler VALUES (randomblob(2000000))`.execute(store.db);
    const deadline = Date.now() + 10_000;
    while (statSync(path).size < before + 1_900_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_INTERVAL_MS));
    expect(statSync(path).size).toBeGreaterThanOrEqual(before + 1_900_000);

    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // the last connection's close checkpointed and removed it
    const reopened = await openStore(path);
    const count = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(reopened.db);
    expect(count.rows[0]!.n).toBe(1);
    await reopened.close();
  });

  it('lets a command that opens, uses and closes a store exit on its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpoint-'));
    dirs.push(dir);
    // The worker is unref'd so a server that never closes its store still exits; awaiting its stop
    // must keep the process alive meanwhile (it once ended with 13, an unsettled top-level await).
    const openStoreUrl = new URL('../../src/store/open-store.ts', import.meta.url).href;
    const script = `const { openStore } = await import(${JSON.stringify(openStoreUrl)}); const store = await openStore(${JSON.stringify(join(dir, 'cli.db'))}); await store.migrate(); await store.close(); console.log('closed');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 20_000 });
    expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({ status: 0, stdout: 'closed' });
  });
});
