import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/qianqi';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    entities: [],
    logging: false,
    applicationName: opts.applicationName ?? 'qianqi',
    extra: {
      max: opts.poolSize ?? 10,
      // Every statement here is a short keyed read or write. PostgreSQL's JIT compiles a plan
      // whose estimated cost passes jit_above_cost, and misestimated rows (a procedure's timers
      // among a million) made it compile per execution: 10–150 ms for a 5 ms batch statement.
      options: '-c jit=off',
    },
  });
}

/** Creates the database named in the URL when it does not exist yet (fresh machines, tests). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${target.host} (${(err as Error).message}). ` +
        `Start it (scripts/services.sh starts the local one) or set DATABASE_URL.`,
    );
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = createDataSource({ url, poolSize: 1, applicationName: 'qianqi-migrate' });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
