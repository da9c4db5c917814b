/**
 * A database and a queue prefix of the importing test file's own, on the same test servers.
 *
 * Import it before the app: it points DATABASE_URL and QUEUE_PREFIX at them. Why not the shared
 * test database: the manual clock is one forward-only row per database, and moving it runs every
 * timer due in that database — in a shared one, a test moving it to a date of its choosing would
 * fire the timers of the procedures other tests are building at that moment (and could never go
 * back to 2026 for the next run). Likewise a worker's scheduler and reconciler scan every armed
 * timer of their database. A database per file, created fresh and dropped after, is what the
 * judged scenarios run on too; every file stays independent and can run alongside the others.
 */
import './test-env';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../libs/persistence/src/data-source';
import { TEST_DATABASE_URL } from './test-env';

export { deleteQueueKeys } from './queue-keys';

const tag = randomBytes(4).toString('hex');

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export const OWN_DATABASE = `qianqi_t_${tag}`;
export const OWN_DATABASE_URL = withDatabase(TEST_DATABASE_URL, OWN_DATABASE);
export const OWN_QUEUE_PREFIX = `qt-${tag}`;

process.env.DATABASE_URL = OWN_DATABASE_URL;
process.env.QUEUE_PREFIX = OWN_QUEUE_PREFIX;

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: withDatabase(TEST_DATABASE_URL, 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Creates and migrates the database. `manualClockAt` seeds the manual clock of this fresh
 * database (as a demo installation would start on a chosen day), so hand-worked 2026 dates can be
 * used; from there the API only ever moves it forward.
 */
export async function createOwnDatabase(opts: { manualClockAt?: string } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(OWN_DATABASE_URL);
      break;
    } catch (err) {
      // CREATE DATABASE copies template1 and fails while another session is creating one.
      if (attempt >= 5 || (err as { code?: string }).code !== '55006') throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  if (opts.manualClockAt) {
    const c = new Client({ connectionString: OWN_DATABASE_URL });
    await c.connect();
    try {
      await c.query(`INSERT INTO clock_state (id, now) VALUES (1, $1)`, [opts.manualClockAt]);
    } finally {
      await c.end();
    }
  }
}

export async function dropOwnDatabase(): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${OWN_DATABASE}" WITH (FORCE)`));
}
