import { main } from '../../src/cli/main.js';

/** Runs one `switchboard` command against a database, as the shell would: its exit code and what it printed. */
export async function runCli(database: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--database', database], {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
