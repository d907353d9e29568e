import { postgresBinDir } from './postgres-cluster.js';

export const ALL_DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof ALL_DIALECTS)[number];

/**
 * The stores the suite runs against (style habit 6): every one by default; `TEST_DIALECTS=sqlite`
 * (or `postgres`) narrows the list. PostgreSQL runs on a throwaway cluster from the installed
 * binaries, or on the server `TEST_POSTGRES_URL` names; with neither it is left out, said in one line.
 */
export function testDialects(env: Readonly<Record<string, string | undefined>> = process.env, warn = console.warn): Dialect[] {
  const asked = (env.TEST_DIALECTS ?? ALL_DIALECTS.join(','))
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const unknown = asked.filter((d) => !(ALL_DIALECTS as readonly string[]).includes(d));
  if (unknown.length) throw new Error(`TEST_DIALECTS: unknown ${unknown.join(', ')} (known: ${ALL_DIALECTS.join(', ')})`);
  const dialects = asked as Dialect[];
  if (dialects.includes('postgres') && !env.TEST_POSTGRES_URL && !postgresBinDir()) {
    // The config is evaluated more than once per run; the line is said once.
    const said = globalThis as { switchboardSaidNoPostgres?: boolean };
    if (!said.switchboardSaidNoPostgres) {
      said.switchboardSaidNoPostgres = true;
      warn(
      'PostgreSQL half of the suite NOT RUN: no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql) and no TEST_POSTGRES_URL.',
      );
    }
    const left = dialects.filter((d) => d !== 'postgres');
    if (!left.length) throw new Error('TEST_DIALECTS=postgres, but PostgreSQL is not installed and TEST_POSTGRES_URL is not set');
    return left;
  }
  return dialects;
}

/**
 * Whether this run is the load tests' own pass (`TEST_LOAD=1`, the second half of `npm test`): the
 * `*.load.test.ts` files assert what a server does under a flood, so they run after the rest, one
 * file at a time, with the machine to themselves.
 */
export function loadTestsOnly(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.TEST_LOAD === '1';
}
