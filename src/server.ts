import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { authServices } from './auth/auth-services.js';
import { ensureAdministrator } from './auth/first-run.js';
import { DEMO_USERS, seedDemoDirectory } from './demo/demo-directory.js';
import { demoSessions } from './demo/demo-sessions.js';
import { seedDemo } from './demo/seed-demo.js';
import { systemClock } from './lifecycle/clock.js';
import { startLifecycleJobs } from './lifecycle/lifecycle-jobs.js';
import { sessionWriter } from './events/session-writer.js';
import { SessionsRepository } from './sessions/sessions-repository.js';
import { openStore, printableDatabaseUrl, type Store } from './store/open-store.js';

/** Archive and retention rounds; each is cheap when there is nothing to do. */
const LIFECYCLE_INTERVAL_MS = 10 * 60_000;

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

/** Opens the store, migrates, seeds the demo when asked, and listens. */
export async function startServer(config: Config, print: (line: string) => void = console.log): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  const auth = authServices(store);
  const app = await buildApp({
    store,
    authServices: auth,
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
    events: { publicUrl: config.publicUrl, voiceRedirectUrl: config.twilioVoiceRedirectUrl, holdMusicUrl: config.holdMusicUrl, shortAbandonSeconds: config.shortAbandonSeconds },
    stream: config.stream,
    corsOrigins: config.corsOrigins,
    reads: { workers: config.readWorkers, concurrency: config.readConcurrency, queue: config.readQueue },
    control: { twilioApiUrl: config.twilioApiUrl, twilioTimeoutMs: config.twilioTimeoutMs, reconcileAfterMs: config.reconcileAfterMs },
  });
  const sessions = new SessionsRepository(store.db);
  await auth.signIns.deleteExpired(new Date());
  await auth.passwords.throttle.purge(new Date());
  const admin = await ensureAdministrator(auth.users, { email: config.adminEmail, password: config.adminPassword }, new Date());
  const seeded = config.demo ? await seedDemo(sessions, sessionWriter(store), new Date()) : [];
  if (config.demo) await seedDemoDirectory(store, auth, new Date());
  await store.capabilities.refreshStatistics(store.db);
  const jobs = startLifecycleJobs(store, {
    clock: systemClock,
    intervalMs: LIFECYCLE_INTERVAL_MS,
    onError: (error) => app.log.error({ err: error }, 'archive/retention round failed'),
  });

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await jobs.stop();
      await store.close();
    })());

  print(`Switchboard listening on ${url} (database: ${printableDatabaseUrl(config.databaseUrl)})`);
  if (admin) {
    print(`Created the SystemAdministrator ${admin.email}` + (admin.generatedPassword ? ` with password ${admin.generatedPassword} (shown once; change it with 'switchboard user passwd')` : ''));
  }
  if (config.demo) {
    if (seeded.length) print(`Seeded ${seeded.length} demo sessions.`);
    const example = demoSessions(new Date()).find((s) => s.callState === 'Hold')!.id;
    print('Try:');
    const manager = DEMO_USERS[0]!;
    print(`  curl -u ${manager.email}:${manager.password} ${url}/sessions/${example}`);
    print(`  curl -u ${manager.email}:${manager.password} ${url}/sessions/${example}.xml`);
    print(`  (agents: ${DEMO_USERS.slice(1).map((u) => `${u.email} / ${u.password}`).join(', ')})`);
    const agent = DEMO_USERS[1]!;
    print(`  curl -u ${agent.email}:${agent.password} ${url}/sessions/my      # an agent's own live sessions`);
    print(`  open ${url}/sessions/${example} in a browser, or curl '${url}/xml/metadata?op=GetSession'`);
    print(`  open ${url}/console and sign in as ${manager.email} / ${manager.password}: the live wallboard`);
  }
  return { app, store, url, close };
}

/** SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database, exit. */
export function closeOnSignals(server: RunningServer): void {
  const stop = (signal: NodeJS.Signals) => {
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
