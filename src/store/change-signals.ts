import type pg from 'pg';

/**
 * How one instance tells the others that the stream's change log moved (style habit 4: a named
 * capability, chosen once). A signal is only a wake-up: instances read the log itself from their own
 * position, so a lost signal costs the poll interval of latency, never a change.
 */
export interface ChangeSignals {
  /** After a commit: wake every instance's stream. Calls made while one is sent coalesce into one. */
  notify(position: number): void;
  /**
   * After a heartbeat or a channel change recorded for a subscription another instance holds: the
   * holder looks at that subscription now instead of at its next sweep.
   */
  nudge(subscriptionId: string): void;
  /** Calls `onWake` for every signal (this instance's too), saying which; resolves to a function that stops listening. */
  listen(onWake: (signal: Signal) => void): Promise<() => Promise<void>>;
}

/** The change log moved, or one subscription's row changed (ChangeSignals.nudge). */
export type Signal = { readonly kind: 'changes' } | { readonly kind: 'subscription'; readonly id: string };

/** SQLite serves from one process, whose commits wake its stream directly. */
export const noChangeSignals: ChangeSignals = Object.freeze({
  notify: () => {},
  nudge: () => {},
  listen: async () => async () => {},
});

/**
 * The NOTIFY channel; payloads are the last position committed, or `s:` and a subscription id for a
 * nudge (postgresql.org/docs/current/sql-notify.html).
 */
const CHANNEL = 'switchboard_stream';
const NUDGE = 's:';
const CHANGES: Signal = Object.freeze({ kind: 'changes' });

/** Waits before a lost LISTEN connection is opened again, so a database restart is not hammered. */
const RELISTEN_MS = 1_000;

/**
 * PostgreSQL LISTEN/NOTIFY. NOTIFY goes out after the commit on the pool (one statement; another
 * commit meanwhile is folded into the next), not inside the transaction, so the stream head's lock
 * is not held for it. LISTEN holds one connection of its own, opened again when it drops.
 */
export function postgresChangeSignals(pool: pg.Pool, connect: () => pg.Client): ChangeSignals {
  let sending = false;
  let latest = 0;
  const send = async () => {
    sending = true;
    try {
      for (let sent = 0; sent !== latest; ) {
        sent = latest;
        await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, String(sent)]);
      }
    } catch {
      // The others poll; this signal was only a shortcut.
    } finally {
      sending = false;
    }
  };
  return {
    notify(position) {
      latest = Math.max(latest, position);
      if (!sending) void send();
    },
    nudge(subscriptionId) {
      // Lost, it costs the holder's sweep interval of latency.
      void pool.query('SELECT pg_notify($1, $2)', [CHANNEL, NUDGE + subscriptionId]).catch(() => {});
    },
    async listen(onWake) {
      let stopped = false;
      let client: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;
      const open = async () => {
        if (stopped) return;
        const fresh = connect();
        client = fresh;
        fresh.on('notification', ({ payload }) => onWake(payload?.startsWith(NUDGE) ? { kind: 'subscription', id: payload.slice(NUDGE.length) } : CHANGES));
        fresh.on('error', () => {
          void fresh.end().catch(() => {});
          if (stopped) return;
          // Whatever was committed while deaf is read on the next wake or poll.
          retry = setTimeout(() => void open().then(() => onWake(CHANGES), () => {}), RELISTEN_MS);
          retry.unref();
        });
        await fresh.connect();
        await fresh.query(`LISTEN ${CHANNEL}`);
      };
      await open();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    },
  };
}
