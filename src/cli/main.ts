import { readFile } from 'node:fs/promises';
import { parseCommandLine, type CommandOptions, type Config } from '../config.js';
import { generateCommand } from '../generate/generate-command.js';
import { importSessions } from '../import/import-sessions.js';
import { describeExport, NotAnExport, readExport, type ExportRecords } from '../import/read-export.js';
import { closeOnSignals, startServer } from '../server.js';
import { directoryFromSessions } from '../directory/directory-from-session.js';
import { DIRECTORY_USAGE, runDirectoryCommand } from './directory-commands.js';
import { LIFECYCLE_USAGE, runLifecycleCommand } from './lifecycle-commands.js';
import { sessionWriter } from '../events/session-writer.js';
import { openStore, printableDatabaseUrl } from '../store/open-store.js';

const USAGE = `Usage: switchboard <command> [options]

Commands:
  serve [--demo]     Run the HTTP server (migrates first; --demo seeds an empty database)
  migrate            Bring the database schema up to date
  import FILE…       Import sessions exported from Evo Voice: a SessionInfo, an array, a ListResponse or JSON Lines
  generate [COUNT]   Add COUNT realistic sessions (default 1000000) for benchmarks and demos
${DIRECTORY_USAGE}
${LIFECYCLE_USAGE}

Options:
  --database PATH|URL  SQLite file (default ./data/switchboard.db) or postgres://… (env DATABASE_URL)
  --port N             HTTP port (default 8080, env PORT)
  --host HOST          Listen address (default 0.0.0.0, env HOST)
  --log-level LEVEL    fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)
  --public-url URL     Base URL Twilio calls, for signature checks behind a proxy (env PUBLIC_URL)
  --twilio-voice-redirect URL  Voice app the incoming-call webhook redirects to; {accountId},
                       {accountSid} are filled in (env TWILIO_VOICE_REDIRECT_URL)
  --short-abandon-seconds N    Unanswered inbound calls shorter than N are not missed (default 5)
  --trust-proxy LIST   Reverse proxies whose X-Forwarded-For/-Proto are believed: addresses,
                       CIDR subnets, loopback|linklocal|uniquelocal, comma-separated (env TRUST_PROXY)
  --twilio-api-url URL Twilio's REST base for a compatible provider (env TWILIO_API_URL)
  --twilio-timeout-ms N        A call-control request to Twilio times out after N ms (default 10000)
  --reconcile-after-ms N       Ask Twilio for a call's state when a command's callback is N ms late (default 15000)
  --hold-music-url URL What a caller held outside a conference hears (default Twilio's; env HOLD_MUSIC_URL)

On an empty database, serve creates a SystemAdministrator: SWITCHBOARD_ADMIN_EMAIL and
SWITCHBOARD_ADMIN_PASSWORD when set, else admin@switchboard.local with a password printed once.`;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs one CLI command; returns the exit code. Kept apart from process.* so tests can drive it. */
export async function main(argv: readonly string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [command, ...rest] = argv;
  let config: Config;
  let files: string[];
  let options: CommandOptions;
  try {
    ({ config, positionals: files, options } = parseCommandLine(rest, env));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case 'serve': {
      const server = await startServer(config, io.out);
      closeOnSignals(server);
      return -1; // keeps running
    }
    case 'migrate': {
      const store = await openStore(config.databaseUrl);
      await store.migrate().finally(() => store.close());
      io.out(`Database ${printableDatabaseUrl(config.databaseUrl)} is up to date.`);
      return 0;
    }
    case 'import':
      return importFiles(config, files, io);
    case 'generate':
      return generateCommand(config, files, io.out, new Date());
    case 'user':
    case 'account':
    case 'apikey':
    case 'lifecycle': {
      const store = await openStore(config.databaseUrl);
      try {
        await store.migrate();
        if (command === 'lifecycle') return await runLifecycleCommand(store, files, options, io);
        return await runDirectoryCommand(store, command, files, options, io);
      } finally {
        await store.close();
      }
    }
    case undefined:
    case 'help':
    case '--help':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.err(`Unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

async function importFiles(config: Config, files: readonly string[], io: Io): Promise<number> {
  if (!files.length) {
    io.err(`import needs at least one FILE.\n\n${USAGE}`);
    return 2;
  }
  const store = await openStore(config.databaseUrl);
  let failed = false;
  try {
    await store.migrate();
    const writer = sessionWriter(store);
    for (const file of files) {
      let read: ExportRecords;
      try {
        read = readExport(await readFile(file, 'utf8'));
      } catch (error) {
        io.err(error instanceof NotAnExport ? `${file}: ${error.message}` : `${file}: cannot read: ${(error as Error).message}`);
        failed = true;
        continue;
      }
      const report = await importSessions(writer, read.records, directoryFromSessions(store));
      const rejected = report.rejected.length + read.unreadable.length;
      io.out(`${file}: read ${describeExport(read)}; ${report.imported} imported, ${report.alreadyPresent} already present, ${rejected} rejected`);
      // JSON Lines' problems by line, in file order; other shapes' by their position in the list.
      const problems = [
        ...read.unreadable.map((u) => ({ at: u.line, text: `line ${u.line}: ${u.reason}` })),
        ...report.rejected.map((r) => {
          const at = read.lines ? read.lines[r.index]! : r.index;
          return { at, text: `${read.lines ? 'line' : 'record'} ${at}${r.id ? ` (${r.id})` : ''}: ${r.reason}` };
        }),
      ].sort((a, b) => a.at - b.at);
      for (const p of problems) io.err(`  ${p.text}`);
      if (rejected) failed = true;
    }
  } finally {
    await store.close();
  }
  return failed ? 1 : 0;
}
