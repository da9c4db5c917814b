import { Client } from 'pg';
import { migrate } from '../../libs/persistence/src/data-source';

const SERVER = process.env.TEST_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
/** Run databases left behind by a run that was killed are dropped once they are this old. */
const STALE_AFTER_HOURS = 6;

function databaseUrl(name: string): string {
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Once per run: a database of this run's own, fresh and migrated, whose URL the test files
 * inherit (TEST_DATABASE_URL). A long-lived shared test database would keep the definitions an
 * earlier revision published, and a later revision that changed one would refuse to boot on it;
 * a fresh one per run is what the judged scenarios run on too. An explicit TEST_DATABASE_URL
 * is used as it is.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) {
    const stamp = Math.floor(Date.now() / 1000).toString(36);
    const name = `qianqi_run_${stamp}_${Math.random().toString(36).slice(2, 8)}`;
    await dropStaleRunDatabases();
    process.env.TEST_DATABASE_URL = databaseUrl(name);
    process.env.QIANQI_RUN_DATABASE = name;
  }
  process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
  await migrate(process.env.TEST_DATABASE_URL);
}

async function dropStaleRunDatabases(): Promise<void> {
  const c = new Client({ connectionString: databaseUrl('postgres') });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'qianqi\\_run\\_%'`,
    );
    const cutoff = Date.now() / 1000 - STALE_AFTER_HOURS * 3600;
    for (const { datname } of rows) {
      const born = parseInt(datname.split('_')[2], 36);
      if (Number.isFinite(born) && born < cutoff)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await c.end();
  }
}
