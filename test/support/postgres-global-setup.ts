import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/open-store.js';
import { postgresBinDir, startPostgresCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…/` of the server the PostgreSQL half runs on; append a database name. */
    postgresServerUrl: string;
    /** A migrated database that each test's fresh database is copied from. */
    postgresTemplate: string;
  }
}

const TEMPLATE = 'switchboard_template';

/**
 * The PostgreSQL project's global setup: a throwaway cluster (or the server TEST_POSTGRES_URL names)
 * holding one migrated template; each test copies it with CREATE DATABASE … TEMPLATE, which is
 * much faster than migrating each database.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_POSTGRES_URL;
  const cluster = external ? undefined : await startPostgresCluster(postgresBinDir()!);
  const serverUrl = external ? withDatabase(external, '') : cluster!.serverUrl;
  try {
    const admin = new pg.Client({ connectionString: serverUrl + 'postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    await admin.end();
    const store = await openStore(serverUrl + TEMPLATE);
    await store.migrate().finally(() => store.close());
  } catch (error) {
    cluster?.stop();
    throw error;
  }
  project.provide('postgresServerUrl', serverUrl);
  project.provide('postgresTemplate', TEMPLATE);
  return async () => cluster?.stop();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + database;
  return parsed.toString();
}
