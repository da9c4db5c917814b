import { Client } from 'pg';

/** The run's own database (made by global-setup) goes with the run. */
export default async function globalTeardown(): Promise<void> {
  const name = process.env.QIANQI_RUN_DATABASE;
  if (!name) return;
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}
