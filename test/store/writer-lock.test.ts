import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { moduleWorker } from '../../src/store/module-worker.js';
import { SqliteWriterDialect } from '../../src/store/sqlite-writer-dialect.js';
import { withStatementCache } from '../../src/store/statement-cache.js';
import { WriterLock } from '../../src/store/writer-lock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Whether `promise` has settled after the event loop turned a few times. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 3; i++) await tick();
  return settled;
}

describe('WriterLock', () => {
  it("makes the serving thread wait for a worker's turn without stopping its event loop", async () => {
    const lock = WriterLock.create();
    const worker = moduleWorker(import.meta.url, './support/background-lock-holder', lock.buffer);
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      const acquired = lock.acquire();
      expect(await settledSoon(acquired)).toBe(false);
      const ticksWhileWaiting = ticks;
      worker.postMessage('release');
      await acquired;
      clearInterval(timer);
      lock.release();
      expect(ticksWhileWaiting).toBeGreaterThanOrEqual(3);
    } finally {
      await worker.terminate();
    }
  });

  it('gives the next turn to a waiting background thread, however soon the foreground asks again', async () => {
    const foreground = WriterLock.create();
    const background = WriterLock.join(foreground.buffer, 'background');
    const order: string[] = [];
    await foreground.acquire();
    const backgroundTurn = background.acquire().then(() => order.push('background'));
    foreground.release();
    const foregroundTurn = foreground.acquire().then(() => order.push('foreground'));
    expect(await settledSoon(backgroundTurn)).toBe(true);
    expect(await settledSoon(foregroundTurn)).toBe(false);
    background.release();
    await foregroundTurn;
    foreground.release();
    expect(order).toEqual(['background', 'foreground']);
  });

  it('is freed when the background thread ends holding it or waiting for it', async () => {
    const foreground = WriterLock.create();
    const background = WriterLock.join(foreground.buffer, 'background');
    await background.acquire();
    foreground.abandonBackground();
    await foreground.acquire();

    void background.acquire(); // waits behind the foreground, then its thread "ends"
    foreground.release();
    foreground.abandonBackground();
    expect(await settledSoon(foreground.acquire())).toBe(true);
  });
});

describe('SqliteWriterDialect with a WriterLock', () => {
  function open() {
    const lock = WriterLock.create();
    const db = new Kysely<{ t: { n: number } }>({ dialect: new SqliteWriterDialect(withStatementCache(new Database(':memory:')), lock) });
    return { db, background: WriterLock.join(lock.buffer, 'background') };
  }

  it('holds writes and transactions while another thread writes, and lets reads through', async () => {
    const { db, background } = open();
    await sql`CREATE TABLE t (n INTEGER)`.execute(db);
    await background.acquire();
    const insert = db.insertInto('t').values({ n: 1 }).execute();
    expect(await settledSoon(insert)).toBe(false);
    background.release();
    await insert;

    await background.acquire();
    const transaction = db.transaction().execute((trx) => trx.insertInto('t').values({ n: 2 }).execute());
    expect(await settledSoon(transaction)).toBe(false);
    background.release();
    await transaction;
    expect(await db.selectFrom('t').select('n').execute()).toEqual([{ n: 1 }, { n: 2 }]);
    await db.destroy();
  });

  it('lets go of the lock when a transaction or a write fails', async () => {
    const { db, background } = open();
    await sql`CREATE TABLE t (n INTEGER NOT NULL)`.execute(db);
    await expect(db.transaction().execute((trx) => trx.insertInto('t').values({ n: null as unknown as number }).execute())).rejects.toThrow(/NOT NULL/);
    await expect(db.insertInto('t').values({ n: null as unknown as number }).execute()).rejects.toThrow(/NOT NULL/);
    expect(await settledSoon(background.acquire())).toBe(true);
    background.release();
    await db.destroy();
  });
});
